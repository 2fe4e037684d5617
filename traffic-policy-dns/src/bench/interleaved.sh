#!/usr/bin/env bash
# Runs the dnsperf bench (its run-anchors.sh) several rounds with gdnsd and traffic-policy in alternating order, then
# prints the medians over every run of every round (the bench's summarize.py over all runs.tsv) and each server's
# ratios to gdnsd. EXTRA="adapter ..." adds servers to every round (e.g. the gdnsd-batch.sh and
# traffic-policy-normal.sh rows beside this file); the order of the whole list is reversed every other round.
# On a shared VM, throughput drifts by 10-15 % within minutes; alternating the order and pooling the runs keeps
# that drift from landing on one server only.
#
#   bash traffic-policy-dns/src/bench/interleaved.sh [ROUNDS] [run-anchors.sh options...]
#   e.g. bash traffic-policy-dns/src/bench/interleaved.sh 3 -w "static geo-ecsmix" -m "pinned unpinned" -r 3 -l 10 -W 15
#
# BENCH (required): the dnsperf bench folder (run-anchors.sh, servers/, summarize.py), which this repository does
# not contain yet. Needs the built jar
# (./mvnw -q -DskipTests package).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BENCH="${BENCH:?set BENCH to the dnsperf bench folder (run-anchors.sh, servers/, summarize.py)}"
ROUNDS="${1:-3}"
shift || true
OURS="$HERE/traffic-policy.sh"
dirs=()
for ((round = 1; round <= ROUNDS; round++)); do
  list=(gdnsd "$OURS" ${EXTRA:-})
  if ((round % 2 == 0)); then
    for ((i = 0, j = ${#list[@]} - 1; i < j; i++, j--)); do t="${list[i]}"; list[i]="${list[j]}"; list[j]="$t"; done
  fi
  servers="${list[*]}"
  echo "== round $round/$ROUNDS: $servers" >&2
  # tee to the inherited stderr, not /dev/stderr: reopening that path would truncate a redirected log file.
  out="$(bash "$BENCH/run-anchors.sh" -s "$servers" "$@" 2>&1 | tee >(cat >&2))"
  dir="$(sed -n 's/.*results in \(.*\)$/\1/p' <<<"$out" | tail -1)"
  [[ -n "$dir" && -f "$dir/runs.tsv" ]] || { echo "round $round: no results directory" >&2; exit 1; }
  dirs+=("$dir")
done
runs=()
for d in "${dirs[@]}"; do runs+=("$d/runs.tsv"); done
echo
echo "Rounds: ${dirs[*]}"
/usr/bin/python3 "$BENCH/summarize.py" "${runs[@]}"
echo
/usr/bin/python3 - "${runs[@]}" <<'EOF'
import csv, statistics, sys
rows = []
for f in sys.argv[1:]:
    with open(f) as fh:
        rows += list(csv.DictReader(fh, delimiter="\t"))
cells = {}
for r in rows:
    key = (r["mode"], r["workload"], r["server"])
    qps, cpu = float(r["qps"]), float(r["srv_cpu_pct"])
    c = cells.setdefault(key, {"qps": [], "per_core": [], "lost": 0})
    c["qps"].append(qps)
    c["per_core"].append(qps / (cpu / 100) if cpu > 0 else 0)
    c["lost"] += int(r["lost"])
print("| mode | workload | server | gdnsd QPS (per srv core) | server QPS (per srv core) | ratio QPS | ratio per core "
      "| runs | lost |")
print("|---|---|---|---:|---:|---:|---:|---:|---:|")
for (mode, workload, server), ours in sorted(cells.items()):
    if server == "gdnsd" or (mode, workload, "gdnsd") not in cells:
        continue
    g = cells[(mode, workload, "gdnsd")]
    gq, gc = statistics.median(g["qps"]), statistics.median(g["per_core"])
    oq, oc = statistics.median(ours["qps"]), statistics.median(ours["per_core"])
    print(f"| {mode} | {workload} | {server} | {gq:,.0f} ({gc:,.0f}) | {oq:,.0f} ({oc:,.0f}) | {oq / gq:.2f}x "
          f"| {oc / gc:.2f}x | {len(ours['qps'])} | {ours['lost']} |")
EOF
