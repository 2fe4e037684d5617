#!/usr/bin/env bash
# Rounds of the dnsperf bench with gdnsd and traffic-policy (plus the adapters in EXTRA) in alternating order, then
# the medians over every run of every round and each server's ratios to gdnsd.
#
#   bash traffic-policy-dns/src/bench/interleaved.sh [ROUNDS] [options...]
#
# Without BENCH (the usual case) this is dnsperf/run.sh -r ROUNDS -s "gdnsd traffic-policy $EXTRA" with the
# options given (run.sh's: -w "static shared wide names", -m, -j, -l, -W ...), e.g.
#   bash traffic-policy-dns/src/bench/interleaved.sh 3 -w "shared wide" -m "pinned unpinned" -l 10 -W 10
# With BENCH set to the team's older bench folder (run-anchors.sh, servers/, summarize.py), it runs that folder's
# run-anchors.sh once per round as the figures recorded before the repository had its own runner were taken; the
# options are then run-anchors.sh's, e.g. -w "static geo-ecsmix" -m "pinned unpinned" -r 3 -l 10 -W 15.
# On a shared VM, throughput drifts by 10-15 % within minutes; alternating the order and pooling the runs keeps
# that drift from landing on one server only. Needs the built jar (./mvnw -B -o -q -DskipTests package).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROUNDS="${1:-3}"
shift || true
if [[ -z "${BENCH:-}" ]]; then
  # shellcheck disable=SC2086
  exec bash "$HERE/dnsperf/run.sh" -r "$ROUNDS" -s "gdnsd traffic-policy ${EXTRA:-}" "$@"
fi
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
