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
]
LETTER = {k: l for k, l, _ in CONFIGS}
LABEL = {k: t for k, _, t in CONFIGS}
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


def check_complete(machine, boots, results):
    """Every boot verified, every (config, mode, workload) in every round."""
    if machine is None:
        refuse("no BENCH:MACHINE line (did the run start?)")
    if not boots:
        refuse("no boot reported")
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
        for c, _, _ in CONFIGS:
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
    return got


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


def row_order():
    yield ("none", "-")
    for c in ("vtd", "pv-user", "pv-kernel"):
        for m in ("strict", "lazy"):
            yield (c, m)


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


def markdown(info, summary, floor):
    L = []
    m = info["l1"]
    L.append("# pviommu comparison: no vIOMMU vs TLBI trapping vs PV userspace vs PV kernel (%s)"
             % info["timestamp"])
    L.append("")
    L.append("**Where it ran.** %s" % info["where"])
    L.append("Host (%s): %s, %d CPUs, kernel %s; device %s (%s) assigned to L2 with vfio-pci. "
             "L2: Debian kernel %s, 1 vCPU, 256 MiB, under KVM, QEMU `%s` (`-M q35`) for "
             "every configuration. Source: git %s."
             % (info["host_level"], m["cpu"], m["cpus"], m["kernel"], m["device"], m["device_id"],
                info["guest_kernel"], m["qemu"], info["git"]))
    L.append("")
    L.append("%d rounds; each round boots the four configurations once, in an order that rotates "
             "round by round; a boot runs strict (`iommu.strict=1`) then lazy (DMA -> DMA-FQ, "
             "switched live). I/O: %g s measured per workload, O_DIRECT through io_uring on the "
             "whole namespace. Values are the **median over rounds** (min-max in results.json). "
             "Every boot was checked to run as claimed (evidence per boot below)."
             % (m["rounds"], m["seconds"]))
    base = summary[("none", "-")]
    for w, title, tput, unit in WORKLOADS:
        L.append("")
        L.append("## %s" % title)
        L.append("")
        L.append("| configuration | mode | %s | p50 latency (us) | p99 latency (us) | "
                 "**throughput / (a)** | **p50 latency / (a)** |" % unit)
        L.append("|---|---|---:|---:|---:|---:|---:|")
        for c, md in row_order():
            s = summary[(c, md)][w]
            L.append("| (%s) %s | %s | %s | %s | %s | %s | %s |"
                     % (LETTER[c], LABEL[c], md, fmt(s[tput]["median"]),
                        fmt(s["p50_us"]["median"]), fmt(s["p99_us"]["median"]),
                        ratio(s[tput]["median"], base[w][tput]["median"]),
                        ratio(s["p50_us"]["median"], base[w]["p50_us"]["median"])))
    L.append("")
    L.append("## The ratios the project exists for")
    L.append("")
    L.append("Throughput ratios > 1 and latency ratios < 1 mean (d), the in-kernel PV backend, "
             "is better.")
    L.append("")
    L.append("| workload | mode | (d)/(c) throughput | (d)/(c) p50 latency | (d)/(b) throughput "
             "| (d)/(b) p50 latency | (d)/(a) throughput |")
    L.append("|---|---|---:|---:|---:|---:|---:|")
    for w, title, tput, _ in WORKLOADS:
        for md in ("strict", "lazy"):
            d, c, b = (summary[(k, md)][w] for k in ("pv-kernel", "pv-user", "vtd"))
            L.append("| %s | %s | **%s** | **%s** | **%s** | **%s** | %s |"
                     % (title, md, ratio(d[tput]["median"], c[tput]["median"]),
                        ratio(d["p50_us"]["median"], c["p50_us"]["median"]),
                        ratio(d[tput]["median"], b[tput]["median"]),
                        ratio(d["p50_us"]["median"], b["p50_us"]["median"]),
                        ratio(d[tput]["median"], base[w][tput]["median"])))
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
        for p in ("vhost", "userspace", "direct"):
            r = res[(1, p)]
            L.append("| %s | %s | %s | %s (%s-%s) | %s |"
                     % (lab[p], fmt(r["map_us"]["median"]), fmt(r["unmap_us"]["median"]),
                        fmt(r["pair_us"]["median"]), fmt(r["pair_us"]["p10"]),
                        fmt(r["pair_us"]["p90"]), ratio(r["pair_us"]["median"], direct)))
    L.append("")
    L.append("## Evidence that each boot ran as claimed")
    L.append("")
    L.append("| round | configuration | trapped VT-d invalidations | QEMU userspace MAPs "
             "| vhost-iommu MAPs | vhost starts |")
    L.append("|---:|---|---:|---:|---:|---:|")
    for b in info["boots"]:
        e = b["evidence"]
        L.append("| %d | (%s) %s | %d | %d | %d | %d |"
                 % (b["round"], LETTER[b["config"]], b["config"], e["trapped_vtd_invalidations"],
                    e["qemu_userspace_maps"], e["vhost_kernel_maps"], e["vhost_starts"]))
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
"""


def row_name(c, m):
    return "(%s) %s" % (LETTER[c], c) + ("" if m == "-" else " " + m)


def plots(out, summary, got):
    rows = [r for r in row_order() if r[0] != "none"]
    names = [row_name(c, m) for c, m in rows]
    # 1. I/O throughput of each configuration relative to (a), per workload.
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
    # 2. 4 KiB QD1 latency p50 / p99 per configuration.
    with open(os.path.join(out, "latency_4k_qd1.dat"), "w") as f:
        f.write("# row p50 p99\n")
        for c, m in row_order():
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
        for c, m in row_order():
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
""" % (len(rows)))
    # 4. In-guest map+unmap rate.
    with open(os.path.join(out, "dma_map_unmap.dat"), "w") as f:
        f.write("# row ops lo hi\n")
        for c, m in row_order():
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
    got = check_complete(machine, boots, results)
    summary = summarize(machine, got)
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
    doc = {"benchmark": "pviommu-compare", "format": 1, **info, "floor": floor,
           "summary": [{"config": c, "mode": m, "workloads": summary[(c, m)]}
                       for c, m in row_order()],
           "results": results}
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(doc, f, indent=1)
    md = markdown(info, summary, floor)
    with open(os.path.join(a.out, "results.md"), "w") as f:
        f.write(md)
    plots(a.out, summary, got)
    print(md)


if __name__ == "__main__":
    main()
