# shellcheck shell=dash
# Helpers for the scenarios in the VMs (busybox sh), sourced by /init before
# the scenario (tests/rig/init) as /tests/lib/lib.sh, with the other files of
# this directory.  /init has set TAP_STATE and the RIG_* variables.
# RIG_ROOT (default /rig) is where the image keeps tap.sh and l2/, and
# RIG_SCENARIO_DIR (default /tests) where it keeps the scenarios; bench/run.sh
# --l1 native points them at a staging directory and the checkout.

: "${RIG_ROOT:=/rig}" "${RIG_SCENARIO_DIR:=/tests}"
. "$RIG_ROOT/tap.sh"
. "$RIG_SCENARIO_DIR/lib/chain.sh"
. "$RIG_SCENARIO_DIR/lib/debug.sh"

# Seconds since this VM's kernel started, e.g. "12.34".
uptime_s() { cut -d' ' -f1 /proc/uptime; }

# since T0: seconds elapsed since uptime T0, one decimal.
since() { awk -v t0="$1" -v t1="$(uptime_s)" 'BEGIN { printf "%.1f", t1 - t0 }'; }

# pci_find VENDOR:DEVICE (hex, e.g. 1234:11e8): the matching PCI functions'
# addresses, one a line.  Never assume a slot: they move with the device list.
# pci_rid BDF: the requester ID of PCI function BDF (0000:01:00.0 -> 0x0100).
pci_rid() {
	local b=${1#*:} d f
	d=${b#*:}
	f=${d#*.}
	printf '%#06x\n' $(((0x${b%%:*} << 8) | (0x${d%.*} << 3) | f))
}

# pci_dma_rid BDF: the requester ID that BDF's DMA carries: its own, or
# behind a PCIe-to-PCI bridge (a PCIe capability of type 7) that bridge's
# secondary bus with devfn 0, as QEMU and pci_for_each_dma_alias() alias it.
pci_dma_rid() {
	local up
	up=$(basename "$(readlink -f "/sys/bus/pci/devices/$1/..")")
	if [ -e "/sys/bus/pci/devices/$up/secondary_bus_number" ] && [ "$(_pcie_type "$up")" = 7 ]; then
		printf '%#06x\n' $(($(cat "/sys/bus/pci/devices/$up/secondary_bus_number") << 8))
	else
		pci_rid "$1"
	fi
}

# _pcie_type BDF: the device/port type of BDF's PCIe capability, or nothing.
_pcie_type() {
	local cfg=/sys/bus/pci/devices/$1/config pos hops=0
	pos=$(od -An -tu1 -j52 -N1 "$cfg" | tr -d ' ')
	while [ "${pos:-0}" -ne 0 ] && [ $hops -lt 48 ]; do
		if [ "$(od -An -tu1 -j"$pos" -N1 "$cfg" | tr -d ' ')" = 16 ]; then
			echo $((($(od -An -tu1 -j$((pos + 2)) -N1 "$cfg" | tr -d ' ') >> 4) & 15))
			return
		fi
		pos=$(od -An -tu1 -j$((pos + 1)) -N1 "$cfg" | tr -d ' ')
		hops=$((hops + 1))
	done
}

pci_find() {
	local d
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor"):$(cat "$d/device")" = "0x${1%:*}:0x${1#*:}" ] &&
			echo "${d##*/}"
	done
}

# vfio_bind BDF: hand a PCI function to vfio-pci (type1 loaded too).
vfio_bind() {
	local d=/sys/bus/pci/devices/$1
	modprobe vfio_iommu_type1 && modprobe vfio-pci || return 1
	echo vfio-pci >"$d/driver_override"
	[ ! -e "$d/driver" ] || echo "$1" >"$d/driver/unbind"
	echo "$1" >/sys/bus/pci/drivers_probe
	[ "$(basename "$(readlink "$d/driver")")" = vfio-pci ]
}

# pviommu_stat NAME: one of pviommu.ko's debugfs counters.
pviommu_stat() { sed -n "s/^$1 //p" /sys/kernel/debug/pviommu/stats; }

# pviommu_load: a test point that pviommu.ko, then the virtio transport, loaded.
pviommu_load() { check "modprobe pviommu, then virtio_pci" eval 'modprobe pviommu && modprobe virtio_pci'; }

# vhost_stat NAME: a counter of the (only) live vhost-iommu device, empty if none.
vhost_stat() { sed -n "s/^$1 //p" /sys/kernel/debug/vhost-iommu/*/stats 2>/dev/null | head -n1; }

# vhost_attached FILE...: how many endpoints in vhost-iommu "endpoints" files
# (debugfs', or vhost_stats_sampler's copy) are attached to a domain.
vhost_attached() { awk '$5 != "-"' "$@" 2>/dev/null | wc -l; }

# vhost_state PID KEY...: "KEY VALUE" for each KEY, on one line: a counter
# of the (only) live vhost-iommu device, "attached" (its endpoints attached
# to a domain) or "VmLck" (the locked memory of process PID, L2's QEMU).
vhost_state() {
	local pid=$1 key val sep=
	shift
	for key; do
		case $key in
		attached) val=$(vhost_attached /sys/kernel/debug/vhost-iommu/*/endpoints) ;;
		VmLck) val=$(sed -n 's/^VmLck:[[:space:]]*//p' /proc/"$pid"/status 2>/dev/null) ;;
		*) val=$(vhost_stat "$key") ;;
		esac
		printf '%s%s %s' "$sep" "$key" "$val"
		sep=' '
	done
}

# l2_kvm_ready: a test point that KVM is loaded, with nested paging, for L2.
l2_kvm_ready() {
	check "KVM with nested paging (npt or ept) for L2" eval \
		'{ [ -c /dev/kvm ] || modprobe kvm_amd 2>/dev/null || modprobe kvm_intel; } && [ -c /dev/kvm ] &&
		 grep -qx Y /sys/module/kvm_amd/parameters/npt /sys/module/kvm_intel/parameters/ept 2>/dev/null'
}

# _l2_cmdline SCENARIO: L2's kernel command line (rig_l2_cmdline).
_l2_cmdline() { rig_l2_cmdline "$1" "$RIG_L2_TIMEOUT" "${L2_APPEND:-}"; }

# _l2_guest: set l2_kernel and l2_initrd to what L2 boots: L1's own kernel
# (/rig/l2), or the one the scenario declared with "l2-kernel"
# (/rig/l2-kernel).
_l2_guest() {
	local dir=$RIG_ROOT/l2
	l2_kernel=$RIG_ROOT/l2/vmlinux
	if [ -d "$RIG_ROOT/l2-kernel" ]; then
		dir=$RIG_ROOT/l2-kernel l2_kernel=$RIG_ROOT/l2-kernel/kernel
	fi
	l2_initrd=/tmp/l2-initrd.cpio
	[ -f $l2_initrd ] || cat "$dir/base.cpio" "$dir/payload.cpio" >$l2_initrd
}

# l2_bg_start LOG SCENARIO [QEMU ARGS...]: start L2 in the background under
# the patched QEMU, running SCENARIO's on_l2, its serial console in LOG and its
# stderr in LOG.qemu, its monitor on the FIFOs /tmp/mon.in and /tmp/mon.out
# (replies collected in /tmp/mon.log).  l2_pid is its QEMU's pid.  With
# L2_REBOOT=1 a reset reboots L2 instead of ending its QEMU, and L2's second
# serial port (ttyS1) reads what l2_bg_say writes.
l2_bg_start() {
	local log=$1 name=$2 noreboot=-no-reboot ctl=
	shift 2
	_l2_guest
	rm -f /tmp/mon.in /tmp/mon.out
	mkfifo /tmp/mon.in /tmp/mon.out
	if [ "${L2_REBOOT:-0}" = 1 ]; then
		noreboot=
		rm -f /tmp/l2ctl.in /tmp/l2ctl.out
		mkfifo /tmp/l2ctl.in /tmp/l2ctl.out
		ctl="-chardev pipe,id=ctl,path=/tmp/l2ctl -device isa-serial,chardev=ctl"
	fi
	l2_bg_log=$log
	# shellcheck disable=SC2086 # noreboot and ctl are words or none
	/usr/bin/qemu-pviommu -L /usr/share/qemu -L /usr/share/seabios \
		-accel kvm -M "${L2_MACHINE:-pc}" -cpu "$RIG_L2_CPU" -m "${L2_MEM:-256}" -nodefaults -display none \
		-serial "file:$log" $noreboot $ctl -monitor pipe:/tmp/mon \
		-kernel "$l2_kernel" -initrd "$l2_initrd" \
		-append "$(_l2_cmdline "$name")" \
		"$@" </dev/null >"$log.qemu" 2>&1 &
	l2_pid=$!
	cat /tmp/mon.out >/tmp/mon.log &
	cat /tmp/l2ctl.out >/dev/null 2>&1 &
}

# l2_bg_wait PATTERN N SEC: wait until the background L2's console has N
# lines matching PATTERN (grep -E), SEC seconds at most.  Fails at once if
# its QEMU is gone, and with a failed test point after SEC.
l2_bg_wait() {
	local i=0
	while [ "$(tr -d '\r' 2>/dev/null <"$l2_bg_log" | grep -cE "$1")" -lt "$2" ]; do
		l2_bg_gone && return 1
		if [ $i -ge $(($3 * 10)) ]; then
			not_ok "L2 printed '$1' $2 times within $3 s"
			tr -d '\r' <"$l2_bg_log" | tail -n 20 | while IFS= read -r i; do diag "L2| $i"; done
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
}

# l2_bg_say LINE PATTERN N: write LINE to L2's ttyS1 (L2_REBOOT=1) every
# second until its console has N lines matching PATTERN (60 s at most): L2
# may not be reading yet, and a UART drops what came before its port opened.
l2_bg_say() {
	local i=0
	while [ "$(tr -d '\r' 2>/dev/null <"$l2_bg_log" | grep -cE "$2")" -lt "$3" ]; do
		l2_bg_gone && return 1
		if [ $i -ge 600 ]; then
			not_ok "L2 did not take '$1' on its ttyS1 within 60 s"
			return 1
		fi
		[ $((i % 10)) != 0 ] || echo "$1" >/tmp/l2ctl.in
		sleep 0.1
		i=$((i + 1))
	done
}

# l2_bg_gone: true once the background L2's QEMU has exited, after a failed
# test point that says how it ended, with its stderr and the tail of L2's
# console; false while it runs.  Nothing waits on a VMM that is gone.
l2_bg_gone() {
	local rc line
	kill -0 "$l2_pid" 2>/dev/null && return 1
	wait "$l2_pid"
	rc=$?
	not_ok "L2's QEMU (pid $l2_pid) ended on its own, with $(exit_desc $rc)"
	_l2_qemu_stderr "$l2_bg_log"
	tr -d '\r' <"$l2_bg_log" | tail -n 20 | while IFS= read -r line; do diag "L2| $line"; done
	return 0
}

# _l2_qemu_stderr LOG: the last lines that L2's QEMU wrote to its stderr
# (LOG.qemu), as diagnostics.
_l2_qemu_stderr() {
	local line
	tail -n 20 "$1.qemu" 2>/dev/null | while IFS= read -r line; do diag "L2's QEMU| $line"; done
}

# l2_monitor CMD: one command to the background L2's monitor.  Fails at once
# if its QEMU is gone, and after 5 s if the monitor does not take it.
l2_monitor() {
	l2_bg_gone && return 1
	timeout 5 sh -c 'echo "$1" >/tmp/mon.in' sh "$1" && return 0
	not_ok "L2's monitor did not take '$1' within 5 s"
	return 1
}

# l2_bg_midio MAPS: wait (90 s at most) until the background L2 printed
# IO-LOOP and vhost-iommu has handled MAPS MAPs; a test point says so, and
# another that L2 checked its O_DIRECT write before the loop
# (l2_chain_kill's on_l2).  Fails at once if L2's QEMU is gone.
l2_bg_midio() {
	local i=0
	while [ $i -lt 900 ]; do
		grep -q 'IO-LOOP' "$l2_bg_log" 2>/dev/null &&
			[ "$(vhost_stat requests.map)" -ge "$1" ] 2>/dev/null && break
		l2_bg_gone && return 1
		sleep 0.1
		i=$((i + 1))
	done
	check "L2 is in mid-I/O: $(vhost_stat requests.map) MAPs handled, $(vhost_stat pinned_pages) pages pinned, QEMU VmLck $(sed -n 's/^VmLck:[[:space:]]*//p' /proc/"$l2_pid"/status 2>/dev/null)" \
		[ "$(vhost_stat requests.map)" -ge "$1" ] 2>/dev/null &&
		check "L2 checked its O_DIRECT write through the kernel path before the loop" \
			grep -q '^RIG:TAP ok .*read back (O_DIRECT) md5' "$l2_bg_log"
}

# l2_bg_kill: SIGKILL to the background L2's QEMU in mid-I/O; then the
# vhost-iommu device and its pins must be gone.
l2_bg_kill() {
	local i=0
	check "SIGKILL to L2's QEMU (pid $l2_pid)" kill -KILL "$l2_pid" || return 1
	wait "$l2_pid" 2>/dev/null
	while [ -n "$(ls /sys/kernel/debug/vhost-iommu 2>/dev/null)" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	check "vhost-iommu debugfs: no device left (nothing pinned)" \
		[ -z "$(ls /sys/kernel/debug/vhost-iommu 2>/dev/null)" ]
}

# blk_wait DEV: wait (30 s at most) for the block device DEV to appear.
blk_wait() {
	local i=0
	while [ ! -b "$1" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	[ -b "$1" ]
}

# nvme_wait DEV: blk_wait, and a test point that DEV appeared.
nvme_wait() {
	blk_wait "$1"
	check "$1 appeared" [ -b "$1" ]
}

# nvme_is_rig_disk: a test point that nvme0 is the rig's disk.
nvme_is_rig_disk() {
	local serial
	read -r serial </sys/class/nvme/nvme0/serial # space-padded; read trims it
	check "it is the rig's disk (serial ${serial:-none})" [ "$serial" = pviommu0 ]
}

# nvme_write_check DEV OFFSET_MIB SIZE_MIB: write SIZE_MIB MiB of random data
# at OFFSET_MIB with O_DIRECT, read them back with O_DIRECT and compare; the
# md5 goes to the host hook as the fact nvme_md5.
nvme_write_check() {
	local want got
	head -c $(($3 << 20)) /dev/urandom >/tmp/pattern
	want=$(md5sum </tmp/pattern | cut -d' ' -f1)
	check "wrote $3 MiB at $2 MiB (O_DIRECT)" \
		dd if=/tmp/pattern of="$1" bs=1M seek="$2" count="$3" oflag=direct conv=fsync 2>/dev/null
	got=$(dd if="$1" bs=1M skip="$2" count="$3" iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
	check "read back (O_DIRECT) md5 $got matches the written $want" [ "$got" = "$want" ]
	fact nvme_md5 "$want"
}

# vhost_stats_sampler FILE: keep FILE a copy of the last vhost-iommu device's
# debugfs counters, forever (run it in the background while L2 runs: the
# directory lives only as long as QEMU holds the device).  The copy is the
# last sample before the device went away (the device removes its debugfs
# directory first when it is closed, so that sample still has all its
# mappings and pins), plus one line of its own, "max.pinned_pages N": the
# largest pinned_pages of any sample since FILE was created (a gauge that
# the last sample alone would miss).  A sample that could not be read (the
# device going away) is dropped.  FILE.endpoints is the same for the
# device's endpoints (ID, group, domain, ATTACHes: docs/uapi.md).
vhost_stats_sampler() {
	local f prev
	while :; do
		for f in /sys/kernel/debug/vhost-iommu/*/stats; do
			[ -f "$f" ] || continue
			prev=$1
			[ -f "$prev" ] || prev=/dev/null
			awk 'FILENAME == ARGV[1] { if ($1 == "max.pinned_pages") m = $2 + 0; next }
			     { n++; print }
			     $1 == "pinned_pages" && $2 + 0 > m { m = $2 + 0 }
			     END { if (!n) exit 1; print "max.pinned_pages", m + 0 }' \
				"$prev" "$f" >"$1.new" 2>/dev/null && mv "$1.new" "$1"
			cat "${f%/stats}/endpoints" >"$1.endpoints.new" 2>/dev/null &&
				[ -s "$1.endpoints.new" ] && mv "$1.endpoints.new" "$1.endpoints"
		done
		sleep 0.2
	done
}

# vhost_kthread_cpu_sampler FILE: keep in FILE the CPU time (user + system,
# in clock ticks of 1/100 s) that the vhost worker kthreads ("vhost-PID") of
# a kernel before 6.4 used, their sum as last seen; forever, in the
# background like vhost_stats_sampler.  From 6.4 the worker is a thread of
# the process that owns the device and counts in that process's time: the
# sampler writes 0 and ends.  Only the workers of a process that holds
# /dev/vhost-iommu open count; /proc is scanned until they are found.
vhost_kthread_cpu_sampler() {
	local out=$1 v maj k c pid line sum last=0
	echo 0 >"$out"
	v=$(uname -r)
	maj=${v%%.*}
	v=${v#*.}
	[ "$maj" -lt 6 ] || { [ "$maj" = 6 ] && [ "${v%%[!0-9]*}" -lt 4 ]; } || return 0
	k=
	while :; do
		set -- /sys/kernel/debug/vhost-iommu/*/stats
		if [ -z "$k" ] && [ -f "$1" ]; then
			# shellcheck disable=SC2013 # file names, one word each
			for c in $(grep -lx 'vhost-[0-9]*' /proc/[0-9]*/comm 2>/dev/null); do
				# vhost-N, a worker of process N; only the workers of a
				# process that holds /dev/vhost-iommu open (not vhost-net's)
				read -r line 2>/dev/null <"$c" || continue
				# shellcheck disable=SC2010 # it greps the links' targets
				ls -l "/proc/${line#vhost-}/fd" 2>/dev/null | grep -q ' /dev/vhost-iommu$' &&
					pid=${c#/proc/} && k="$k ${pid%/comm}"
			done
		fi
		sum=0
		for pid in $k; do
			# "pid (comm) state ppid ...": utime and stime are fields 14 and 15
			# (the comm "vhost-N" has no space)
			read -r line 2>/dev/null <"/proc/$pid/stat" || continue
			# shellcheck disable=SC2086 # split into the fields
			set -- $line
			shift 13
			sum=$((sum + $1 + $2))
		done
		# A worker that has gone takes its time with it: keep the largest sum.
		[ "$sum" -le "$last" ] || { last=$sum && echo "$last" >"$out"; }
		sleep 0.2
	done
}

# exit_desc STATUS: "exit status N", or "signal S (NAME)" for a status above 128.
exit_desc() {
	if [ "$1" -gt 128 ] 2>/dev/null; then
		echo "signal $(($1 - 128)) ($(kill -l $(($1 - 128)) 2>/dev/null))"
	else
		echo "exit status $1"
	fi
}

# Limit of one L2 attempt, in seconds (rig_l2_timeout= on the L1 command line).
: "${RIG_L2_TIMEOUT:=120}"
# L2's CPU model (rig_l2_cpu=).  Without -xsave, the L2 kernel warns at boot
# ("XSAVE consistency problem: size 832 != kernel_size 576"): the XSAVE sizes
# that KVM-on-TCG reports do not add up.
: "${RIG_L2_CPU:=host,-xsave}"

# l2_run SCENARIO [QEMU ARGS...]: boot L2 under KVM on the rig's kernel and
# initramfs, run SCENARIO's on_l2 there, and fold its TAP into this stream,
# each point prefixed "L2: ".  L2_APPEND, if set, is added to L2's kernel
# command line.  L2's console is shown live as "L2| " lines and kept in
# /tmp/l2-NAME-ATTEMPT.log.
#
# L2_QEMU (default qemu-system-x86_64) and L2_MACHINE (default pc) choose
# the inner QEMU and its machine; L1 carries one QEMU, the patched one of
# vmm/qemu once it is built, under both names (qemu-pviommu too).  L2 boots what _l2_guest
# says; L2_MEM is its memory (MiB).
#
# L2's script gets 3/4 of the attempt's limit, so that a script that hangs is
# still reported by L2's /init.  A nested run on TCG can hang with no output
# (about 1 in 16 runs on this machine kind), or reset without a word, before
# its kernel printed anything or in the middle of the test (QEMU exits 0 under
# -no-reboot, and L2's console has no panic, oops or BUG).  An attempt killed
# at its limit before L2 printed RIG:END, or that ended in such a silent
# reset, is retried once (RIG_RETRIES, rig_retries= on L1's command line: 0
# makes it fail at once, as the soak does); a reset that L2's kernel explains
# is not.  Each retry is reported as a diagnostic and as a fact l2_retry=1,
# which the host runner counts.  An L2 that ends without RIG:END is reported
# with its QEMU's exit status or signal.  QEMU's stderr is kept apart, in
# LOG.qemu, and shown as "L2's QEMU| " diagnostics: on the console's stream its
# warnings would land in the middle of L2's lines and break them.
#
# The CPU time the attempt's QEMU used (every thread of it) is in
# /tmp/l2.times, the times of the subshell that waited for it: l2_qemu_cpu_s.
l2_run() {
	local name=$1 attempt=1 log rc t0 cmdline
	shift
	l2_kvm_ready || return 1
	_l2_guest
	cmdline=$(_l2_cmdline "$name")
	# L2_BOOT=disk: the firmware boots L2 from its disk (a "disk boot" scenario).
	[ "${L2_BOOT:-kernel}" = disk ] ||
		set -- -kernel "$l2_kernel" -initrd "$l2_initrd" -append "$cmdline" "$@"
	while :; do
		log=/tmp/l2-$name-$attempt.log
		: >"$log"
		diag "starting L2 for $name (attempt $attempt, limit ${RIG_L2_TIMEOUT}s)"
		t0=$(uptime_s)
		# QEMU (or busybox's timeout, which execs it, or coreutils', which
		# waits for it) is this subshell's only child: the children's line of
		# its times is QEMU's CPU time.
		{
			timeout -s KILL "$RIG_L2_TIMEOUT" "${L2_QEMU:-qemu-system-x86_64}" \
				-accel kvm -M "${L2_MACHINE:-pc}" -cpu "$RIG_L2_CPU" -m "${L2_MEM:-256}" -nodefaults -display none \
				-serial stdio -no-reboot \
				"$@" </dev/null 2>"$log.qemu"
			echo $? >/tmp/l2.rc
			times >/tmp/l2.times
		} | _l2_console "$log" "$t0"
		rc=$(cat /tmp/l2.rc)
		_l2_qemu_stderr "$log"
		grep -q '^RIG:END' "$log" && break
		diag "L2's QEMU ended with $(exit_desc "$rc") before RIG:END; the tail of its console:"
		tail -n 8 "$log" | while IFS= read -r line; do diag "  L2| $line"; done
		[ "$attempt" -le "${RIG_RETRIES:-1}" ] || break
		if [ "$rc" -eq 137 ]; then
			diag "RETRY: L2 attempt 1 hung (killed after ${RIG_L2_TIMEOUT}s without RIG:END); retrying once"
		elif ! grep -q '^RIG:INFO level 2 reached /init' "$log"; then
			diag "RETRY: L2 attempt 1 ended (QEMU status $rc) before its kernel reached /init; retrying once"
		elif [ "$rc" -eq 0 ] && ! grep -v '^RIG:' "$log" | grep -qE "$RIG_KERNEL_ERRORS"; then
			diag "RETRY: L2 attempt 1 reset silently in the middle of its test (QEMU status 0, no kernel error on its console); retrying once"
		else
			break
		fi
		fact l2_retry 1
		attempt=2
	done
	fact l2_wall_s "$(since "$t0")"
	if grep -q '^RIG:END' "$log"; then
		ok "L2 ran to its end (attempt $attempt)"
	elif [ "$rc" -eq 137 ]; then
		not_ok "L2 hung: killed after ${RIG_L2_TIMEOUT}s without RIG:END (attempt $attempt)"
	else
		not_ok "L2 stopped early: QEMU exit status $rc without RIG:END (attempt $attempt)"
	fi
	tap_import "L2: " "$TAP_MARK" <"$log"
}

# l2_qemu_cpu_s: the user + system CPU seconds that the last l2_run
# attempt's QEMU used, all its threads (from 6.4 the vhost workers too),
# e.g. "41.27"; empty if unknown.  /tmp/l2.times is the output of the shell's
# times builtin: "0m0.01s 0m0.02s" (the shell), then the same for its
# children.
l2_qemu_cpu_s() {
	sed -n 2p /tmp/l2.times 2>/dev/null | awk '
		function sec(t) { split(t, a, "m"); sub(/s$/, "", a[2]); return a[1] * 60 + a[2] }
		NF == 2 { printf "%.2f", sec($1) + sec($2) }'
}

# Copy L2's console to LOG (without CRs) and to stdout as "L2| " lines; note
# how long after T0 (this VM's uptime when QEMU started) L2 reached /init.
_l2_console() {
	local line
	while IFS= read -r line; do
		line=${line%"$CR"}
		echo "$line" >>"$1"
		echo "L2| $line"
		case $line in "RIG:INFO level 2 reached /init"*) fact l2_boot_s "$(since "$2")" ;; esac
	done
}
