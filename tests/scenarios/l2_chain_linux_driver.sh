#!/bin/sh
# Full chain with a driver we did not write: L2 runs a current kernel with
# Linux's own virtio_iommu (ACPI VIOT), behind the patched QEMU's
# virtio-iommu-pci,vhost=on, served by vhost_iommu.ko in L1, with the NVMe
# and edu assigned.  L2 (on_l2): ext4 on the disk survives a remount and an
# fsck, CHAIN_SIZE_MIB written with O_DIRECT read back, VFIO with edu (DMA
# after MAP, none after UNMAP).  L1: the kernel handled the requests and
# QEMU's userspace handler none.  The host: the disk image holds the write.
#   default   L2 on L1's kernel (Debian's 6.12 by default)
#   debug     L2 on the debug flavour (KASAN, lockdep, kmemleak:
#             tests/rig/debug.config), and no detector report (make check-debug)
#   root-ports  L2 is a q35 machine with the NVMe and edu each behind a
#             pcie-root-port (libvirt's layout): the kernel's endpoints follow
#             the bus numbers firmware gives (lib/chain.sh, RIG_CHAIN_PORTS)
#
#: level 2
#: debug.l2-kernel debug
# 6.12's debug kernel as L2, under nested KVM on TCG: two minutes to /init,
# and the I/O outlived a 450 s script limit (600 s for L2).
#: debug.l2-timeout 1200
#: debug.timeout 2400
#: root-ports.append rig_chain_ports=1

CHAIN_SIZE_MIB=32

on_l1() {
	# Room for the O_DIRECT pattern in L2's tmpfs (and for KASAN).
	L2_MEM=512
	# The detectors report at KERN_ERR: show them (and warnings) on the console.
	case $(cat /rig/l2-kernel/name 2>/dev/null) in debug*) L2_APPEND="loglevel=5" ;; esac
	chain_l1 on l2_chain_linux_driver edu
}

# L2 side: Linux's own virtio_iommu drives the virtio-iommu (vhost=on in L1),
# then the full-chain NVMe test (chain_l2), then VFIO type1 with edu
# (edu_type1), then the detectors' verdict (lib/debug.sh; on a kernel without
# them, the log and FOLL_PIN checks).
on_l2() {
	debug_begin
	check "the guest kernel has Linux's virtio-iommu driver ($(uname -r))" \
		eval '[ -n "$(find /lib/modules/$(uname -r) -name "virtio-iommu.ko*")" ]' || exit 1
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
