#!/usr/bin/env python3
"""Reports of the dnsperf bench (run.sh).

  report.py gc GC_LOG FROM TO     pauses in bytes FROM..TO of a JVM log written with -Xlog:gc*: prints
                                  "PAUSES MAX_MS FULL" (every stop-the-world pause, the longest, full collections)
  report.py summary RUNS.TSV...   the markdown table: per mode, workload and server, medians over every run of
                                  every round, and the ratios to gdnsd of the same cells
  report.py starts STARTS.TSV     start-up times and RSS per server and configuration
"""
import csv
import re
import statistics
import sys

PAUSE = re.compile(r"GC\(\d+\) Pause (\w+).* ([0-9.]+)ms$")


def gc(path, start, end):
    with open(path, "rb") as f:
        f.seek(start)
        text = f.read(max(0, end - start)).decode("utf-8", "replace")
    pauses, longest, full = 0, 0.0, 0
    for line in text.splitlines():
        m = PAUSE.search(line)
        if m:
            pauses += 1
            longest = max(longest, float(m.group(2)))
            full += m.group(1) == "Full"
    print("%d %.1f %d" % (pauses, longest, full))


def number(x):
    return "{:,.0f}".format(x)


def summary(paths):
    rows = []
    for p in paths:
        with open(p) as f:
            rows.extend(csv.DictReader(f, delimiter="\t"))
    cells = {}
    for r in rows:
        cells.setdefault((r["mode"], r["workload"]), {}).setdefault(r["server"], []).append(r)

    def per_core(r):
        cpu = float(r["srv_cpu_s"]) / float(r["wall_s"]) if float(r["wall_s"]) > 0 else 0
        return float(r["qps"]) / cpu if cpu > 0 else 0.0

    print("| mode | workload | server | QPS median (min–max) | QPS per server core | vs gdnsd: QPS | vs gdnsd: per "
          "core | avg latency ms | max latency ms (median, worst) | lost / sent | RSS MiB (max) | GC pauses, longest ms, "
          "full | runs |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    medians = {}
    for (mode, workload), servers in cells.items():
        base = servers.get("gdnsd")
        for server, rs in servers.items():
            qps = [float(r["qps"]) for r in rs]
            core = statistics.median(per_core(r) for r in rs)
            q = statistics.median(qps)
            medians[(mode, workload, server)] = q
            ratio_q = ratio_c = ""
            if base and server != "gdnsd":
                base_q = statistics.median(float(r["qps"]) for r in base)
                base_c = statistics.median(per_core(r) for r in base)
                ratio_q = "%.2f×" % (q / base_q) if base_q > 0 else "–"
                ratio_c = "%.2f×" % (core / base_c) if base_c > 0 else "–"
            maxes = [float(r["max_ms"]) for r in rs]
            gcs = [r for r in rs if r["gc_pauses"] not in ("-", "")]
            gc_text = "–" if not gcs else "%d, %s, %d" % (
                sum(int(r["gc_pauses"]) for r in gcs), max(float(r["gc_max_ms"]) for r in gcs),
                sum(int(r["gc_full"]) for r in gcs))
            rate = "@" in workload  # per-core figures below saturation say little
            print("| %s | %s | %s | %s (%s–%s) | %s | %s | %s | %.3f | %.1f, %.1f | %d / %d | %.0f | %s | %d |" % (
                mode, workload, server, number(q), number(min(qps)), number(max(qps)),
                "–" if rate else number(core), ratio_q, "" if rate else ratio_c,
                statistics.median(float(r["avg_ms"]) for r in rs), statistics.median(maxes), max(maxes),
                sum(int(r["lost"]) for r in rs), sum(int(r["sent"]) for r in rs),
                max(int(r["rss_kib"]) for r in rs) / 1024, gc_text, len(rs)))
    lines = []
    for (mode, workload, server), q in medians.items():
        if workload == "names" and medians.get((mode, "wide", server)):
            lines.append("* %s, %s: names (100,000 records) / wide (one record) = %.2f" % (
                mode, server, q / medians[(mode, "wide", server)]))
    if lines:
        print("\nQPS over the 100,000 names against the one-record figure on the same client subnets (medians):\n")
        print("\n".join(lines))


def starts(path):
    """Median seconds from launch to the first answer, per server and configuration (run.sh's starts.tsv)."""
    with open(path) as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    if not rows:
        return
    groups = {}
    for r in rows:
        groups.setdefault((r["server"], r["variant"]), []).append(r)
    print("\nStart-up (launch to the first answer of the zone's SOA; RSS then), medians over %d starts:\n" % len(rows))
    print("| server | configuration | ready s | RSS MiB at ready |")
    print("|---|---|---:|---:|")
    for (server, variant), rs in groups.items():
        print("| %s | %s | %.1f | %.0f |" % (server, variant, statistics.median(float(r["ready_s"]) for r in rs),
                                            statistics.median(int(r["rss_kib"]) for r in rs) / 1024))


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "gc":
        gc(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif len(sys.argv) >= 3 and sys.argv[1] == "summary":
        summary(sys.argv[2:])
    elif len(sys.argv) == 3 and sys.argv[1] == "starts":
        starts(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
