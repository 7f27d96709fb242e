#!/bin/sh
# Interop (make check-debug): our backend serves a guest driver we did not
# write.  L1 runs the stock kernel with vhost_iommu.ko; L2 boots the debug
# flavour (KASAN, lockdep, kmemleak: tests/rig/debug.config) with Linux's own
# virtio_iommu driver, behind the patched QEMU's virtio-iommu-pci,vhost=on,
# with the NVMe and edu assigned.  L2 (on_l2): disk
# I/O with checksums, an ext2 remount, VFIO with edu, and no detector
# report.  This side: the requests were handled in L1's kernel.
#
#: level 2
#: l2-kernel debug
#: l2-timeout 600
#: timeout 1700

on_l1() {
	L2_KERNEL=/rig/l2-debug/bzImage
	L2_INITRD="/rig/l2-debug/base.cpio /rig/l2-debug/payload.cpio"
	L2_MEM=512
	# The detectors report at KERN_ERR: show them (and warnings) on the console.
	L2_APPEND="loglevel=5"
	check "the image carries the debug flavour for L2 (/rig/l2-debug)" [ -f $L2_KERNEL ] || exit 1
	chain_l1 on l2_interop_linux_driver edu
}

# L2 side of l2_interop_linux_driver, on the debug kernel: Linux's own
# virtio_iommu drives the virtio-iommu (vhost=on in L1), then the full-chain
# NVMe test (chain_l2), then VFIO type1 with edu (edu_type1), then the
# detectors' verdict (lib/debug.sh).
on_l2() {
	debug_begin
	check "the guest kernel has Linux's virtio-iommu driver ($(uname -r))" \
		eval '[ -n "$(find /lib/modules/$(uname -r) -name "virtio-iommu.ko*")" ]'
	chain_l2 virtio_iommu

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
}

# Host side: the disk image holds what L2 wrote.
on_host() {
	chain_host
}
