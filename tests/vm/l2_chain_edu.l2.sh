#!/bin/sh
# L2 side of l2_chain_edu: VFIO type1 on pviommu.ko, edu_type1.
. /tests/lib.sh
edu=$(pci_find 1234:11e8)
check "edu found in L2 (at ${edu:-nowhere})" [ -n "$edu" ] || exit 1
check "modprobe pviommu, then virtio_pci" eval 'modprobe pviommu && modprobe virtio_pci'
check "edu $edu is in an IOMMU group" [ -e "/sys/bus/pci/devices/$edu/iommu_group" ] || exit 1
# virtio-iommu does no interrupt remapping (edu_type1 polls anyway).
check "modprobe vfio_iommu_type1 allow_unsafe_interrupts=1" \
	modprobe vfio_iommu_type1 allow_unsafe_interrupts=1
check "edu $edu bound to vfio-pci" vfio_bind "$edu" || exit 1
edu_type1 "$edu" | tap_import "edu_type1: "
