#!/usr/bin/env bash
# bench/l1-report.sh RUN_DIR [OUT_DIR]
#
# Turn one l1_mapbench rig run (RUN_DIR, e.g. build/rig/runs/l1_mapbench,
# holding mapbench.json from the host hook) into bench/results/<ts>-l1/:
#   results.json  the benchmark's JSON plus this machine's (L0's) facts
#   results.md    the tables (ratios in plain sight); also printed
#   result.tap    the run's TAP, for the record
# make bench-l1 calls it after the run.
set -euo pipefail

run=${1:?usage: $0 RUN_DIR [OUT_DIR]}
repo=$(cd "$(dirname "$0")/.." && pwd)
ts=$(date -u +%Y%m%dT%H%M%SZ)
out=${2:-$repo/bench/results/$ts-l1}
[ -s "$run/mapbench.json" ] || { echo "l1-report: no $run/mapbench.json" >&2; exit 1; }
mkdir -p "$out"
[ ! -f "$run/result.tap" ] || cp "$run/result.tap" "$out/result.tap"

l0_cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
l0_hyp=$(grep -qw hypervisor /proc/cpuinfo && echo true || echo false)
l0_virt=$(systemd-detect-virt 2>/dev/null || true)
git_rev=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
git_dirty=$(git -C "$repo" status --porcelain 2>/dev/null | grep -q . && echo true || echo false)

python3 - "$run/mapbench.json" "$out" "$ts" "$l0_cpu" "$l0_hyp" "$l0_virt" \
	"$(uname -r)" "$(nproc)" "$git_rev" "$git_dirty" <<'PY'
import json, sys
src, out, ts, cpu, hyp, virt, krel, ncpu, rev, dirty = sys.argv[1:]
d = json.load(open(src))
d["timestamp"] = ts
d["git"] = {"rev": rev, "dirty": dirty == "true"}
d.setdefault("l0", {}).update({
    "cpu_model": cpu, "cpus": int(ncpu), "hypervisor_flag": hyp == "true",
    "virt": virt or "unknown", "kernel": krel})
json.dump(d, open(out + "/results.json", "w"), indent=1)

l0 = d["l0"]
order = [p for p in ("same", "split", "none") if p in d["runs"]] + \
        [p for p in d["runs"] if p not in ("same", "split", "none")]
first = d["runs"][order[0]]
m, p = first["machine"], first["params"]
lab = first["paths"]
# The paths in table order; (d) and (e) only in runs with --prepin, --poll.
paths = [x for x in ("vhost", "userspace", "direct", "vhost-prepin", "vhost-poll") if x in lab]
# Ring paths (all but direct), and the vhost ones with kernel counters.
rings = [x for x in paths if x != "direct"]
where = {"same": "driver, vhost workers and backend thread all pinned to CPU 0",
         "split": "driver on CPU 0; vhost workers and backend thread pinned to CPU 1",
         "none": "no pinning: the L1 scheduler places the threads"}

def ratio(x, y):
    return "%.2f" % (x / y) if y else "n/a"

def letter(x):
    return lab[x].split()[0]  # "(a)" ...

# The ratios of the round-trip table: each path over type1 direct, then the
# headline (b)/(a).
ratios = [(x, "direct") for x in paths if x != "direct"] + [("userspace", "vhost")]

L = []
L.append("# pviommu L1 microbenchmark: 4 KiB MAP + UNMAP round trip (%s)" % ts)
L.append("")
L.append("**Where it ran.** L1 (the emulated host the benchmark runs in): %s, %d vCPUs, "
         "accel **%s** (CPUID hypervisor signature `%s`, DMI %s / %s), kernel %s."
         % (m["cpu_model"], m["cpus"], m["accel"], m["hypervisor_cpuid"],
            m["dmi_sys_vendor"], m["dmi_product"], m["kernel"]))
la = l0.get("loadavg_after_run")
L.append("L0 (this machine): %s, %d CPUs, hypervisor flag %s (%s), kernel %s; "
         "L0 QEMU runs L1 with **%s**%s. Source: git %s%s."
         % (l0["cpu_model"], l0["cpus"], "set" if l0["hypervisor_flag"] else "clear",
            l0["virt"], l0["kernel"], l0.get("qemu_accel", "?").upper(),
            "; L0 load average after the run %.2f/%.2f/%.2f" % tuple(la) if la else "",
            rev, " (dirty tree)" if dirty == "true" else ""))
L.append("")
L.append("Per placement, path and live count: %d rounds x %d measured round trips "
         "(after %d warm-up each round), paths interleaved round by round in rotating "
         "order. Times in microseconds, CLOCK_MONOTONIC in L1; median (p10-p90)."
         % (p["rounds"], p["iters"], p["warmup"]))
for pl in order:
    r = d["runs"][pl]
    res = {(x["live"], x["path"]): x for x in r["results"]}
    med = lambda l, x: res[(l, x)]["pair_us"]["median"]
    L.append("")
    L.append("## MAP + UNMAP round trip, placement `%s` (%s)" % (pl, where.get(pl, pl)))
    L.append("")
    L.append("| live mappings | %s | %s |"
             % (" | ".join(lab[x] for x in paths),
                " | ".join("**%s/%s**" % (letter(x), letter(y)) for x, y in ratios)))
    L.append("|---:|%s" % ("---:|" * (len(paths) + len(ratios))))
    rows = r["params"]["live"]
    for l in rows:
        cells = ["%.1f (%.1f-%.1f)" % (res[(l, x)]["pair_us"]["median"],
                                       res[(l, x)]["pair_us"]["p10"],
                                       res[(l, x)]["pair_us"]["p90"]) for x in paths]
        L.append("| %d | %s | %s |"
                 % (l, " | ".join(cells),
                    " | ".join("**%s**" % ratio(med(l, x), med(l, y)) for x, y in ratios)))
    cnt = [x for x in r["results"] if "counters" in x]
    if cnt:
        L.append("")
        L.append("Kicks and busy polling in this placement: vhost_iommu.ko's counters over "
                 "the rounds, warm-ups included. (e)'s driver kicks only when the used ring "
                 "asks for it, and its worker polls only while no thread of its owner is "
                 "runnable on its CPU%s"
                 % {"same": ": here the spinning driver is, so polling stands down by "
                            "design and (e) is kicked like (d).",
                    "split": ": here the driver spins on CPU 0 while the worker polls on "
                             "CPU 1, so most requests go without a kick."}.get(pl, "."))
        L.append("")
        L.append("| live | path | requests | kicks | found by polling | sent without a kick |")
        L.append("|---:|---|---:|---:|---:|---:|")
        for x in cnt:
            c = x["counters"]
            L.append("| %d | %s | %d | %d | %d | %d |"
                     % (x["live"], lab[x["path"]], c["requests"], c["kicks"], c["polled"],
                        c["kicks_saved"]))
    w = r.get("wakeup_floor_us")
    if w and w.get("n"):
        L.append("")
        L.append("Wake-up floor in this placement: a bare eventfd ping-pong with a thread "
                 "placed like the device sides takes %.1f us (p10 %.1f, p90 %.1f): the "
                 "wake-up pair (kick, call) that every request of (b) pays, with no work "
                 "done; a MAP + UNMAP round trip pays it twice."
                 % (w["median"], w["p10"], w["p90"]))
for pl in order:
    r = d["runs"][pl]
    L.append("")
    L.append("## Per operation, placement `%s`: median (p90)" % pl)
    L.append("")
    L.append("| live | path | MAP | UNMAP | MAP+UNMAP mean | n | failures | per-round medians of MAP+UNMAP (min-max) |")
    L.append("|---:|---|---:|---:|---:|---:|---:|---:|")
    for x in r["results"]:
        rm = x.get("round_median_pair_us") or [0]
        L.append("| %d | %s | %.1f (%.1f) | %.1f (%.1f) | %.1f | %d | %d | %.1f-%.1f |"
                 % (x["live"], lab[x["path"]], x["map_us"]["median"], x["map_us"]["p90"],
                    x["unmap_us"]["median"], x["unmap_us"]["p90"], x["pair_us"]["mean"],
                    x["pair_us"]["n"], x["failures"], min(rm), max(rm)))
L.append("")
L.append("## Setup costs (informational, not round trips)")
L.append("")
L.append("| placement | live mappings | %s |"
         % " | ".join("populate %s, s" % letter(x) for x in rings))
L.append("|---|---:|%s" % ("---:|" * len(rings)))
for pl in order:
    for q in d["runs"][pl]["populate_s"]:
        L.append("| %s | %d | %s |" % (pl, q["live"], " | ".join(
            "%.2f" % q[x] if x in q else "-" for x in rings)))
L.append("")
L.append("Populating adds the mappings missing since the previous live count, 128 MAP "
         "requests per kick.")
for pl in order:
    b = d["runs"][pl]["bulk_unmap_s"]
    L.append("One UNMAP request over all %d background mappings (`%s`): %s."
             % (b["live"], pl, ", ".join("%.2f s for %s" % (b[x], letter(x))
                                         for x in rings if x in b)))
L.append("")
if m["accel"] == "TCG" or l0.get("qemu_accel") == "tcg":
    L.append("**TCG warning:** L1 is emulated by TCG, so every number is an emulated "
             "cost: syscalls, context switches, wake-ups across vCPUs and the emulated "
             "VT-d's invalidations are far slower than on hardware, and in different "
             "proportions. Compare the paths with each other, within one placement; "
             "see bench/README.md, \"What TCG distorts\".")
open(out + "/results.md", "w").write("\n".join(L) + "\n")
PY
echo "l1-report: $out"
cat "$out/results.md"
