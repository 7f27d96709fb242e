#!/bin/sh
# Full chain, reference path: the same L2 with virtio-iommu-pci,vhost=off, i.e.
# QEMU's own userspace virtio-iommu (VFIO type1 + IOMMU notifiers).
CHAIN_VHOST=off
CHAIN_L2=l2_chain_userspace.l2
. /tests/chain_l1.sh
