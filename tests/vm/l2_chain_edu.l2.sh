#!/bin/sh
# L2 side of l2_chain_edu.  edu is bound to no driver in L2 throughout, until
# VFIO takes it:
#   1. unattached: no IOMMU driver has run, the endpoint is attached to no
#      domain and config.bypass is 0 (boot-bypass=off): edu_raw's DMA to a
#      page must be blocked;
#   2. pviommu.ko puts edu in an identity (bypass) domain: the same raw DMA
#      lands (the control for 1);
#   3. VFIO type1 on top of pviommu.ko: edu_type1 (DMA after MAP, none after
#      UNMAP).
. /tests/lib.sh
edu=$(pci_find 1234:11e8)
check "edu found in L2 (at ${edu:-nowhere})" [ -n "$edu" ] || exit 1
dev=/sys/bus/pci/devices/$edu

check "edu is in no IOMMU group yet (pviommu not loaded)" [ ! -e "$dev/iommu_group" ]
edu_raw "$edu" blocked | tap_import "unattached: "

check "modprobe pviommu, then virtio_pci" eval 'modprobe pviommu && modprobe virtio_pci'
check "edu $edu is in an IOMMU group" [ -e "$dev/iommu_group" ] || exit 1
gtype=/sys/kernel/iommu_groups/$(basename "$(readlink "$dev/iommu_group")")/type
check "edu's group switched to an identity domain" \
	eval "echo identity >$gtype && [ \"\$(cat $gtype)\" = identity ]" ||
	dmesg | tail -n 3 | while IFS= read -r l; do diag "dmesg: $l"; done
edu_raw "$edu" lands | tap_import "identity: "
check "edu's group back to a DMA domain" eval "echo DMA >$gtype && [ \"\$(cat $gtype)\" = DMA ]"

# virtio-iommu does no interrupt remapping (edu_type1 polls anyway).
check "modprobe vfio_iommu_type1 allow_unsafe_interrupts=1" \
	modprobe vfio_iommu_type1 allow_unsafe_interrupts=1
check "edu $edu bound to vfio-pci" vfio_bind "$edu" || exit 1
edu_type1 "$edu" | tap_import "edu_type1: "
