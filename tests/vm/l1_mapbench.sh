#!/bin/sh
# L1: the map/unmap microbenchmark (bench/README.md).  pviommu-mapbench
# (bench/mapbench.c) times a guest-style 4 KiB MAP + UNMAP round trip over
# (a) vhost_iommu.ko, (b) a userspace backend thread doing VFIO type1
# ioctls, (c) direct type1 ioctls, with 1, 10^3 and 10^5 live mappings.
# Two edu devices (l1_mapbench.rig): one for (a), one for (b) and (c).
# The JSON results go to the console as "BENCH:" lines; the host hook
# (l1_mapbench.host) puts them back together.
#
# Kernel command-line knobs (tests/rig/run --append):
#   rig_mapbench_quick=1        tiny mode (l1_mapbench_quick sets it)
#   rig_mapbench_live=1,1000,100000   live mapping counts, ascending
#   rig_mapbench_iters=N  rig_mapbench_rounds=R  rig_mapbench_warmup=W
#   rig_mapbench_placements=same,split   one run per CPU placement of the
#       driver and device threads: same|split|none (bench/README.md)
. /tests/lib.sh

if [ "${RIG_MAPBENCH_QUICK:-0}" = 1 ]; then
	live=1,1000 iters=10 rounds=3 warmup=2 placements=same
else
	live=1,1000,100000 iters=100 rounds=20 warmup=10 placements=same,split
fi
live=${RIG_MAPBENCH_LIVE:-$live}
iters=${RIG_MAPBENCH_ITERS:-$iters}
rounds=${RIG_MAPBENCH_ROUNDS:-$rounds}
warmup=${RIG_MAPBENCH_WARMUP:-$warmup}
placements=${RIG_MAPBENCH_PLACEMENTS:-$placements}

# shellcheck disable=SC2046 # one word per BDF
set -- $(pci_find 1234:11e8)
check "two edu devices (1234:11e8) found: $*" [ $# -ge 2 ] || exit 1
va=$1 tb=$2
grp() { basename "$(readlink "/sys/bus/pci/devices/$1/iommu_group")"; }
check "edu $va (group $(grp "$va")) and $tb (group $(grp "$tb")) are in different IOMMU groups" \
	[ "$(grp "$va")" != "$(grp "$tb")" ] || exit 1

# type1 refuses more than dma_entry_limit mappings per container (65535 by
# default): raise it above the largest live count.
max=${live##*,}
limit=$((max + 1000))
modprobe vfio_iommu_type1 dma_entry_limit=$limit
p=/sys/module/vfio_iommu_type1/parameters/dma_entry_limit
[ "$(cat $p 2>/dev/null)" -ge $limit ] 2>/dev/null || echo $limit >$p 2>/dev/null
check "vfio_iommu_type1 dma_entry_limit $(cat $p 2>/dev/null) covers $max live mappings" \
	[ "$(cat $p 2>/dev/null)" -ge $limit ] || exit 1
check "edu $va bound to vfio-pci" vfio_bind "$va" || exit 1
check "edu $tb bound to vfio-pci" vfio_bind "$tb" || exit 1
check "modprobe pviommu_proto vhost_iommu" sh -c "modprobe pviommu_proto && modprobe vhost_iommu" || {
	dmesg | tail -n 20 | while IFS= read -r l; do diag "$l"; done
	exit 1
}

for pl in $(echo "$placements" | tr , " "); do
	json=/tmp/mapbench-$pl.json
	t0=$(uptime_s)
	pviommu-mapbench "$va" "$tb" --live "$live" --iters "$iters" --rounds "$rounds" \
		--warmup "$warmup" --placement "$pl" --json "$json" | tap_import "mapbench $pl: "
	fact "mapbench_${pl}_s" "$(since "$t0")"
	diag "pviommu-mapbench --placement $pl ran $(since "$t0") s" \
		"(live $live, $rounds rounds x ($warmup + $iters))"
	if check "results JSON written ($json)" [ -s "$json" ]; then
		echo "BENCH:BEGIN $pl"
		sed 's/^/BENCH:/' "$json"
		echo "BENCH:END $pl"
	fi
done
check "vhost_iommu left no device in debugfs" \
	sh -c 'mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null; [ -z "$(ls /sys/kernel/debug/vhost-iommu 2>/dev/null)" ]'
check "rmmod vhost_iommu" rmmod vhost_iommu
bad=$(dmesg | grep -E "$RIG_KERNEL_ERRORS")
check "kernel log has no WARNING/BUG/Oops" [ -z "$bad" ] ||
	echo "$bad" | while IFS= read -r l; do diag "$l"; done
