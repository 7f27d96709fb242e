#!/bin/sh
# L1: VFIO type1 in the guest through pviommu.ko and QEMU's virtio-iommu-pci:
# edu's DMA lands in the mapped buffers and not in an unmapped one
# (edu_type1), the device reports the fault on the event queue, and pviommu
# hands it to report_iommu_fault() and logs it.
#
#: level 1
# pviommu.ko is the frontend of kernels without virtio-iommu.
#: kernel 6.1
#: iommu virtio
#: debug.kernel debug
#: debug.timeout 600

on_l1() {
	debug_begin
	DBG=/sys/kernel/debug

	edu=$(pci_find 1234:11e8)
	check "edu found (at ${edu:-nowhere})" [ -n "$edu" ] || exit 1
	mount -t debugfs none $DBG 2>/dev/null
	pviommu_load
	# virtio-iommu does no interrupt remapping (edu_type1 polls anyway).
	check "modprobe vfio_iommu_type1 allow_unsafe_interrupts=1" \
		modprobe vfio_iommu_type1 allow_unsafe_interrupts=1
	check "edu $edu bound to vfio-pci" vfio_bind "$edu" || exit 1
	# (After the bind: a kernel with ACPI VIOT gives the group only then.)
	check "edu $edu is in an IOMMU group" [ -e "/sys/bus/pci/devices/$edu/iommu_group" ] || exit 1
	maps0=$(pviommu_stat sent_MAP)
	edu_type1 "$edu" | tap_import "edu_type1: "
	diag "stats: $(tr '\n' ' ' <$DBG/pviommu/stats)"
	check "VFIO's maps went out as MAP requests ($maps0 -> $(pviommu_stat sent_MAP))" \
		[ "$(pviommu_stat sent_MAP)" -gt "$maps0" ]
	check "the DMA to an unmapped IOVA came back as a fault event ($(pviommu_stat faults))" \
		[ "$(pviommu_stat faults)" -gt 0 ]
	dmesg | grep 'fault from endpoint' | head -n 3 | while IFS= read -r l; do diag "$l"; done
	check "the fault was logged with its endpoint and address" \
		eval "dmesg | grep -q 'mapping fault from endpoint .*($edu) at 0x'"
	check "no request failed" [ "$(pviommu_stat request_errors)" = 0 ]
	debug_guest_end l1_guest_vfio
}
