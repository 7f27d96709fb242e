#!/bin/sh
# Full chain, robustness: L2 (patched QEMU, virtio-iommu-pci,vhost=on, the NVMe
# assigned) is paused and resumed from QEMU's monitor in the middle of its
# I/O (the backend stops and starts again; its requests must go on), then
# killed with SIGKILL.  Then in L1: the vhost-iommu device and its pins are
# gone, the kernel logged no WARN, and the NVMe can be assigned again to a new
# L2 that passes the full-chain disk test.  An L2 whose QEMU ends on its own
# fails the test at once, with how it ended.
#
#: level 2
# L2 runs pviommu.ko: the frontend of kernels without virtio-iommu.
#: l2-kernel 6.1

on_l1() {
	chain_assign 1b36:0010 "NVMe controller" || exit 1
	bdf=$chain_bdf
	check "KVM in L1" eval 'modprobe kvm_amd && [ -c /dev/kvm ]' || exit 1

	l2_bg_start /tmp/l2-kill.log l2_chain_kill \
		-trace 'virtio_iommu_vhost_st*' -D /tmp/l2-kill.trace \
		-device virtio-iommu-pci,vhost=on -device "vfio-pci,host=$bdf,rombar=0"
	l2_bg_midio 2000 || exit 1

	# Paused, the VM makes no request; resumed, its I/O goes on through the
	# backend (which stopped and started again: a kick it missed would stall it).
	l2_monitor stop || exit 1
	sleep 1
	m0=$(vhost_stat requests.map)
	sleep 2
	m1=$(vhost_stat requests.map)
	check "paused from the monitor: no request handled in 2 s ($m0 -> $m1 MAPs)" \
		eval '[ -n "$m0" ] && [ "$m0" = "$m1" ]'
	l2_monitor cont || exit 1
	i=0
	while [ "$(vhost_stat requests.map)" -lt $((m1 + 1000)) ] 2>/dev/null && [ $i -lt 300 ]; do
		l2_bg_gone && exit 1
		sleep 0.1
		i=$((i + 1))
	done
	check "resumed: the I/O goes on through vhost-iommu ($m1 -> $(vhost_stat requests.map) MAPs)" \
		[ "$(vhost_stat requests.map)" -ge $((m1 + 1000)) ]
	check "QEMU stopped the backend and started it again (trace: $(grep -c '^virtio_iommu_vhost_stop' /tmp/l2-kill.trace) stop, $(grep -c '^virtio_iommu_vhost_start' /tmp/l2-kill.trace) starts)" \
		eval '[ "$(grep -c "^virtio_iommu_vhost_stop" /tmp/l2-kill.trace)" = 1 ] &&
		      [ "$(grep -c "^virtio_iommu_vhost_start" /tmp/l2-kill.trace)" = 2 ]'
	l2_bg_gone && exit 1
	l2_bg_kill
	check "no WARN or BUG in L1's kernel log" sh -c '! dmesg | grep -E "WARNING: CPU|BUG:|Oops:"'
	tr -d '\r' </tmp/l2-kill.log | tail -n 5 | while IFS= read -r l; do diag "killed L2| $l"; done

	# The device is assignable again: a new L2 runs the full-chain disk test.
	L2_QEMU=/usr/bin/qemu-pviommu l2_run l2_chain \
		-L /usr/share/qemu -L /usr/share/seabios \
		-device virtio-iommu-pci,vhost=on -device "vfio-pci,host=$bdf,rombar=0"
	check "no vhost-iommu device left after the second L2" \
		[ -z "$(ls /sys/kernel/debug/vhost-iommu 2>/dev/null)" ]
	check "no WARN or BUG in L1's kernel log at the end" sh -c '! dmesg | grep -E "WARNING: CPU|BUG:|Oops:"'
}

# L2 side of l2_chain_kill (and of the soak's killed run): pviommu.ko + nvme,
# one O_DIRECT write checked through the kernel path, then O_DIRECT I/O in a
# loop until L1 kills this VM's QEMU.
on_l2() {
	modprobe pviommu && modprobe virtio_pci && modprobe nvme
	nvme_wait /dev/nvme0n1 || exit 1
	nvme_write_check /dev/nvme0n1 48 4
	echo IO-LOOP
	while :; do
		dd if=/dev/urandom of=/dev/nvme0n1 bs=64k seek=512 count=128 oflag=direct 2>/dev/null
		dd if=/dev/nvme0n1 of=/dev/null bs=64k skip=512 count=128 iflag=direct 2>/dev/null
	done
}

# Host side: the disk image holds what the second L2 wrote.
on_host() {
	chain_host
}
