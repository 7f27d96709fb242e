#!/bin/sh
# Full chain, kernel path: L2's pviommu.ko -> virtio-iommu-pci,vhost=on in the
# patched QEMU -> vhost_iommu.ko in L1 -> the host (L0-emulated) VT-d.  The
# NVMe test runs in L2 (l2_chain_vhost.l2.sh); this side checks that
# vhost-iommu handled the requests and QEMU's userspace handler none.
CHAIN_VHOST=on
CHAIN_L2=l2_chain_vhost.l2
. /tests/chain_l1.sh
