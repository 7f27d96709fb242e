# shellcheck shell=dash
# Detector checks for the debug flavour of the rig kernel (the scenarios'
# "debug" variants, make check-debug), sourced by lib.sh.  On a kernel without
# the detectors (Debian's) the kmemleak part is skipped with a diagnostic and
# the log and FOLL_PIN checks still run.
#
#   debug_begin        mount debugfs, forget boot-time kmemleak reports, note
#                      the FOLL_PIN balance
#   debug_leaks WHAT   kmemleak scan now; fails on any report whose backtrace
#                      names our modules or the vhost/vfio/iommu code they use
#   debug_log_check [WHAT]  the kernel log has no detector report
#   debug_core_warns WHAT MAX  only the IOMMU core's WARNs on a failed
#                      recovery attach since the log was last cleared (at
#                      most MAX), then clear the log
#   debug_guest_end WHAT  the end of a pviommu.ko suite: the virtio-iommu
#                      device driven by pviommu, debug_leaks WHAT, debug_end
#   debug_end          the kernel log: no KASAN, lockdep, sleeping-in-atomic,
#                      list-corruption, kmemleak or UBSAN report; lockdep still
#                      on; FOLL_PIN balance back to its baseline

KMEMLEAK=/sys/kernel/debug/kmemleak
# What a detector prints.  (/init's RIG_KERNEL_ERRORS catches BUG:/WARNING: CPU:
# and Call Trace:; lockdep's reports start with "WARNING: possible ..." etc.)
DEBUG_REPORTS='BUG: KASAN|BUG: sleeping function|BUG: scheduling while atomic|WARNING: possible|WARNING: inconsistent lock|WARNING: suspicious RCU|WARNING: bad unlock|WARNING: held lock|WARNING: lock held|WARNING: bad contention|WARNING: circular|DEBUG_LOCKS_WARN_ON|list_add corruption|list_del corruption|kmemleak: .*suspected|UBSAN:|INFO: task .* blocked|'"$RIG_KERNEL_ERRORS"
# Whose leaks count: ours, and what our modules allocate through.
DEBUG_OURS='vhost_iommu|pviommu|vhost_|vfio_|iommu|viommu'

# Pinned pages system-wide (FOLL_PIN acquired - released), per-cpu deltas
# folded first (without stat_refresh /proc/vmstat lags by up to a second).
foll_pins() {
	echo 1 >/proc/sys/vm/stat_refresh 2>/dev/null
	awk '/^nr_foll_pin_acquired/ { a = $2 } /^nr_foll_pin_released/ { r = $2 }
	     END { print a - r }' /proc/vmstat
}

debug_begin() {
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	DEBUG_PINS0=$(foll_pins)
	if [ -e $KMEMLEAK ]; then
		DEBUG_KERNEL=1
		# Boot-time objects are not ours: report only what comes later.
		echo clear >$KMEMLEAK
		diag "debug kernel $(uname -r): kmemleak on, boot reports cleared; lockdep $(
			grep -c . /proc/lockdep 2>/dev/null) classes; FOLL_PIN balance $DEBUG_PINS0"
	else
		DEBUG_KERNEL=0
		diag "kernel $(uname -r) has no kmemleak: leak checks skipped"
	fi
}

# debug_leaks WHAT: scan and check; the leaks are kept in /tmp/kmemleak.N.
debug_leaks() {
	local f n ours
	[ "$DEBUG_KERNEL" = 1 ] || return 0
	DEBUG_SCANS=$((${DEBUG_SCANS:-0} + 1))
	f=/tmp/kmemleak.$DEBUG_SCANS
	# Objects younger than 5 s are not reported yet, nor objects whose
	# checksum changed since the last scan, which the first scan after
	# their allocation always sees: two scans (scripts/detector-proof.sh
	# saw a leak escape a single one).
	sleep 5
	echo scan >$KMEMLEAK
	echo scan >$KMEMLEAK
	cat $KMEMLEAK >"$f"
	n=$(grep -c '^unreferenced object' "$f")
	# One report is "unreferenced object ..." up to the next one.
	ours=$(awk -v re="$DEBUG_OURS" '
		/^unreferenced object/ { if (obj != "" && hit) n++; obj = $0; hit = 0; next }
		$0 ~ re { hit = 1 }
		END { if (obj != "" && hit) n++; print n + 0 }' "$f")
	fact "kmemleak_${DEBUG_SCANS}_total" "$n"
	check "kmemleak after $1: no leak of ours ($ours of $n reports name vhost/vfio/iommu code)" \
		[ "$ours" -eq 0 ] || head -n 60 "$f" | while IFS= read -r l; do diag "$l"; done
	[ "$n" -eq 0 ] || [ "$ours" -ne 0 ] ||
		head -n 20 "$f" | while IFS= read -r l; do diag "other kmemleak report: $l"; done
	echo clear >$KMEMLEAK
}

# debug_log_check [WHAT]: no detector report in the kernel log (since boot or
# the last debug_core_warns).
debug_log_check() {
	check "kernel log${1:+ $1}: no KASAN, lockdep, sleeping-in-atomic, list, kmemleak or UBSAN report" \
		eval '! dmesg | grep -qE "$DEBUG_REPORTS"' ||
		dmesg | grep -E -A 30 "$DEBUG_REPORTS" | head -n 80 |
		while IFS= read -r l; do diag "$l"; done
}

# What the IOMMU core WARNs when a driver fails an attach that the core takes
# to be infallible: putting a group back on its blocking/default domain, or
# back on its old domain after a failed move (drivers/iommu/iommu.c, 6.1).
# Injected allocation failures inside intel-iommu's attach make them; the
# group is then stuck, which vhost-iommu answers with DEVERR.
DEBUG_CORE_ATTACH_WARNS='iommu driver failed to attach the default/blocking domain|iommu driver failed to attach a compatible domain'

# debug_core_warns WHAT MAX: the kernel log (cleared before WHAT) holds at
# most MAX core WARNs of DEBUG_CORE_ATTACH_WARNS, every WARN and call trace in
# it is one of them, and it has no other detector report.  Then the log is
# cleared, so that debug_end and /init judge what follows.
debug_core_warns() {
	local max=$2 warns explained traces other
	warns=$(dmesg | grep -c 'WARNING: CPU:')
	explained=$(dmesg | grep -cE "$DEBUG_CORE_ATTACH_WARNS")
	traces=$(dmesg | grep -c 'Call Trace:')
	other=$(dmesg | grep -E "$DEBUG_REPORTS" | grep -vE 'WARNING: CPU: .* at drivers/iommu/iommu\.c:|Call Trace:')
	diag "kernel log after $1: $warns WARNs, $explained of them the core's on a failed recovery attach, $traces call traces"
	if check "kernel log after $1: only the core's WARNs on a failed recovery attach ($explained, at most $max = DEVERR answers), no other report" \
		eval '[ "$warns" = "$explained" ] && [ "$traces" = "$warns" ] &&
		      [ "$explained" -le "$max" ] && [ -z "$other" ]'; then
		dmesg -c >/dev/null
	else
		dmesg | grep -E -B 2 -A 30 "$DEBUG_REPORTS" | head -n 80 |
			while IFS= read -r l; do diag "$l"; done
	fi
}

# debug_guest_end WHAT: the end of a pviommu.ko suite (L1 as a guest of
# QEMU's virtio-iommu-pci).  The debug kernel has CONFIG_VIRTIO_IOMMU=m and so
# ACPI VIOT: endpoints wait for an IOMMU driver, and the in-tree virtio_iommu
# matches the same device.  The rig's images do not carry virtio_iommu.ko and
# nothing loads it; the device must end up with pviommu (docs/guest.md, "The
# in-tree driver").
debug_guest_end() {
	local drv d
	for d in /sys/bus/virtio/devices/*; do
		[ "$(cat "$d/device")" = 0x0017 ] && drv=$(basename "$(readlink "$d/driver")")
	done
	check "the virtio-iommu device is driven by pviommu (driver: ${drv:-none}), virtio_iommu not loaded" \
		eval '[ "$drv" = pviommu ] && [ ! -d /sys/module/virtio_iommu ]'
	debug_leaks "$1"
	debug_end
}

debug_end() {
	local p
	debug_log_check
	if [ "$DEBUG_KERNEL" = 1 ] && [ -r /proc/lockdep_stats ]; then
		check "lockdep still on (debug_locks 1: no earlier report turned it off)" \
			grep -qE 'debug_locks: +1' /proc/lockdep_stats
	fi
	p=$(foll_pins)
	check "FOLL_PIN balance back to its baseline ($p, was $DEBUG_PINS0)" [ "$p" = "$DEBUG_PINS0" ]
}
