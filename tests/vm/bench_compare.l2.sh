#!/bin/sh
# L2 side of the comparison (bench_compare.sh, docs/bench.md): one guest
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
. /tests/lib.sh

DBG=/sys/kernel/debug
dev=/dev/nvme0n1
: "${RIG_BENCH_CONFIG:?}" "${RIG_BENCH_MODES:?}" "${RIG_BENCH_SECONDS:?}" \
	"${RIG_BENCH_DMA_COUNT:?}"

mount -t debugfs none $DBG 2>/dev/null
if [ "$RIG_BENCH_CONFIG" = pv ]; then
	check "modprobe pviommu, then virtio_pci" eval 'modprobe pviommu && modprobe virtio_pci' ||
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
i=0
while [ ! -b $dev ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
check "$dev appeared" [ -b $dev ] || exit 1
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
	echo "BENCH:JSON {\"config\":\"$RIG_BENCH_CONFIG\",\"mode\":\"$mode\",\"domain\":\"$(group_type)\",\"workload\":\"$1\",\"result\":$2}"
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
