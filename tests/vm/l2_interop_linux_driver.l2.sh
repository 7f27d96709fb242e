#!/bin/sh
# L2 side of l2_interop_linux_driver, on the debug kernel: Linux's own
# virtio_iommu drives the virtio-iommu (vhost=on in L1), then the full-chain
# NVMe test (chain_l2.sh), then VFIO type1 with edu (edu_type1), then the
# detectors' verdict (debug_lib.sh).
. /tests/lib.sh
. /tests/debug_lib.sh
debug_begin
check "the guest kernel has Linux's virtio-iommu driver ($(uname -r))" \
	eval '[ -n "$(find /lib/modules/$(uname -r) -name "virtio-iommu.ko*")" ]'
CHAIN_GUEST_DRIVER=virtio_iommu
. /tests/chain_l2.sh

edu=$(pci_find 1234:11e8)
# virtio-iommu does no interrupt remapping (edu_type1 polls anyway).
check "modprobe vfio_iommu_type1 allow_unsafe_interrupts=1" \
	modprobe vfio_iommu_type1 allow_unsafe_interrupts=1
check "edu $edu bound to vfio-pci" vfio_bind "$edu" || exit 1
# (The VIOT gives edu its group when vfio-pci binds it.)
check "edu $edu is in an IOMMU group of virtio_iommu" \
	[ -e "/sys/bus/pci/devices/$edu/iommu_group" ] || exit 1
edu_type1 "$edu" | tap_import "edu_type1: "
debug_leaks "the NVMe and edu tests"
debug_end
