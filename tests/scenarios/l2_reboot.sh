#!/bin/sh
# Reboot: an L2 behind virtio-iommu-pci,vhost=on (boot-bypass=on) with the
# NVMe and edu assigned, and Linux's own virtio_iommu, boots six times: it
# reboots itself (reboot -f) after boots 1, 3 and 5, and L1 resets it from
# the monitor (system_reset) after boots 2 and 4.  Each boot, before any
# IOMMU driver runs:
#   - L2: edu's DMA lands at its GPA (config.bypass is back at
#     boot-bypass=on, although every boot before wrote 0 to it); then
#     virtio_bypass --negotiate, a driver that has negotiated BYPASS_CONFIG
#     and not set DRIVER_OK, writes 0, and edu's DMA is refused at once;
#   - L1: the kernel holds no domain, mapping or pin of the boot before, no
#     endpoint is attached, the identity domain pins guest RAM once, and
#     QEMU's locked memory is boot 1's.
# Then L2 drives the virtio-iommu, reads back what the boot before wrote to
# the disk, writes and reads back new data (O_DIRECT), and sets
# config.bypass = 0 (virtio_bypass) before it reboots.
# (boot-bypass=on, not off: with off, SeaBIOS waits out the timeouts of the
# NVMe it cannot reach at every boot, and twice in five runs L1 then stopped
# for good, idle with interrupts on: L0's TCG losing an interrupt, README's
# "Nested hangs".)
#
#: level 2
#: timeout 600

# Where L2 keeps, across boots, its data and the record of the boot before.
REBOOT_DATA_MIB=56
REBOOT_DATA_SZ=4
REBOOT_REC_MIB=60
REBOOT_BOOTS=6
# What must be the same at every boot: the vhost-iommu device's live
# mappings, domains and pins, its endpoints attached to a domain, and the
# locked memory of L2's QEMU.
REBOOT_STATE="mappings domains pinned_pages attached bypass_pinned_pages ram_pinned_pages endpoints VmLck"

on_l1() {
	local nvme edu boot state first sampler
	chain_assign 1b36:0010 "NVMe controller" || exit 1
	nvme=$chain_bdf
	edu=$(pci_find 1234:11e8)
	check "edu $edu bound to vfio-pci" vfio_bind "$edu" || exit 1
	l2_kvm_ready || exit 1

	L2_REBOOT=1 l2_bg_start /tmp/l2-reboot.log l2_reboot \
		-trace 'virtio_iommu_vhost_*' -D /tmp/l2-reboot.trace \
		-device virtio-iommu-pci,vhost=on \
		-device "vfio-pci,host=$nvme,rombar=0" -device "vfio-pci,host=$edu,rombar=0"
	vhost_stats_sampler /tmp/vhost-iommu-stats &
	sampler=$!
	for boot in $(seq "$REBOOT_BOOTS"); do
		l2_bg_wait '^RIG:INFO boot-state' "$boot" 120 || break
		state=$(vhost_state "$l2_pid" $REBOOT_STATE)
		if [ "$boot" = 1 ]; then
			first=$state
			check "boot 1: the kernel holds nothing of a guest yet, but the identity domain ($state)" \
				eval 'case $state in "mappings 0 domains 0 pinned_pages 0 attached 0 bypass_pinned_pages "[1-9]*) true ;; *) false ;; esac'
		else
			check "boot $boot: the kernel's state and QEMU's locked memory are boot 1's ($state)" \
				[ "$state" = "$first" ]
		fi
		l2_bg_say go '^RIG:INFO acked' "$boot" || break
		case $boot in 2 | 4)
			l2_bg_wait "^RIG:INFO reset-me $boot\$" 1 120 &&
				l2_monitor system_reset || break
			;;
		esac
	done
	l2_bg_wait '^RIG:END' 1 120 || kill -KILL "$l2_pid" 2>/dev/null
	wait "$l2_pid" 2>/dev/null
	kill $sampler 2>/dev/null
	wait $sampler 2>/dev/null
	tr -d '\r' </tmp/l2-reboot.log | tap_import "L2: " "$TAP_MARK"
	diag "QEMU trace: $(sed 's/ .*//' /tmp/l2-reboot.trace | sort | uniq -c | xargs)"
	check "L2 booted $REBOOT_BOOTS times ($(grep -c '^RIG:INFO boot-state' /tmp/l2-reboot.log) boot states)" \
		[ "$(grep -c '^RIG:INFO boot-state' /tmp/l2-reboot.log)" = "$REBOOT_BOOTS" ]
	check "QEMU reset the kernel's state at each reboot (trace: $(grep -c '^virtio_iommu_vhost_reset' /tmp/l2-reboot.trace) resets)" \
		[ "$(grep -c '^virtio_iommu_vhost_reset' /tmp/l2-reboot.trace)" -ge $((REBOOT_BOOTS - 1)) ]
	check "L2's writes of config.bypass = 0 reached the kernel ($(grep -c '^virtio_iommu_vhost_set_bypass bypass=0' /tmp/l2-reboot.trace))" \
		[ "$(grep -c '^virtio_iommu_vhost_set_bypass bypass=0' /tmp/l2-reboot.trace)" -ge "$REBOOT_BOOTS" ]
	check "the kernel handled L2's MAPs ($(_chain_vstat requests.map))" [ "$(_chain_vstat requests.map)" -ge 100 ]
	check "no vhost-iommu device left after L2 powered off" \
		[ -z "$(ls /sys/kernel/debug/vhost-iommu 2>/dev/null)" ]
	check "no WARN or BUG in L1's kernel log" sh -c '! dmesg | grep -E "WARNING: CPU|BUG:|Oops:"'
}

# One boot of L2.  The TAP count and verdict go on across boots: they are in
# the record on the disk, with the boot's number and its data's md5.
on_l2() {
	local dev=/dev/nvme0n1 edu vio rec boot=0 md5= points=0 failed=0 got
	edu=$(pci_find 1234:11e8)
	vio=$(pci_find 1af4:1057)
	# Before any IOMMU driver: edu is unattached, config.bypass is boot-bypass.
	edu_raw "$edu" lands >/tmp/boot.tap 2>&1
	exec 3</dev/ttyS1
	echo "RIG:INFO boot-state"
	read -r _ <&3
	echo "RIG:INFO acked"
	# A driver that has negotiated BYPASS_CONFIG, but not set DRIVER_OK yet,
	# writes config.bypass = 0: edu is blocked at once.  (virtio_pci, which
	# holds the function with no virtio driver yet, lets it go meanwhile.)
	echo "$vio" >/sys/bus/pci/drivers/virtio-pci/unbind
	if virtio_bypass --negotiate "$vio" 0 >/tmp/bypass.log 2>&1; then
		edu_raw "$edu" blocked >/tmp/negotiated.tap 2>&1
	else
		printf 'not ok 1 - virtio_bypass --negotiate %s 0\n1..1\n' "$vio" >/tmp/negotiated.tap
	fi
	echo "$vio" >/sys/bus/pci/drivers/virtio-pci/bind

	modprobe virtio_iommu && modprobe virtio_pci && modprobe nvme
	nvme_wait $dev || exit 1
	# The points so far go on from 1: add the boots before to them.
	rec=$(dd if=$dev bs=4k skip=$((REBOOT_REC_MIB * 256)) count=1 iflag=direct 2>/dev/null |
		tr -d '\0' | sed -n 's/^pviommu-reboot \(boot=[0-9]* md5=[0-9a-f]* points=[0-9]* failed=[01]\)$/\1/p')
	[ -z "$rec" ] || eval "$rec"
	echo $((points + $(tap_count))) >"$TAP_STATE/count"
	[ "$failed" = 0 ] || : >"$TAP_STATE/failed"
	boot=$((boot + 1))
	tap_import "boot $boot, unattached, config.bypass back at 1: " <"/tmp/boot.tap"
	while IFS= read -r got; do diag "$got"; done </tmp/bypass.log
	tap_import "boot $boot, unattached, config.bypass = 0 before DRIVER_OK: " <"/tmp/negotiated.tap"
	if [ -n "$md5" ]; then
		got=$(dd if=$dev bs=1M skip=$REBOOT_DATA_MIB count=$REBOOT_DATA_SZ iflag=direct 2>/dev/null |
			md5sum | cut -d' ' -f1)
		check "boot $boot: what boot $((boot - 1)) wrote reads back (md5 $got)" [ "$got" = "$md5" ]
	fi
	nvme_write_check $dev $REBOOT_DATA_MIB $REBOOT_DATA_SZ
	md5=$(md5sum </tmp/pattern | cut -d' ' -f1)
	check "boot $boot: the driver writes config.bypass = 0" \
		sh -c "virtio_bypass '$vio' 0 >/tmp/bypass.log 2>&1"
	while IFS= read -r got; do diag "$got"; done </tmp/bypass.log
	[ "$boot" -lt "$REBOOT_BOOTS" ] || return 0

	check "boot $boot: no WARN or BUG in L2's kernel log" eval '! dmesg | grep -qE "$RIG_KERNEL_ERRORS"' ||
		dmesg | grep -E -A3 "$RIG_KERNEL_ERRORS" | head -n 12 | while IFS= read -r got; do diag "$got"; done
	printf 'pviommu-reboot boot=%s md5=%s points=%s failed=%s\n' "$boot" "$md5" "$(tap_count)" \
		"$(if tap_failed; then echo 1; else echo 0; fi)" |
		dd of=$dev bs=4k seek=$((REBOOT_REC_MIB * 256)) conv=sync,fsync oflag=direct 2>/dev/null
	case $boot in
	2 | 4)
		echo "RIG:INFO reset-me $boot"
		sleep 600
		;;
	*) reboot -f ;;
	esac
}
