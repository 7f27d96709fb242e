#!/bin/sh
# Hotplug: a q35 L2 behind virtio-iommu-pci,vhost=on with two pcie-root-ports,
# edu assigned on the first from boot and Linux's own virtio_iommu.  Twice,
# L1 hotplugs the NVMe into the second port (device_add): L2 finds it in an
# IOMMU group and writes and reads back through it (O_DIRECT); then L1
# removes it (device_del): L2 sees it go, and the kernel in L1 has dropped
# its endpoint, mappings and pins (QEMU's VmLck is as before the plug).  The
# VIOT covers the empty port's bus, so Linux's driver translates a device
# that comes there later.
#
#: level 2
#: timeout 900

HOTPLUG_CYCLES=2
# What a cycle leaves as it found: the device's endpoints, live mappings and
# pins, and QEMU's locked memory.
HOTPLUG_STATE="endpoints mappings pinned_pages bypass_pinned_pages VmLck"

on_l1() {
	local nvme edu cycle before after sampler
	chain_assign 1b36:0010 "NVMe controller" || exit 1
	nvme=$chain_bdf
	edu=$(pci_find 1234:11e8)
	check "edu $edu bound to vfio-pci" vfio_bind "$edu" || exit 1
	l2_kvm_ready || exit 1

	L2_MACHINE=q35 l2_bg_start /tmp/l2-hotplug.log l2_hotplug \
		-trace 'virtio_iommu_vhost_*' -D /tmp/l2-hotplug.trace \
		-device virtio-iommu-pci,vhost=on \
		-device pcie-root-port,id=rp1,chassis=1 -device pcie-root-port,id=rp2,chassis=2 \
		-device "vfio-pci,host=$edu,bus=rp1,rombar=0"
	vhost_stats_sampler /tmp/vhost-iommu-stats &
	sampler=$!
	for cycle in $(seq $HOTPLUG_CYCLES); do
		l2_bg_wait "^RIG:INFO plug-me $cycle\$" 1 300 || break
		before=$(vhost_state "$l2_pid" $HOTPLUG_STATE)
		diag "cycle $cycle before device_add: $(tr '\n' ' ' <"$(ls -d /sys/kernel/debug/vhost-iommu/* | head -n1)/endpoints") domains $(vhost_stat domains) attach $(vhost_stat requests.attach)"
		l2_monitor "device_add vfio-pci,host=$nvme,bus=rp2,id=hotnvme,rombar=0" || break
		l2_bg_wait "^RIG:INFO unplug-me $cycle\$" 1 300 || break
		check "cycle $cycle: the kernel has edu and the hotplugged NVMe as endpoints, both attached (ID[domain]: $(awk '{ printf "%s[%s] ", $1, $5 }' /tmp/vhost-iommu-stats.endpoints))" \
			[ "$(vhost_attached /tmp/vhost-iommu-stats.endpoints)" = 2 ]
		l2_monitor "device_del hotnvme" || break
		_hotplug_wait_gone "$cycle" || break
		after=$(vhost_state "$l2_pid" $HOTPLUG_STATE)
		diag "cycle $cycle after device_del: $(tr '\n' ' ' <"$(ls -d /sys/kernel/debug/vhost-iommu/* | head -n1)/endpoints") domains $(vhost_stat domains) attach $(vhost_stat requests.attach)"
		check "cycle $cycle: after device_del the kernel holds what it held before device_add ($after; before: $before)" \
			[ "$after" = "$before" ]
	done
	l2_bg_wait '^RIG:END' 1 300 || kill -KILL "$l2_pid" 2>/dev/null
	wait "$l2_pid" 2>/dev/null
	kill $sampler 2>/dev/null
	wait $sampler 2>/dev/null
	tr -d '\r' </tmp/l2-hotplug.log | tap_import "L2: " "$TAP_MARK"
	diag "QEMU trace: $(sed 's/ .*//' /tmp/l2-hotplug.trace | sort | uniq -c | xargs)"
	check "QEMU declared the hotplugged NVMe $HOTPLUG_CYCLES times and saw it go as often (trace)" \
		eval '[ "$(grep -c "^virtio_iommu_vhost_del_endpoint" /tmp/l2-hotplug.trace)" -ge $HOTPLUG_CYCLES ] &&
		      [ "$(grep -c "^virtio_iommu_vhost_add_endpoint" /tmp/l2-hotplug.trace)" = $((HOTPLUG_CYCLES + 1)) ]'
	check "the kernel handled the NVMe's MAPs ($(_chain_vstat requests.map))" [ "$(_chain_vstat requests.map)" -ge 100 ]
	check "no vhost-iommu device left after L2 powered off" \
		[ -z "$(ls /sys/kernel/debug/vhost-iommu 2>/dev/null)" ]
	check "no WARN or BUG in L1's kernel log" sh -c '! dmesg | grep -E "WARNING: CPU|BUG:|Oops:"'
}

# Wait (60 s at most) until QEMU has let the NVMe's group go (device_del
# completes when the guest has powered the slot off) and the kernel has
# reaped its endpoint.
_hotplug_wait_gone() {
	local i=0 f
	f=$(ls -d /sys/kernel/debug/vhost-iommu/* 2>/dev/null | head -n1)
	while [ "$(grep -c '^virtio_iommu_vhost_del_endpoint' /tmp/l2-hotplug.trace)" -lt "$1" ] ||
		[ "$(sed -n 's/^endpoints //p' "$f/stats")" != 1 ]; do
		l2_bg_gone && return 1
		if [ $i -ge 600 ]; then
			not_ok "cycle $1: the NVMe's endpoint went within 60 s of device_del"
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
	ok "cycle $1: device_del: QEMU let the NVMe's group go and the kernel dropped its endpoint ($((i / 10)) s)"
}

on_l2() {
	local edu cycle i dev=/dev/nvme0n1
	check "modprobe virtio_iommu (before the endpoint drivers)" modprobe virtio_iommu
	modprobe virtio_pci
	modprobe nvme
	edu=$(pci_find 1234:11e8)
	# (The VIOT gives edu its group when a driver binds it.)
	check "modprobe vfio_iommu_type1 allow_unsafe_interrupts=1" \
		modprobe vfio_iommu_type1 allow_unsafe_interrupts=1
	check "edu $edu (on a root port from boot) bound to vfio-pci" vfio_bind "$edu"
	check "edu is in an IOMMU group of virtio_iommu" \
		[ -e "/sys/bus/pci/devices/$edu/iommu_group" ]
	for cycle in $(seq $HOTPLUG_CYCLES); do
		echo "RIG:INFO plug-me $cycle"
		i=0
		while [ -z "$(pci_find 1b36:0010)" ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done
		check "cycle $cycle: the hotplugged NVMe appeared ($(pci_find 1b36:0010))" [ -n "$(pci_find 1b36:0010)" ] || exit 1
		nvme_wait $dev || exit 1
		check "cycle $cycle: the hotplugged NVMe is in an IOMMU group of virtio_iommu" \
			[ -e "/sys/bus/pci/devices/$(pci_find 1b36:0010)/iommu_group" ]
		nvme_write_check $dev $((16 + 8 * cycle)) 4
		echo "RIG:INFO unplug-me $cycle"
		i=0
		while [ -n "$(pci_find 1b36:0010)" ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done
		check "cycle $cycle: the NVMe went after device_del ($((i / 10)) s)" [ -z "$(pci_find 1b36:0010)" ] || exit 1
	done
	check "no WARN or BUG in L2's kernel log" eval '! dmesg | grep -qE "$RIG_KERNEL_ERRORS"'
}
