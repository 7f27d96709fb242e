#!/bin/sh
# One cycle of the rig soak (make soak-rig, tests/rig/soak): the NVMe goes to
# vfio-pci and to three L2s in turn under the patched QEMU:
#   1. vhost=on: an O_DIRECT write checked through vhost_iommu.ko, then I/O
#      in a loop, killed with SIGKILL in mid-I/O (pins and device must go);
#   2. vhost=off: the full-chain disk test through QEMU's userspace backend,
#      to a clean exit;
#   3. vhost=on: the full-chain disk test through the kernel, to a clean exit.
# Every boot and teardown of the nested stack that make check does, in one
# L1 boot.  The soak runs it with retries off: a hang fails the cycle.
#
#: level 2
# L2 runs pviommu.ko: the frontend of kernels without virtio-iommu.
#: l2-kernel 6.1

on_l1() {
	chain_assign 1b36:0010 "NVMe controller" || exit 1
	bdf=$chain_bdf
	l2_kvm_ready || exit 1

	l2_bg_start /tmp/l2-kill.log l2_chain_kill \
		-device virtio-iommu-pci,vhost=on -device "vfio-pci,host=$bdf,rombar=0"
	l2_bg_midio 1000 || exit 1
	l2_bg_gone && exit 1
	l2_bg_kill

	for vhost in off on; do
		L2_QEMU=/usr/bin/qemu-pviommu l2_run l2_chain \
			-L /usr/share/qemu -L /usr/share/seabios \
			-device "virtio-iommu-pci,vhost=$vhost" -device "vfio-pci,host=$bdf,rombar=0"
		check "no vhost-iommu device left after the vhost=$vhost L2" \
			[ -z "$(ls /sys/kernel/debug/vhost-iommu 2>/dev/null)" ]
	done
	check "no WARN or BUG in L1's kernel log" sh -c '! dmesg | grep -E "WARNING: CPU|BUG:|Oops:"'
}
