#!/bin/sh
# Full chain: L2's pviommu.ko -> virtio-iommu-pci in the patched QEMU -> L1 ->
# the host (L0-emulated) VT-d, with the NVMe assigned to L2 (lib/chain.sh).
# L2 runs the disk test (an ext2 remount, an O_DIRECT write read back); the
# host checks the disk image.
#   default     vhost=on, the kernel path: vhost_iommu.ko in L1 handled the
#               requests and QEMU's userspace handler none
#   userspace   vhost=off, the reference path: QEMU's own userspace
#               virtio-iommu (VFIO type1 + IOMMU notifiers)
#
#: level 2
#: userspace.append rig_chain_vhost=off

on_l1() {
	chain_l1 "${RIG_CHAIN_VHOST:-on}" l2_chain
}

on_l2() {
	chain_l2
}

on_host() {
	chain_host
}
