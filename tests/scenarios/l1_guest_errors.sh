#!/bin/sh
# L1: what pviommu.ko refuses, and how.
#   - Endpoints whose driver bound before pviommu are left untranslated, with
#     a message, and keep working (the device's boot-bypass).
#   - A group that such a skipped device belongs to (a multifunction slot
#     without ACS: nvme at 10.0, edu at 10.1) is never handed to VFIO:
#     VFIO_SET_IOMMU fails with EPERM.
#   - rmmod is refused while endpoints are attached.
#
#: level 1
# pviommu.ko is the frontend of kernels without virtio-iommu.
#: kernel 6.1
#: iommu virtio
#: qemu-args -blockdev null-co,node-name=n2,size=67108864 -device nvme,serial=n2,drive=n2,addr=10.0,multifunction=on -device edu,addr=10.1,multifunction=on

on_l1() {
	nvme_mf=$(pci_find 1b36:0010 | grep ':10\.0$')
	edu_mf=$(pci_find 1234:11e8 | grep ':10\.1$')
	check "nvme at 10.0 and edu at 10.1 (${nvme_mf:-none}, ${edu_mf:-none})" \
		eval '[ -n "$nvme_mf" ] && [ -n "$edu_mf" ]' || exit 1

	# The wrong order: nvme binds first.
	check "modprobe nvme before pviommu" modprobe nvme
	blk_wait /dev/nvme0n1
	pviommu_load
	dmesg | grep -E 'before pviommu|IOMMU group|VIOT' | while IFS= read -r l; do diag "$l"; done
	check "a bound nvme is skipped with a message" \
		eval "dmesg | grep -q '$nvme_mf: bound to nvme before pviommu: left untranslated'"
	check "the skipped nvme has no IOMMU group" [ ! -e "/sys/bus/pci/devices/$nvme_mf/iommu_group" ]
	check "edu $edu_mf, its slot sibling, is in a group" [ -e "/sys/bus/pci/devices/$edu_mf/iommu_group" ]
	check "that group is marked incomplete" \
		eval "dmesg | grep -q '$edu_mf: shares its IOMMU group with an untranslated device'"

	# The skipped disks still work, untranslated (boot-bypass).  The one at 10.0
	# is QEMU's null-co, which discards writes: only its I/O is checked.
	for c in /sys/class/nvme/nvme*; do
		pci=$(basename "$(readlink "$c/device")")
		d=/dev/$(basename "$c")n1
		dd if=/dev/urandom of=/tmp/pat bs=64k count=16 2>/dev/null
		if [ "$pci" = "$nvme_mf" ]; then
			check "skipped $pci ($d, null-co): O_DIRECT write and read complete" eval \
				'dd if=/tmp/pat of=$d bs=64k oflag=direct conv=fsync 2>/dev/null &&
				 dd if=$d of=/dev/null bs=64k count=16 iflag=direct 2>/dev/null'
		else
			dd if=/tmp/pat of=$d bs=64k oflag=direct conv=fsync 2>/dev/null
			check "skipped $pci ($d): O_DIRECT write and read-back match" eval \
				'[ "$(dd if=$d bs=64k count=16 iflag=direct 2>/dev/null | md5sum)" = "$(md5sum </tmp/pat)" ]'
		fi
	done

	check "modprobe vfio_iommu_type1 allow_unsafe_interrupts=1" \
		modprobe vfio_iommu_type1 allow_unsafe_interrupts=1
	check "edu $edu_mf bound to vfio-pci" vfio_bind "$edu_mf" || exit 1
	guest_vfio_refused "$edu_mf" | tap_import "guest_vfio_refused: "
	check "pviommu said why" eval "dmesg | grep -q 'refusing to hand the group over'"

	check "rmmod pviommu refused while endpoints are attached" eval '! rmmod pviommu 2>/dev/null'
}
