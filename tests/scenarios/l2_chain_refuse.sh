#!/bin/sh
# What virtio-iommu-pci,vhost=on refuses, each with a clear error: hotplug of
# an assigned device, migration, vhostfd without vhost=on.  It runs in L1 only
# (the patched QEMU is in the nested image, hence level 2).
#
# Not in make check: one run of three hit a soft lockup in L1's kernel
# (qemu-pviommu stuck in the kernel, before the series refused hotplug ahead of
# VFIO_PVIOMMU_BIND); see the QEMU integration report.
#
#: level 2

on_l1() {
	DBG=/sys/kernel/debug
	chain_assign 1b36:0010 "NVMe controller" || exit 1
	bdf=$chain_bdf
	check "KVM in L1" eval 'modprobe kvm_amd && [ -c /dev/kvm ]' || exit 1

	# Refusals, on a paused VM driven through the monitor.
	refusals=$(printf 'device_add vfio-pci,host=%s,rombar=0,id=hp\nmigrate "exec:cat >/dev/null"\nquit\n' "$bdf" |
		timeout 60 /usr/bin/qemu-pviommu -L /usr/share/qemu -L /usr/share/seabios \
			-accel kvm -M pc -m 64 -nodefaults -display none -S -monitor stdio \
			-device virtio-iommu-pci,vhost=on 2>&1 | tr -d '\r')
	echo "$refusals" | grep -E 'hotplug|migration' | while IFS= read -r l; do diag "monitor: $l"; done
	check "vhost=on refuses hotplug of an assigned device" \
		eval 'echo "$refusals" | grep -q "does not support hotplug of assigned devices"'
	check "vhost=on blocks migration" \
		eval 'echo "$refusals" | grep -q "vhost=on does not support migration"'
	check "vhostfd without vhost=on is refused" \
		sh -c '/usr/bin/qemu-pviommu -L /usr/share/qemu -L /usr/share/seabios -accel kvm -M pc -nodefaults -display none -S \
			-device virtio-iommu-pci,vhostfd=3 2>&1 | grep -q "vhostfd needs vhost=on"'
	check "no vhost-iommu device left after the refusals" \
		[ -z "$(ls $DBG/vhost-iommu 2>/dev/null)" ]

	check "no WARN or BUG in L1's kernel log" sh -c '! dmesg | grep -E "WARNING: CPU|BUG:|Oops:"'
}
