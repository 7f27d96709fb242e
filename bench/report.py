#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""bench/report.py: the comparison's table and plots (docs/bench.md).

    report.py LOG OUT_DIR [--l0-qemu-cmd FILE] [--native]

LOG is the console of an l2_bench_compare run (or the output of
bench/run.sh --l1 native): its "BENCH:" lines.  OUT_DIR gets
  raw.jsonl     the BENCH: lines as they came
  results.json  everything, with the per-round values and their medians
  results.md    the tables, ratios in plain sight (also printed)
  *.png         gnuplot plots
It refuses, exit status 1 and no number printed, if a boot did not run in
the mode it claims (l2_bench_compare.sh's evidence) or a result is missing.
The tables show the configurations the run has: those BENCH:MACHINE lists
("configs"; older runs do not list them: those their boots name), each of
which must have a verified boot in every round.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

CONFIGS = [  # (key, letter, label)
    ("none", "a", "no vIOMMU"),
    ("vtd", "b", "TLBI trapping (intel-iommu, caching-mode=on)"),
    ("pv-user", "c", "PV, userspace (virtio-iommu, vhost=off)"),
    ("pv-kernel", "d", "PV, kernel (virtio-iommu, vhost=on)"),
    ("pv-kernel-fast", "e", "PV, kernel, fast path (virtio-iommu, vhost=on, prepin, poll-us)"),
]
LETTER = {k: l for k, l, _ in CONFIGS}
LABEL = {k: t for k, _, t in CONFIGS}
SHORT = {"none": "no vIOMMU", "vtd": "TLBI trapping", "pv-user": "PV userspace",
         "pv-kernel": "PV kernel", "pv-kernel-fast": "PV kernel fast path"}
NUMBER = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}
WORKLOADS = [  # (key, title, throughput metric, unit)
    ("dma_map_unmap", "4 KiB dma_map + dma_unmap (in-guest)", "ops_per_s", "ops/s"),
    ("randread_4k_qd1", "4 KiB random reads, QD1", "iops", "IOPS"),
    ("randread_4k_qd32", "4 KiB random reads, QD32", "iops", "IOPS"),
    ("seqread_64k_qd8", "64 KiB sequential reads, QD8", "mib_s", "MiB/s"),
]


def refuse(msg):
    print("bench: REFUSED, no numbers: " + msg, file=sys.stderr)
    sys.exit(1)


def parse(log):
    raw, machine, boots, results, floor, block = [], None, [], [], None, None
    for line in open(log, errors="replace"):
        line = line.rstrip("\r\n")
        if not line.startswith("BENCH:"):
            continue
        raw.append(line)
        kind, _, rest = line.partition(" ")
        if kind == "BENCH:MACHINE":
            machine = json.loads(rest)
        elif kind == "BENCH:BOOT":
            boots.append(json.loads(rest))
        elif kind == "BENCH:RESULT":
            results.append(json.loads(rest))
        elif kind == "BENCH:BEGIN" and rest == "floor":
            block = []
        elif kind == "BENCH:END" and rest == "floor" and block is not None:
            floor = json.loads("\n".join(block))
            block = None
        elif block is not None:
            block.append(line[len("BENCH:"):])
    return raw, machine, boots, results, floor


def metrics(r):
    """The numbers of one result: throughput and latency (us)."""
    res = r["result"]
    if r["workload"] == "dma_map_unmap":
        return {"ops_per_s": res["ops_per_s"], "p50_us": res["p50_us"], "p99_us": res["p99_us"]}
    return {"iops": res["iops"], "mib_s": res["mib_s"], "p50_us": res["lat_us"]["p50"],
            "p99_us": res["lat_us"]["p99"], "mean_us": res["lat_us"]["mean"]}


def run_configs(machine, boots):
    """The run's configurations, in CONFIGS order: those BENCH:MACHINE lists,
    or, for runs from before it listed them, those the boots name."""
    if "configs" in machine:
        listed = [c for c in machine["configs"].split(",") if c]
    else:
        listed = [b["config"] for b in boots]
    unknown = sorted(set(listed) - set(LETTER))
    if unknown:
        refuse("unknown configuration %s" % ", ".join(unknown))
    return [c for c, _, _ in CONFIGS if c in listed]


def check_complete(machine, boots, results):
    """Every boot verified, every (config, mode, workload) in every round."""
    if machine is None:
        refuse("no BENCH:MACHINE line (did the run start?)")
    if not boots:
        refuse("no boot reported")
    configs = run_configs(machine, boots)
    if not configs:
        refuse("the run has no configuration")
    extra = sorted({b["config"] for b in boots} - set(configs))
    if extra:
        refuse("boots of %s, which the run does not list" % ", ".join(extra))
    bad = [b for b in boots if not b.get("verified")]
    if bad:
        refuse("; ".join("round %d %s did not run as claimed (evidence %s)"
                         % (b["round"], b["config"], json.dumps(b["evidence"])) for b in bad))
    verified = {(b["round"], b["config"]) for b in boots}
    got = {}
    for r in results:
        if (r["round"], r["bench_config"]) not in verified:
            refuse("a result of round %d %s comes from no verified boot"
                   % (r["round"], r["bench_config"]))
        got[(r["round"], r["bench_config"], r["mode"], r["workload"])] = r
    want_modes = lambda c: ["-"] if c == "none" else ["strict", "lazy"]
    domain = {"-": "none", "strict": "DMA", "lazy": "DMA-FQ"}
    for rnd in range(machine["rounds"]):
        for c in configs:
            if (rnd, c) not in verified:
                refuse("round %d has no verified boot of %s" % (rnd, c))
            for m in want_modes(c):
                for w, _, _, _ in WORKLOADS:
                    r = got.get((rnd, c, m, w))
                    if r is None:
                        refuse("round %d %s %s: no %s result" % (rnd, c, m, w))
                    if r["domain"] != domain[m]:
                        refuse("round %d %s %s: the guest's domain was %s"
                               % (rnd, c, m, r["domain"]))
    kernels = {r.get("kernel", "unknown") for r in results}
    if len(kernels) != 1:
        refuse("the guests ran %s: one guest kernel for every configuration, or no comparison"
               % " and ".join(sorted(kernels)))
    return configs, got


def summarize(machine, got):
    """rows: (config, mode) -> workload -> metric -> {median, min, max, values}."""
    rows = {}
    for (rnd, c, m, w), r in sorted(got.items()):
        for k, v in metrics(r).items():
            rows.setdefault((c, m), {}).setdefault(w, {}).setdefault(k, []).append(v)
    out = {}
    for key, ws in rows.items():
        out[key] = {w: {k: {"median": statistics.median(v), "min": min(v), "max": max(v),
                            "values": v} for k, v in ms.items()} for w, ms in ws.items()}
    return out


def row_order(configs):
    """The table rows (config, mode) of the run's configurations."""
    for c, _, _ in CONFIGS:
        if c not in configs:
            continue
        if c == "none":
            yield (c, "-")
        else:
            for m in ("strict", "lazy"):
                yield (c, m)


def boot_ops(results):
    """Operations L2 reported in one boot, over all its workloads and modes:
    the DMA benchmark's map+unmap pairs (count) plus the I/Os of iogen (ios);
    None if a result carries neither."""
    n = 0
    for r in results:
        res = r["result"]
        v = res.get("count") if r["workload"] == "dma_map_unmap" else res.get("ios")
        if v is None:
            return None
        n += v
    return n


def cpu_per_op(configs, boots, got):
    """config -> {host_cpu_s, ops, us_per_op: {median, min, max, values}} over
    the rounds; only configurations whose every boot has host_cpu_s."""
    per = {}
    for b in boots:
        cpu = b["evidence"].get("host_cpu_s")
        res = [r for (rnd, c, m, w), r in got.items() if (rnd, c) == (b["round"], b["config"])]
        ops = boot_ops(res)
        per.setdefault(b["config"], []).append(
            (cpu, ops, cpu * 1e6 / ops if cpu is not None and ops else None))
    out = {}
    for c in configs:
        rows = per.get(c, [])
        if not rows or any(x[2] is None for x in rows):
            continue
        stat = lambda v: {"median": statistics.median(v), "min": min(v), "max": max(v),
                          "values": v}
        out[c] = {"host_cpu_s": stat([x[0] for x in rows]), "ops": stat([x[1] for x in rows]),
                  "us_per_op": stat([x[2] for x in rows])}
    return out


def fmt(v):
    if v >= 1000:
        return "%.0f" % v
    if v >= 10:
        return "%.1f" % v
    return "%.2f" % v


def ratio(x, y):
    if not y:
        return "n/a"
    return "%.2f" % (x / y) if x / y >= 0.1 else "%.2g" % (x / y)


# The ratios table: (numerator, denominator, metric) columns, bold or not;
# a column shows when the run has both configurations.
RATIOS = [
    ("pv-kernel", "pv-user", "tput", True), ("pv-kernel", "pv-user", "p50", True),
    ("pv-kernel", "vtd", "tput", True), ("pv-kernel", "vtd", "p50", True),
    ("pv-kernel", "none", "tput", False),
    ("pv-kernel-fast", "pv-kernel", "tput", True),
    ("pv-kernel-fast", "pv-user", "tput", True), ("pv-kernel-fast", "vtd", "tput", True),
    ("pv-kernel-fast", "none", "tput", False),
]
# The L1 floor's paths (pviommu-mapbench), in table order.
FLOOR_PATHS = ("vhost", "vhost-prepin", "userspace", "direct")
# The evidence table: (key in a boot's evidence, column title).
EVIDENCE = [
    ("trapped_vtd_invalidations", "trapped VT-d invalidations"),
    ("qemu_userspace_maps", "QEMU userspace MAPs"),
    ("vhost_kernel_maps", "vhost-iommu MAPs"),
    ("vhost_starts", "vhost starts"),
    ("ram_pinned_pages", "RAM pinned once (pages)"),
    ("max_pinned_pages", "max pinned per MAP (pages)"),
    ("qemu_poll_us", "poll-us set"),
    ("kicks", "kicks"),
    ("polled", "polled"),
    ("iotlb_syncs", "IOTLB syncs"),
    ("host_cpu_s", "host CPU (s)"),
]


def markdown(info, configs, summary, floor, cpu):
    L = []
    m = info["l1"]
    rows = list(row_order(configs))
    has = lambda c: c in configs
    L.append("# pviommu comparison: %s (%s)"
             % (" vs ".join(SHORT[c] for c in configs), info["timestamp"]))
    L.append("")
    L.append("**Where it ran.** %s" % info["where"])
    L.append("Host (%s): %s, %d CPUs, kernel %s; device %s (%s) assigned to L2 with vfio-pci. "
             "L2: Debian kernel %s, 1 vCPU, 256 MiB, under KVM, QEMU `%s` (`-M q35`) for "
             "every configuration. Source: git %s."
             % (info["host_level"], m["cpu"], m["cpus"], m["kernel"], m["device"], m["device_id"],
                info["guest_kernel"], m["qemu"], info["git"]))
    L.append("")
    L.append("%d rounds; each round boots the %s configurations once, in an order that rotates "
             "round by round; a boot runs strict (`iommu.strict=1`) then lazy (DMA -> DMA-FQ, "
             "switched live). I/O: %g s measured per workload, O_DIRECT through io_uring on the "
             "whole namespace. Values are the **median over rounds** (min-max in results.json). "
             "Every boot was checked to run as claimed (evidence per boot below)."
             % (m["rounds"], NUMBER.get(len(configs), str(len(configs))), m["seconds"]))
    base = summary.get(("none", "-"))
    for w, title, tput, unit in WORKLOADS:
        L.append("")
        L.append("## %s" % title)
        L.append("")
        L.append("| configuration | mode | %s | p50 latency (us) | p99 latency (us) | "
                 "**throughput / (a)** | **p50 latency / (a)** |" % unit)
        L.append("|---|---|---:|---:|---:|---:|---:|")
        for c, md in rows:
            s = summary[(c, md)][w]
            L.append("| (%s) %s | %s | %s | %s | %s | %s | %s |"
                     % (LETTER[c], LABEL[c], md, fmt(s[tput]["median"]),
                        fmt(s["p50_us"]["median"]), fmt(s["p99_us"]["median"]),
                        ratio(s[tput]["median"], base[w][tput]["median"]) if base else "n/a",
                        ratio(s["p50_us"]["median"], base[w]["p50_us"]["median"])
                        if base else "n/a"))
    cols = [(x, y, k, b) for x, y, k, b in RATIOS if has(x) and has(y)]
    if cols:
        L.append("")
        L.append("## The ratios the project exists for")
        L.append("")
        better = [t for c, t in (("pv-kernel", "(d), the in-kernel PV backend"),
                                 ("pv-kernel-fast", "(e), the in-kernel PV backend with its "
                                  "fast path")) if has(c)]
        L.append("Throughput ratios > 1 and latency ratios < 1 mean that %s, is better."
                 % ", or ".join(better))
        L.append("")
        L.append("| workload | mode | %s |" % " | ".join(
            "(%s)/(%s) %s" % (LETTER[x], LETTER[y], "throughput" if k == "tput" else "p50 latency")
            for x, y, k, _ in cols))
        L.append("|---|---|%s" % ("---:|" * len(cols)))
        for w, title, tput, _ in WORKLOADS:
            for md in ("strict", "lazy"):
                cells = []
                for x, y, k, bold in cols:
                    metric = tput if k == "tput" else "p50_us"
                    sy = summary[(y, "-" if y == "none" else md)][w]
                    v = ratio(summary[(x, md)][w][metric]["median"], sy[metric]["median"])
                    cells.append("**%s**" % v if bold else v)
                L.append("| %s | %s | %s |" % (title, md, " | ".join(cells)))
    if cpu:
        ref = cpu.get("pv-kernel")
        L.append("")
        L.append("## Host CPU-seconds per operation")
        L.append("")
        L.append("The host CPU time of each boot's QEMU (user + system, all its threads; the "
                 "vhost worker is one of them on 6.4 and later, and its kthread is added before "
                 "6.4) divided by the operations L2 reported in that boot: the DMA "
                 "benchmark's map+unmap pairs plus the I/Os of the three I/O workloads, both "
                 "modes. It includes L2's boot and shutdown, a cost per boot that (a), with "
                 "one mode and half the operations, spreads over fewer. Median over rounds.")
        L.append("")
        L.append("| configuration | host CPU per boot (s) | operations per boot "
                 "| **host CPU per operation (us)** | / (d) |")
        L.append("|---|---:|---:|---:|---:|")
        for c in configs:
            if c not in cpu:
                continue
            x = cpu[c]
            L.append("| (%s) %s | %s | %.0f | **%s** | %s |"
                     % (LETTER[c], LABEL[c], fmt(x["host_cpu_s"]["median"]),
                        x["ops"]["median"], fmt(x["us_per_op"]["median"]),
                        ratio(x["us_per_op"]["median"], ref["us_per_op"]["median"])
                        if ref else "n/a"))
    if floor:
        lab = floor["paths"]
        res = {(r["live"], r["path"]): r for r in floor["results"]}
        L.append("")
        L.append("## The L1 floor: one 4 KiB MAP + UNMAP on the host (pviommu-mapbench)")
        L.append("")
        L.append("On the host itself, no guest: %d rounds x %d round trips, 1 live mapping, "
                 "all threads on one CPU (bench/README.md). Median (p10-p90), us."
                 % (floor["params"]["rounds"], floor["params"]["iters"]))
        L.append("")
        L.append("| path | MAP | UNMAP | MAP + UNMAP | / type1 direct |")
        L.append("|---|---:|---:|---:|---:|")
        direct = res[(1, "direct")]["pair_us"]["median"]
        for p in FLOOR_PATHS:
            if (1, p) not in res:
                continue
            r = res[(1, p)]
            L.append("| %s | %s | %s | %s (%s-%s) | %s |"
                     % (lab[p], fmt(r["map_us"]["median"]), fmt(r["unmap_us"]["median"]),
                        fmt(r["pair_us"]["median"]), fmt(r["pair_us"]["p10"]),
                        fmt(r["pair_us"]["p90"]), ratio(r["pair_us"]["median"], direct)))
    ev = [(k, t) for k, t in EVIDENCE if any(k in b["evidence"] for b in info["boots"])]
    L.append("")
    L.append("## Evidence that each boot ran as claimed")
    L.append("")
    L.append("| round | configuration | %s |" % " | ".join(t for _, t in ev))
    L.append("|---:|---|%s" % ("---:|" * len(ev)))
    for b in info["boots"]:
        e = b["evidence"]
        L.append("| %d | (%s) %s | %s |"
                 % (b["round"], LETTER[b["config"]], b["config"],
                    " | ".join("-" if e.get(k) is None else str(e[k]) for k, _ in ev)))
    L.append("")
    L.append("Plots: throughput_vs_none.png, latency_4k_qd1.png, latency_cdf_4k_qd1.png, "
             "dma_map_unmap.png. How to read all this: docs/bench.md.")
    return "\n".join(L) + "\n"


def gnuplot(out, name, script):
    with open(os.path.join(out, name + ".gp"), "w") as f:
        f.write(script)
    subprocess.run(["gnuplot", name + ".gp"], cwd=out, check=True)


PLOT_HEAD = """set terminal pngcairo size 1100,600 font "sans,10" noenhanced
set output "%s.png"
set title "%s"
set key outside right top vertical
set grid ytics
set linetype 9 linecolor rgb "#a0522d" pointtype 9
set linetype 10 linecolor rgb "#808080" pointtype 10
"""


def row_name(c, m):
    return "(%s) %s" % (LETTER[c], c) + ("" if m == "-" else " " + m)


def plots(out, configs, summary, got):
    rows = [r for r in row_order(configs) if r[0] != "none"]
    names = [row_name(c, m) for c, m in rows]
    # 1. I/O throughput of each configuration relative to (a), per workload
    # (a run without (a) has no such plot).
    if "none" in configs and rows:
        throughput_vs_none(out, summary, rows, names)
    latency_plots(out, configs, summary, got)


def throughput_vs_none(out, summary, rows, names):
    with open(os.path.join(out, "throughput_vs_none.dat"), "w") as f:
        f.write("workload " + " ".join('"%s" lo hi' % n for n in names) + "\n")
        for w, title, tput, _ in WORKLOADS[1:]:
            b = summary[("none", "-")][w][tput]["median"]
            cols = []
            for key in rows:
                s = summary[key][w][tput]
                cols += ["%.4f %.4f %.4f" % (s["median"] / b, s["min"] / b, s["max"] / b)]
            f.write('"%s" %s\n' % (title, " ".join(cols)))
    gnuplot(out, "throughput_vs_none", PLOT_HEAD % (
        "throughput_vs_none", "I/O throughput relative to no vIOMMU (a) = 1; median over "
        "rounds, error bars min-max") + """set style data histogram
set style histogram errorbars gap 1 lw 1
set style fill solid 0.8 border -1
set ylabel "throughput / (a)"
set yrange [0:*]
set xtics noenhanced
set key noenhanced
plot for [i=0:%d] "throughput_vs_none.dat" using (column(2+3*i)):(column(3+3*i)):(column(4+3*i)):xtic(1) title columnhead(2+3*i)
""" % (len(rows) - 1))


def latency_plots(out, configs, summary, got):
    # 2. 4 KiB QD1 latency p50 / p99 per configuration.
    with open(os.path.join(out, "latency_4k_qd1.dat"), "w") as f:
        f.write("# row p50 p99\n")
        for c, m in row_order(configs):
            s = summary[(c, m)]["randread_4k_qd1"]
            f.write('"%s" %.2f %.2f\n' % (row_name(c, m), s["p50_us"]["median"],
                                          s["p99_us"]["median"]))
    gnuplot(out, "latency_4k_qd1", PLOT_HEAD % (
        "latency_4k_qd1", "4 KiB random read latency at QD1 (median over rounds)") + """set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set ylabel "latency (us)"
set yrange [0:*]
set xtics rotate by -20 noenhanced
plot "latency_4k_qd1.dat" using 2:xtic(1) title "p50", "" using 3 title "p99"
""")
    # 3. Latency CDF of 4 KiB QD1 reads: per quantile, the median over rounds.
    with open(os.path.join(out, "latency_cdf_4k_qd1.dat"), "w") as f:
        for c, m in row_order(configs):
            cdfs = [r["result"]["cdf_us"] for (rnd, cc, mm, w), r in sorted(got.items())
                    if cc == c and mm == m and w == "randread_4k_qd1"]
            f.write('"%s"\n' % row_name(c, m))
            for i, (q, _) in enumerate(cdfs[0]):
                f.write("%.2f %.3f\n" % (statistics.median(cd[i][1] for cd in cdfs), q))
            f.write("\n\n")
    gnuplot(out, "latency_cdf_4k_qd1", PLOT_HEAD % (
        "latency_cdf_4k_qd1", "4 KiB random reads at QD1: latency CDF") + """set xlabel "latency (us, log scale)"
set ylabel "fraction of reads"
set logscale x
set yrange [0:1]
set key noenhanced
plot for [i=0:%d] "latency_cdf_4k_qd1.dat" index i using 1:2 with linespoints title columnheader(1)
""" % (len(list(row_order(configs))) - 1))
    # 4. In-guest map+unmap rate.
    with open(os.path.join(out, "dma_map_unmap.dat"), "w") as f:
        f.write("# row ops lo hi\n")
        for c, m in row_order(configs):
            s = summary[(c, m)]["dma_map_unmap"]["ops_per_s"]
            f.write('"%s" %.1f %.1f %.1f\n' % (row_name(c, m), s["median"], s["min"], s["max"]))
    gnuplot(out, "dma_map_unmap", PLOT_HEAD % (
        "dma_map_unmap", "In-guest 4 KiB dma_map + dma_unmap pairs per second (log scale)") +
        """set style data histogram
set style histogram errorbars gap 1 lw 1
set style fill solid 0.8 border -1
set ylabel "pairs/s"
set logscale y
set xtics rotate by -20 noenhanced
unset key
plot "dma_map_unmap.dat" using 2:3:4:xtic(1)
""")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("out")
    ap.add_argument("--l0-qemu-cmd", help="L0 QEMU's command line (the emulated host)")
    ap.add_argument("--native", action="store_true", help="the host is real hardware")
    a = ap.parse_args()

    raw, machine, boots, results, floor = parse(a.log)
    configs, got = check_complete(machine, boots, results)
    summary = summarize(machine, got)
    cpu = cpu_per_op(configs, boots, got)
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "raw.jsonl"), "w") as f:
        f.write("\n".join(raw) + "\n")

    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    rev = subprocess.run(["git", "-C", repo, "describe", "--always", "--dirty"],
                         capture_output=True, text=True).stdout.strip() or "unknown"
    if a.native:
        where = ("The host is this machine itself (`--l1 native`); L2 under KVM on it.")
        host_level, accel = "the real host", "native"
    else:
        cmd = open(a.l0_qemu_cmd).read() if a.l0_qemu_cmd else ""
        accel = "tcg" if "-accel tcg" in cmd else "kvm" if "-accel kvm" in cmd else "unknown"
        where = ("The emulated host: L1 is a QEMU **%s** guest (L0 QEMU `-M q35 -cpu EPYC`, "
                 "emulated intel-iommu, edu and NVMe) on %s with %d CPUs; L2 runs under KVM "
                 "nested inside L1, so every L2 exit is emulated twice. Absolute numbers are "
                 "those of emulation; read the ratios (docs/bench.md)."
                 % (accel.upper(), open("/proc/cpuinfo").read().split("model name")[1]
                    .split(":", 1)[1].split("\n")[0].strip(), os.cpu_count()))
        host_level = "L1, the emulated host"
    info = {"timestamp": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()), "git": rev,
            "where": where, "host_level": host_level, "accel": accel, "l1": machine,
            "guest_kernel": results[0].get("kernel", "unknown"), "boots": boots}
    doc = {"benchmark": "pviommu-compare", "format": 1, **info, "configs": configs,
           "floor": floor,
           "summary": [{"config": c, "mode": m, "workloads": summary[(c, m)]}
                       for c, m in row_order(configs)],
           "host_cpu_per_op": [{"config": c, **cpu[c]} for c in configs if c in cpu],
           "results": results}
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(doc, f, indent=1)
    md = markdown(info, configs, summary, floor, cpu)
    with open(os.path.join(a.out, "results.md"), "w") as f:
        f.write(md)
    plots(a.out, configs, summary, got)
    print(md)


if __name__ == "__main__":
    main()
