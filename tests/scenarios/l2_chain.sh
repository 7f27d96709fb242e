#!/bin/sh
# Full chain: L2's pviommu.ko -> virtio-iommu-pci in the patched QEMU -> L1 ->
# the host (L0-emulated) VT-d, with the NVMe assigned to L2 (lib/chain.sh).
# L2 runs the disk test (ext4 through a remount and an fsck, an O_DIRECT
# write read back); the host checks the disk image.
#   default     vhost=on, the kernel path: vhost_iommu.ko in L1 handled the
#               requests and QEMU's userspace handler none
#   userspace   vhost=off, the reference path: QEMU's own userspace
#               virtio-iommu (VFIO type1 + IOMMU notifiers)
#   6.1         vhost=on with L1 on Debian 12's 6.1: the older host kernel
#   root-ports  L2 is a q35 machine with the NVMe behind a pcie-root-port:
#               pviommu.ko finds it in the VIOT under the bus firmware gave
#               it (lib/chain.sh, RIG_CHAIN_PORTS)
#   pci-bridge  the NVMe behind a pcie-pci-bridge on a root port: one
#               endpoint under the bridge's requester ID
#
#: level 2
# L2 runs pviommu.ko: the frontend of kernels without virtio-iommu.
#: l2-kernel 6.1
#: userspace.append rig_chain_vhost=off
#: 6.1.kernel 6.1
#: root-ports.append rig_chain_ports=1
#: pci-bridge.append rig_chain_ports=bridge

on_l1() {
	chain_l1 "${RIG_CHAIN_VHOST:-on}" l2_chain
}

on_l2() {
	chain_l2
}

on_host() {
	chain_host
}
