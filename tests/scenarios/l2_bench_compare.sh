#!/bin/sh
# The comparison (docs/bench.md), host side: the emulated L1 in the rig, or
# the real host with bench/run.sh --l1 native.  One passthrough NVMe, one
# guest kernel (L2), one QEMU (the patched one, for every configuration):
#
#   none        no vIOMMU: plain VFIO type1, all guest RAM mapped (ceiling)
#   vtd         intel-iommu,caching-mode=on: the guest's invalidations trap
#   pv-user     virtio-iommu-pci,vhost=off + pviommu.ko: QEMU serves MAP/UNMAP
#   pv-kernel   virtio-iommu-pci,vhost=on + pviommu.ko: vhost_iommu.ko does
#   pv-kernel-fast  virtio-iommu-pci,vhost=on,prepin=on,poll-us=50 +
#               pviommu.ko: vhost_iommu.ko's fast path (guest RAM pinned
#               once, busy polling of the request queue)
#
# Each round boots every configuration once, in an order that rotates round
# by round, so that drift hits all alike.  A boot runs strict then lazy
# (on_l2).  After each boot this side checks that the
# configuration really ran as claimed, from evidence L2 cannot fake: QEMU's
# trace (trapped VT-d invalidations, userspace virtio-iommu MAPs, the
# fast-path options QEMU set) and vhost-iommu's counters.  Results of a boot
# that fails that check are not printed; the run fails.  Each boot also
# records the host CPU time its QEMU used (host_cpu_s: all of QEMU's
# threads, which include the vhost worker from 6.4, plus the worker kthread
# before 6.4).
#
# Output (console): "BENCH:MACHINE {...}", per boot "BENCH:BOOT {...}" and
# its "BENCH:RESULT {...}" lines, and the L1 floor (pviommu-mapbench) as a
# "BENCH:BEGIN floor" ... "BENCH:END floor" block.  bench/report.py makes
# the table and the plots from them.
#
# Knobs (rig_bench_NAME= on L1's command line, or RIG_BENCH_NAME in the
# environment for --l1 native):
#   rounds=3  seconds=5  dma_count=2000
#   configs=none,vtd,pv-user,pv-kernel,pv-kernel-fast
#   device=BDF (default: the rig's NVMe)  floor=1 (needs two edu devices; a
#              third adds the vhost-prepin path)
#   floor_rounds=5 (pviommu-mapbench rounds of 100 round trips)
#   tiny=1     1 round, 0.5 s, 300 pairs, 2 floor rounds (the tiny variant,
#              in make check)
#   dry_run=1  print each boot's QEMU arguments and L2 command line, run none
#
#: level 2
# L2 runs pviommu.ko: the frontend of kernels without virtio-iommu.
#: l2-kernel 6.1
# The rig's edu and two more: two for the L1 floor, one for its
# vhost-prepin path.
#: qemu-args -device edu -device edu
#: l2-timeout 300
#: timeout 900
#: tiny.append rig_bench_tiny=1

on_l1() {
	if [ "${RIG_BENCH_TINY:-0}" = 1 ]; then
		: "${RIG_BENCH_ROUNDS:=1}" "${RIG_BENCH_SECONDS:=0.5}" "${RIG_BENCH_DMA_COUNT:=300}"
		: "${RIG_BENCH_FLOOR_ROUNDS:=2}"
	fi
	: "${RIG_BENCH_ROUNDS:=3}" "${RIG_BENCH_SECONDS:=5}" "${RIG_BENCH_DMA_COUNT:=2000}"
	: "${RIG_BENCH_FLOOR_ROUNDS:=5}" "${RIG_BENCH_FLOOR:=1}"
	: "${RIG_BENCH_CONFIGS:=none,vtd,pv-user,pv-kernel,pv-kernel-fast}"
	: "${RIG_BENCH_DRY_RUN:=0}" "${RIG_BENCH_QEMU:=/usr/bin/qemu-pviommu}"
	DBG=/sys/kernel/debug
	TRACE=/tmp/bench-trace.log
	VSTATS=/tmp/bench-vhost-stats
	KCPU=/tmp/bench-vhost-kthread-cpu
	# Busy polling needs a CPU for the worker besides L2's vCPU: the worker
	# stands down when anything else wants its CPU.
	HOST_CPUS=$(grep -c ^processor /proc/cpuinfo)
	# QEMU's trace events that tell the configurations apart.
	TRACE_EVENTS="virtio_iommu_map virtio_iommu_unmap virtio_iommu_vhost_start
		virtio_iommu_vhost_options vtd_inv_desc_iotlb_pages vtd_inv_desc_iotlb_domain vtd_inv_desc_iotlb_global"

	bdf=${RIG_BENCH_DEVICE:-$(pci_find 1b36:0010)}
	case $bdf in
	[0-9a-f][0-9a-f][0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f].[0-7]) ;;
	*)
		not_ok "the device is a full PCI address (domain:bus:slot.fn), not '${bdf:-nothing}'"
		exit 1
		;;
	esac

	# config_qemu CONFIG: the L2 QEMU arguments that make CONFIG.
	config_qemu() {
		case $1 in
		none) ;;
		# QEMU 10's intel-iommu defaults to 48 address bits and refuses an
		# assigned device behind a host IOMMU with fewer; 39 fits every VT-d
		# (the rig's L0 has 39).
		vtd) echo "-device intel-iommu,caching-mode=on,aw-bits=39" ;;
		pv-user) echo "-device virtio-iommu-pci,vhost=off" ;;
		pv-kernel) echo "-device virtio-iommu-pci,vhost=on" ;;
		pv-kernel-fast) echo "-device virtio-iommu-pci,vhost=on,prepin=on,poll-us=50" ;;
		*) return 1 ;;
		esac
		echo "-device vfio-pci,host=$bdf,rombar=0"
		for e in $TRACE_EVENTS; do echo "-trace $e"; done
		echo "-D $TRACE"
	}

	# config_append CONFIG: L2's kernel command line for CONFIG.
	config_append() {
		local modes="strict,lazy" guest=$1 rest=
		case $1 in
		none) modes=- ;;
		vtd) rest=" intel_iommu=on" ;;
		pv-user | pv-kernel | pv-kernel-fast) guest=pv ;;
		esac
		[ "$modes" = - ] || rest="$rest iommu.strict=1"
		echo "rig_bench_config=$guest rig_bench_modes=$modes rig_bench_seconds=$RIG_BENCH_SECONDS" \
			"rig_bench_dma_count=$RIG_BENCH_DMA_COUNT$rest"
	}

	# round_order R: the configurations, rotated by R.
	round_order() {
		echo "$RIG_BENCH_CONFIGS" | tr , '\n' | awk -v r="$1" '
			{ c[NR - 1] = $0 } END { for (i = 0; i < NR; i++) print c[(i + r) % NR] }'
	}

	for c in $(echo "$RIG_BENCH_CONFIGS" | tr , ' '); do
		config_qemu "$c" >/dev/null || { not_ok "unknown configuration '$c'"; exit 1; }
	done

	if [ "$RIG_BENCH_DRY_RUN" = 1 ]; then
		r=0
		while [ $r -lt "$RIG_BENCH_ROUNDS" ]; do
			for c in $(round_order $r); do
				echo "BENCH:PLAN round=$r config=$c qemu=$RIG_BENCH_QEMU -M q35" \
					"$(config_qemu "$c" | tr '\n' ' ')append=$(config_append "$c")"
			done
			r=$((r + 1))
		done
		ok "dry run: $RIG_BENCH_ROUNDS rounds of $RIG_BENCH_CONFIGS planned on $bdf"
		exit 0
	fi

	check "the patched QEMU $RIG_BENCH_QEMU is there" [ -x "$RIG_BENCH_QEMU" ] || exit 1
	check "device $bdf bound to vfio-pci" vfio_bind "$bdf" || exit 1
	mount -t debugfs none $DBG 2>/dev/null
	check "vhost_iommu loaded" eval '[ -c /dev/vhost-iommu ] || modprobe vhost_iommu' || exit 1

	# The machine, for the record.
	accel=none
	if grep -qw hypervisor /proc/cpuinfo; then
		accel=$(dmesg | sed -n 's/.*Hypervisor detected: //p' | head -n1)
		accel=${accel:-"unnamed (CPUID hypervisor bit set; TCG names none)"}
	fi
	echo "BENCH:MACHINE {\"kernel\":\"$(uname -r)\",\"cpu\":\"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)\",\"cpus\":$HOST_CPUS,\"hypervisor\":\"$accel\",\"qemu\":\"$("$RIG_BENCH_QEMU" --version | head -n1)\",\"device\":\"$bdf\",\"device_id\":\"$(cat /sys/bus/pci/devices/$bdf/vendor):$(cat /sys/bus/pci/devices/$bdf/device)\",\"rounds\":$RIG_BENCH_ROUNDS,\"seconds\":$RIG_BENCH_SECONDS,\"dma_count\":$RIG_BENCH_DMA_COUNT,\"configs\":\"$RIG_BENCH_CONFIGS\"}"

	# tcount EVENT...: how many times QEMU traced any of the EVENTs in this boot.
	tcount() {
		local n=0 e
		for e in "$@"; do n=$((n + $(grep -c "^$e " $TRACE 2>/dev/null))); done
		echo $n
	}
	# vstat NAME: the last sampled vhost-iommu counter NAME, 0 if none.
	vstat() {
		local v
		v=$(sed -n "s/^$1 //p" $VSTATS 2>/dev/null)
		echo "${v:-0}"
	}
	# poll_us: the poll-us QEMU gave the kernel (its vhost_options trace), 0 if none.
	poll_us() {
		local v
		v=$(sed -n 's/^virtio_iommu_vhost_options poll_us=\([0-9]*\) .*/\1/p' "$TRACE" 2>/dev/null | tail -n1)
		echo "${v:-0}"
	}

	# verify CONFIG: the evidence that this boot ran as CONFIG; a test point.
	# The fast path's: all guest RAM pinned once (ram_pinned_pages, in the last
	# sample: it stays pinned while QEMU runs) and no page pinned per MAP in
	# any sample (max.pinned_pages); QEMU asked for busy polling; the worker
	# found requests by polling, on a host with a CPU to spare for it.
	verify() {
		local inv map vmap starts ram maxpin polled
		inv=$(tcount vtd_inv_desc_iotlb_pages vtd_inv_desc_iotlb_domain vtd_inv_desc_iotlb_global)
		map=$(tcount virtio_iommu_map)
		starts=$(tcount virtio_iommu_vhost_start)
		vmap=$(vstat requests.map)
		ram=$(vstat ram_pinned_pages)
		maxpin=$(vstat max.pinned_pages)
		polled=$(vstat polled)
		evidence="\"trapped_vtd_invalidations\":$inv,\"qemu_userspace_maps\":$map,\"vhost_kernel_maps\":$vmap,\"vhost_starts\":$starts"
		evidence="$evidence,\"ram_pinned_pages\":$ram,\"max_pinned_pages\":$maxpin,\"kicks\":$(vstat kicks),\"polled\":$polled,\"iotlb_syncs\":$(vstat iotlb_syncs),\"qemu_poll_us\":$(poll_us)"
		case $1 in
		none) [ "$inv$map$vmap" = 000 ] ;;
		vtd) [ "$inv" -ge "$RIG_BENCH_DMA_COUNT" ] && [ "$map$vmap" = 00 ] ;;
		pv-user) [ "$map" -ge "$RIG_BENCH_DMA_COUNT" ] && [ "$inv$vmap" = 00 ] ;;
		pv-kernel) [ "$vmap" -ge "$RIG_BENCH_DMA_COUNT" ] && [ "$inv$map" = 00 ] &&
			[ "$starts" -ge 1 ] && [ "$ram" = 0 ] && [ "$(poll_us)" = 0 ] ;;
		pv-kernel-fast) [ "$vmap" -ge "$RIG_BENCH_DMA_COUNT" ] && [ "$inv$map" = 00 ] &&
			[ "$starts" -ge 1 ] && [ "$ram" -gt 0 ] && [ "$maxpin" = 0 ] &&
			[ "$(poll_us)" = 50 ] && { [ "$HOST_CPUS" -lt 2 ] || [ "$polled" -gt 0 ]; } ;;
		esac
	}

	# boot ROUND CONFIG: one L2 boot; its verified results to the console.
	boot() {
		local r=$1 c=$2 log sampler ksampler n want cpu verified=false
		rm -f $TRACE $VSTATS $KCPU /tmp/l2.times /tmp/l2-l2_bench_compare-*.log
		vhost_stats_sampler $VSTATS &
		sampler=$!
		vhost_kthread_cpu_sampler $KCPU &
		ksampler=$!
		# shellcheck disable=SC2046 # one argument per word
		L2_QEMU=$RIG_BENCH_QEMU L2_MACHINE=q35 L2_APPEND=$(config_append "$c") \
			l2_run l2_bench_compare -L /usr/share/qemu -L /usr/share/seabios \
			$(config_qemu "$c")
		kill $sampler $ksampler 2>/dev/null
		wait $sampler $ksampler 2>/dev/null
		# The host CPU time of the boot: QEMU's (every thread), and the vhost
		# worker kthread's before 6.4 (1/100 s ticks).
		cpu=$(l2_qemu_cpu_s)
		if [ -n "$cpu" ]; then
			cpu=$(awk -v q="$cpu" -v k="$(cat $KCPU 2>/dev/null)" 'BEGIN { printf "%.2f", q + k / 100 }')
		else
			cpu=null
		fi
		log=$(ls /tmp/l2-l2_bench_compare-*.log | tail -n 1)
		n=$(grep -c '^BENCH:JSON ' "$log")
		want=4
		[ "$c" = none ] || want=8
		check "round $r, $c: L2 printed all $want results ($n)" [ "$n" -eq $want ] || return 1
		if check "round $r, $c: ran as claimed (QEMU trace, vhost-iommu counters)" verify "$c"; then
			verified=true
		fi
		evidence="$evidence,\"host_cpu_s\":$cpu"
		diag "round $r, $c: evidence {$evidence}"
		echo "BENCH:BOOT {\"round\":$r,\"config\":\"$c\",\"verified\":$verified,\"evidence\":{$evidence}}"
		[ $verified = true ] || return 1
		sed -n "s/^BENCH:JSON {/BENCH:RESULT {\"round\":$r,\"bench_config\":\"$c\",/p" "$log" | tr -d '\r'
	}

	r=0
	while [ $r -lt "$RIG_BENCH_ROUNDS" ]; do
		for c in $(round_order $r); do
			boot $r "$c"
		done
		r=$((r + 1))
	done
	# The L1 floor: pviommu-mapbench (bench/README.md) on two edu devices,
	# VFIO type1 MAP_DMA + UNMAP_DMA from a thread, next to the same request
	# through vhost-iommu and through a userspace backend; with a third edu,
	# through a second vhost-iommu device with all its RAM pinned once
	# (VHOST_IOMMU_OPT_PREPIN, the path "vhost-prepin").  It runs last: twice
	# the next L2's QEMU hung in L1's kernel after it (docs/bench.md, "Known
	# issue"), and that must not cost the boots.
	if [ "$RIG_BENCH_FLOOR" = 1 ]; then
		# shellcheck disable=SC2046 # one word per BDF
		set -- $(pci_find 1234:11e8)
		if check "two edu devices for the L1 floor ($*)" [ $# -ge 2 ] &&
			check "edu $1 bound to vfio-pci" vfio_bind "$1" &&
			check "edu $2 bound to vfio-pci" vfio_bind "$2"; then
			prepin=
			if [ $# -lt 3 ]; then
				diag "floor: no third edu device, so no vhost-prepin path"
			elif check "edu $3 bound to vfio-pci (the vhost-prepin path)" vfio_bind "$3"; then
				prepin="--prepin $3"
			fi
			# shellcheck disable=SC2086 # prepin is two words or none
			pviommu-mapbench "$1" "$2" --live 1 --iters 100 --rounds "$RIG_BENCH_FLOOR_ROUNDS" --warmup 10 \
				--placement same $prepin --json /tmp/floor.json | tap_import "floor: "
			echo "BENCH:BEGIN floor"
			sed 's/^/BENCH:/' /tmp/floor.json
			echo "BENCH:END floor"
		fi
	fi

	check "no WARN or BUG in the host kernel's log" sh -c '! dmesg | grep -E "WARNING: CPU|BUG:|Oops:"'
}

# L2 side of the comparison (on_l1, docs/bench.md): one guest
# boot of one configuration.  It checks that the guest really runs in the
# mode claimed, runs the workloads on the assigned NVMe and prints each
# result as one "BENCH:JSON {...}" line.
#
# Kernel command line (set by the L1 side):
#   rig_bench_config=none|vtd|pv     the guest's view: no IOMMU, intel-iommu,
#                                    or virtio-iommu driven by pviommu.ko
#   rig_bench_modes=strict,lazy      the IOMMU modes to run, in this order
#                                    (booted with iommu.strict=1; lazy is
#                                    switched on live, DMA -> DMA-FQ); "-"
#                                    for none
#   rig_bench_seconds=S              measured time of each I/O workload
#   rig_bench_dma_count=N            map+unmap pairs of the DMA benchmark
on_l2() {
	DBG=/sys/kernel/debug
	dev=/dev/nvme0n1
	: "${RIG_BENCH_CONFIG:?}" "${RIG_BENCH_MODES:?}" "${RIG_BENCH_SECONDS:?}" \
		"${RIG_BENCH_DMA_COUNT:?}"

	mount -t debugfs none $DBG 2>/dev/null
	if [ "$RIG_BENCH_CONFIG" = pv ]; then
		pviommu_load ||
			exit 1
	fi
	nvme=$(pci_find 1b36:0010)
	check "the assigned NVMe found (at ${nvme:-nowhere})" [ -n "$nvme" ] || exit 1

	# group_type: the IOMMU domain type of the NVMe's group, or "none".
	group_type() {
		local g=/sys/bus/pci/devices/$nvme/iommu_group
		if [ -e $g ]; then cat $g/type; else echo none; fi
	}
	case $RIG_BENCH_CONFIG in
	none)
		check "no IOMMU translates the NVMe (no iommu_group, no /sys/class/iommu entry)" \
			eval '[ "$(group_type)" = none ] && [ -z "$(ls /sys/class/iommu)" ]' || exit 1
		;;
	vtd)
		check "intel-iommu translates the NVMe (/sys/class/iommu: $(ls /sys/class/iommu | tr '\n' ' '))" \
			eval 'ls /sys/class/iommu | grep -q "^dmar" && [ "$(group_type)" != none ]' || exit 1
		;;
	pv)
		check "pviommu translates the NVMe (it drives $(ls /sys/bus/virtio/drivers/pviommu | grep virtio))" \
			eval '[ "$(group_type)" != none ] && ls /sys/bus/virtio/drivers/pviommu | grep -q virtio &&
			      ! ls /sys/class/iommu | grep -q "^dmar"' || exit 1
		;;
	esac

	check "modprobe nvme" modprobe nvme
	nvme_wait $dev || exit 1
	check "modprobe pviommu_dmabench" modprobe pviommu_dmabench || exit 1

	# set_mode MODE: put the NVMe's domain in MODE and check that it is there.
	set_mode() {
		local g=/sys/bus/pci/devices/$nvme/iommu_group/type want
		case $1 in
		-) want=none ;;
		strict) want=DMA ;;
		lazy)
			want=DMA-FQ
			# 6.1 turns a DMA domain into DMA-FQ in place, with the driver bound.
			[ "$(group_type)" = DMA-FQ ] || echo DMA-FQ >$g
			;;
		esac
		check "mode $1: the NVMe's domain is $want (it is $(group_type))" [ "$(group_type)" = "$want" ]
	}

	# emit WORKLOAD JSON: one result line, tagged with this boot's configuration.
	emit() {
		echo "BENCH:JSON {\"config\":\"$RIG_BENCH_CONFIG\",\"mode\":\"$mode\",\"domain\":\"$(group_type)\",\"kernel\":\"$(uname -r)\",\"workload\":\"$1\",\"result\":$2}"
	}

	# dmabench: 4 KiB dma_map_single + dma_unmap_single pairs on the NVMe.
	dmabench() {
		local r
		echo "$nvme 4096 $RIG_BENCH_DMA_COUNT" >$DBG/pviommu_dmabench/run || return 1
		r=$(cat $DBG/pviommu_dmabench/run)
		diag "dmabench: $r"
		set -- $r
		# device D domain T size S count N errors E total_ns T ops_per_s O p50_ns P p99_ns Q
		[ "$6" = 4096 ] && [ "${10}" = 0 ] || return 1
		emit dma_map_unmap "{\"domain\":\"$4\",\"count\":$8,\"ops_per_s\":${14},\"p50_us\":$(awk -v n="${16}" 'BEGIN { printf "%.3f", n / 1000 }'),\"p99_us\":$(awk -v n="${18}" 'BEGIN { printf "%.3f", n / 1000 }')}"
	}

	# iogen NAME PATTERN BS QD: one O_DIRECT io_uring workload (bench/iogen.c).
	iogen() {
		local j
		j=$(pviommu-iogen --json-tag "$1" $dev "$2" "$3" "$4" "$RIG_BENCH_SECONDS") || return 1
		emit "$1" "$j"
	}

	for mode in $(echo "$RIG_BENCH_MODES" | tr , ' '); do
		set_mode "$mode" || continue
		check "mode $mode: DMA benchmark" dmabench
		check "mode $mode: 4 KiB random reads, QD1" iogen randread_4k_qd1 randread 4096 1
		check "mode $mode: 4 KiB random reads, QD32" iogen randread_4k_qd32 randread 4096 32
		check "mode $mode: 64 KiB sequential reads, QD8" iogen seqread_64k_qd8 seqread 65536 8
		# The mode did not change under the workloads.
		check "mode $mode: still in the same domain type after the workloads ($(group_type))" \
			eval '[ "$mode" = - ] || [ "$(group_type)" = "$([ "$mode" = strict ] && echo DMA || echo DMA-FQ)" ]'
	done
	if [ -f $DBG/pviommu/stats ]; then
		diag "pviommu: $(tr '\n' ' ' <$DBG/pviommu/stats)"
	fi
}

# Host side: bench/report.py reads
# the console's "BENCH:" lines, refuses if a boot did not run as claimed or
# a result is missing, and writes the table and the plots to BENCH_OUT (set
# by bench/run.sh) or next to the console.  A dry run only has its plan.
on_host() {
	dir=$(dirname "$RIG_CONSOLE")
		if grep -q '^BENCH:PLAN ' "$RIG_CONSOLE"; then
		check "bench: dry run planned $(grep -c '^BENCH:PLAN ' "$RIG_CONSOLE") boots" true
	else
		out=${BENCH_OUT:-$dir/report}
		check "bench: report.py made the table and the plots in $out" \
			python3 "$RIG_REPO/bench/report.py" --l0-qemu-cmd "$dir/qemu.cmd" "$RIG_CONSOLE" "$out"
		for f in results.md results.json raw.jsonl throughput_vs_none.png latency_4k_qd1.png \
			latency_cdf_4k_qd1.png dma_map_unmap.png; do
			check "bench: $f written" [ -s "$out/$f" ]
		done
	fi
}
