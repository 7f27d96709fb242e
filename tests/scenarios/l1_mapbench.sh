#!/bin/sh
# L1: the map/unmap microbenchmark (bench/README.md).  pviommu-mapbench
# (bench/mapbench.c) times a guest-style 4 KiB MAP + UNMAP round trip over
# (a) vhost_iommu.ko, (b) a userspace backend thread doing VFIO type1
# ioctls, (c) direct type1 ioctls, (d) vhost_iommu.ko with guest RAM
# pre-pinned (--prepin), (e) the same plus busy polling, its driver side
# kicking only when asked and spinning for completions (--poll), with 1,
# 10^3 and 10^5 live mappings.  Four edu devices (the rig's and the three
# of qemu-args below), in this order: (a), (b) and (c), (d), (e).
# The JSON results go to the console as "BENCH:" lines; the host hook
# (on_host) puts them back together.
#
# Kernel command-line knobs (tests/rig/run --append):
#   rig_mapbench_quick=1        tiny mode (the quick variant sets it)
#   rig_mapbench_live=1,1000,100000   live mapping counts, ascending
#   rig_mapbench_iters=N  rig_mapbench_rounds=R  rig_mapbench_warmup=W
#   rig_mapbench_placements=same,split   one run per CPU placement of the
#       driver and device threads: same|split|none (bench/README.md); (e)'s
#       polling is checked in split only (in same it stands down by design)
#
#: level 1
#: qemu-args -device edu -device edu -device edu
#: quick.append rig_mapbench_quick=1

on_l1() {
	if [ "${RIG_MAPBENCH_QUICK:-0}" = 1 ]; then
		live=1,1000 iters=10 rounds=3 warmup=2 placements=same,split
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
	check "four edu devices (1234:11e8) found: $*" [ $# -ge 4 ] || exit 1
	va=$1 tb=$2 vd=$3 ve=$4
	grp() { basename "$(readlink "/sys/bus/pci/devices/$1/iommu_group")"; }
	groups="$(grp "$va") $(grp "$tb") $(grp "$vd") $(grp "$ve")"
	# shellcheck disable=SC2086 # one word per group
	check "edu $va $tb $vd $ve are in four different IOMMU groups ($groups)" \
		[ "$(printf '%s\n' $groups | sort -u | wc -l)" -eq 4 ] || exit 1

	# type1 refuses more than dma_entry_limit mappings per container (65535 by
	# default): raise it above the largest live count.
	max=${live##*,}
	limit=$((max + 1000))
	modprobe vfio_iommu_type1 dma_entry_limit=$limit
	p=/sys/module/vfio_iommu_type1/parameters/dma_entry_limit
	[ "$(cat $p 2>/dev/null)" -ge $limit ] 2>/dev/null || echo $limit >$p 2>/dev/null
	check "vfio_iommu_type1 dma_entry_limit $(cat $p 2>/dev/null) covers $max live mappings" \
		[ "$(cat $p 2>/dev/null)" -ge $limit ] || exit 1
	check "edu $va bound to vfio-pci (a)" vfio_bind "$va" || exit 1
	check "edu $tb bound to vfio-pci (b, c)" vfio_bind "$tb" || exit 1
	check "edu $vd bound to vfio-pci (d: vhost-prepin)" vfio_bind "$vd" || exit 1
	check "edu $ve bound to vfio-pci (e: vhost-poll)" vfio_bind "$ve" || exit 1
	check "modprobe pviommu_proto vhost_iommu" sh -c "modprobe pviommu_proto && modprobe vhost_iommu" || {
		dmesg | tail -n 20 | while IFS= read -r l; do diag "$l"; done
		exit 1
	}

	for pl in $(echo "$placements" | tr , " "); do
		json=/tmp/mapbench-$pl.json
		t0=$(uptime_s)
		pviommu-mapbench "$va" "$tb" --live "$live" --iters "$iters" --rounds "$rounds" \
			--warmup "$warmup" --placement "$pl" --prepin "$vd" --poll "$ve" \
			--json "$json" | tap_import "mapbench $pl: "
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
}

# Host side: put the "BENCH:" blocks
# of the console (one per CPU placement) back together as mapbench.json next
# to it, {"l0": ..., "runs": {"same": <pviommu-mapbench JSON>, ...}}, add what
# only L0 knows (its QEMU command line: TCG or KVM; its load), and check that
# each run is whole and has every (live, path) result, the five paths.
on_host() {
	dir=$(dirname "$RIG_CONSOLE")
	out=$dir/mapbench.json
	check "BENCH: blocks on the console ($(grep -c '^BENCH:BEGIN' "$RIG_CONSOLE") placements)" \
		grep -q '^BENCH:BEGIN' "$RIG_CONSOLE"
	check "mapbench.json: every placement's JSON is whole, with every (live, path)" \
		python3 - "$RIG_CONSOLE" "$dir/qemu.cmd" "$out" <<'PY'
import json, sys
console, cmd, out = sys.argv[1:]
runs, cur, ok = {}, None, True
for line in open(console, errors="replace"):
    line = line.rstrip("\r\n")
    if line.startswith("BENCH:BEGIN "):
        cur, buf = line.split(" ", 1)[1], []
    elif line.startswith("BENCH:END ") and cur:
        runs[cur] = json.loads("\n".join(buf))
        cur = None
    elif cur is not None and line.startswith("BENCH:"):
        buf.append(line[len("BENCH:"):])
for name, d in runs.items():
    got = {(r["live"], r["path"]) for r in d["results"] if r["pair_us"]["n"] > 0}
    want = {(l, p) for l in d["params"]["live"]
            for p in ("vhost", "userspace", "direct", "vhost-prepin", "vhost-poll")}
    if not want <= got:
        print("# %s: missing %s" % (name, sorted(want - got)))
        ok = False
try:
    q = open(cmd).read().strip()
except OSError:
    q = ""
la = open("/proc/loadavg").read().split()[:3]
l0 = {"qemu_accel": "tcg" if "-accel tcg" in q else "kvm" if "-accel kvm" in q else "unknown",
      "qemu_cmd": q, "loadavg_after_run": [float(x) for x in la]}
json.dump({"benchmark": "pviommu-mapbench", "format": 1, "l0": l0, "runs": runs},
          open(out, "w"), indent=1)
sys.exit(0 if runs and ok else 1)
PY
}
