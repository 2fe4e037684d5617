#!/usr/bin/env bash
# dnsperf beside gdnsd: starts each server on loopback, loads it with dnsperf, stops it, and prints a markdown table
# of medians over every run of every round, with each server's ratios to gdnsd measured in the same rounds.
#
#   bash traffic-policy-dns/src/bench/dnsperf/run.sh [-s SERVERS] [-w WORKLOADS] [-m MODES] [-j JVM_SETS]
#        [-x "JVM FLAGS"] [-r ROUNDS] [-n RUNS] [-l SECONDS] [-W WARMUP] [-c CLIENTS] [-q OUTSTANDING]
#        [-p FIRST_PORT] [-o OUTDIR]
#
#   -s  adapters: gdnsd, traffic-policy, floor (floor.sh: a responder that does no lookup, the bound of any
#       server; pinned only), or paths to files of the same shape (e.g. ../gdnsd-batch.sh,
#       ../traffic-policy-normal.sh)                                          default "gdnsd traffic-policy"
#   -w  workloads                                                   default "static shared wide names"
#         static  20,000 queries on the static zone example.test (A, AAAA, MX, CNAME, TXT, NXDOMAIN), no EDNS
#         shared  www.example.test A from 4,520 ECS client subnets (4,120 /24 + 400 /56), 50,000 queries
#         wide    www.example.test A from 369,000 ECS client subnets (309,000 /24 + 60,000 /56), 1,000,000 queries
#         names   100,000 policy records n000000.scale.test... (10 policies x 10 versions), 1,000,000 queries, each
#                 for a random name with a client subnet of the wide mix; gdnsd serves the same 100,000 names
#         NAME@RATE runs at a fixed RATE queries per second (dnsperf -Q): latency below saturation
#   -m  pinned (server on CPU 1 with 1 UDP thread, dnsperf on CPU 0, by taskset) and/or unpinned (no affinity,
#       one UDP thread per CPU)                                               default "pinned unpinned"
#   -j  JVM flag sets of Java adapters, each its own row: adapter (the adapter's flags: the README's recommended
#       -XX:+UseSerialGC -Xms96m -Xmx96m -Xmn24m), defaults (no heap or GC flag), custom (the -x flags)
#                                                                            default "adapter defaults"
#   -r  rounds (the order of the servers is reversed every other round)     default 3
#   -n  measured runs per cell and round                                    default 1
#   -l  seconds per measured run (at most 120), -W seconds of warm-up before each workload   defaults 10, 10
#   -c, -q  dnsperf clients and outstanding queries (-t 2 always)           defaults 8, 128
#   -p  first port: the servers get FIRST_PORT, +1, ... on 127.0.0.1         default 5321
#   -o  output directory         default $BENCH_DATA/dnsperf-results/DATE (BENCH_DATA: ~/.cache/traffic-policy-bench)
#
# Needs: dnsperf, gdnsd, dig, python3, taskset, /usr/bin/time (setup.sh installs them), the GeoLite2 City database
# (setup.sh, or ../get-geolite.sh) and the jar (./mvnw -B -o -q -DskipTests package). The query files are made
# once by make_data.py into $BENCH_DATA/dnsperf. Output: OUTDIR/runs.tsv (every run), OUTDIR/summary.md (the
# tables), OUTDIR/starts.tsv (time to the first answer), OUTDIR/env.txt, OUTDIR/raw/ (dnsperf outputs),
# OUTDIR/srv/ (each server's configuration, log and GC log).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"

SERVERS="gdnsd traffic-policy"
WORKLOADS="static shared wide names"
MODES="pinned unpinned"
JVM_SETS="adapter defaults"
CUSTOM_FLAGS=""
ROUNDS=3; RUNS=1; LEN=10; WARMUP=10; CLIENTS=8; OUTSTANDING=128; FIRST_PORT=5321
OUTDIR="$BENCH_DATA/dnsperf-results/$(date +%Y%m%d-%H%M%S)"
COMMAND="$(printf "%q " "$0" "$@")"
while getopts "s:w:m:j:x:r:n:l:W:c:q:p:o:h" o; do
  case "$o" in
    s) SERVERS="$OPTARG" ;; w) WORKLOADS="$OPTARG" ;; m) MODES="$OPTARG" ;; j) JVM_SETS="$OPTARG" ;;
    x) CUSTOM_FLAGS="$OPTARG" ;; r) ROUNDS="$OPTARG" ;; n) RUNS="$OPTARG" ;; l) LEN="$OPTARG" ;;
    W) WARMUP="$OPTARG" ;; c) CLIENTS="$OPTARG" ;; q) OUTSTANDING="$OPTARG" ;; p) FIRST_PORT="$OPTARG" ;;
    o) OUTDIR="$OPTARG" ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
  esac
done
((LEN >= 1 && LEN <= 120)) || die "-l $LEN: keep each run between 1 and 120 seconds"
((WARMUP >= 0 && WARMUP <= 120)) || die "-W $WARMUP: between 0 (no warm-up) and 120 seconds"
for tool in dnsperf dig python3 taskset; do command -v "$tool" > /dev/null || die "$tool missing (run setup.sh)"; done
[[ -x /usr/bin/time ]] || die "/usr/bin/time missing (apt-get install time)"
NCPU=$(nproc)
[[ " $MODES " != *" pinned "* ]] || ((NCPU >= 2)) || die "pinned mode needs 2 CPUs"
for m in $MODES; do [[ "$m" == pinned || "$m" == unpinned ]] || die "unknown mode $m"; done
for j in $JVM_SETS; do [[ "$j" =~ ^(adapter|defaults|custom)$ ]] || die "unknown JVM flag set $j"; done
[[ " $JVM_SETS " != *" custom "* || -n "$CUSTOM_FLAGS" ]] || die "-j custom needs -x FLAGS"
ensure_inputs "$WORKLOADS"
mkdir -p "$OUTDIR/raw" "$OUTDIR/srv"
OUTDIR="$(cd "$OUTDIR" && pwd)"

# The rows: one per adapter, and per JVM flag set for Java adapters. ENTRY_ADAPTER/ENTRY_SET/ENTRY_NAME by index.
ENTRY_ADAPTER=(); ENTRY_SET=(); ENTRY_NAME=()
NEEDS_JAR=""
for s in $SERVERS; do
  load_adapter "$s"
  if [[ "$SRV_JAVA" == 1 ]]; then
    NEEDS_JAR="$TP_JAR"
    for j in $JVM_SETS; do
      ENTRY_ADAPTER+=("$s"); ENTRY_SET+=("$j")
      if [[ "$j" == adapter ]]; then ENTRY_NAME+=("$SRV_NAME"); else ENTRY_NAME+=("$SRV_NAME/jvm-$j"); fi
    done
  else
    ENTRY_ADAPTER+=("$s"); ENTRY_SET+=(""); ENTRY_NAME+=("$SRV_NAME")
  fi
done
if [[ -n "$NEEDS_JAR" && ! -s "$NEEDS_JAR" ]]; then die "no jar at $NEEDS_JAR: ./mvnw -B -o -q -DskipTests package"; fi

TP_NAMES_REGISTRY=""
if [[ " $WORKLOADS " == *" names"* && -n "$NEEDS_JAR" ]]; then
  TP_NAMES_REGISTRY="$OUTDIR/names-registry"
  names_registry "$TP_NAMES_REGISTRY" "$NEEDS_JAR" || die "could not make the names registry"
  TP_NAMES_REGISTRY="$TP_NAMES_REGISTRY/registry"
fi
export TP_NAMES_REGISTRY

CURRENT_PID=""
cleanup() { stop_pid "$CURRENT_PID"; if declare -F srv_stop > /dev/null; then srv_stop; fi; }
trap cleanup EXIT
trap 'exit 130' INT TERM

workload_args() {  # dnsperf input options of a workload
  local w="${1%@*}" rate=""
  [[ "$1" != *@* ]] || rate="-Q ${1#*@}"
  case "$w" in
    static) echo "-d $GEN/static.txt $rate" ;;
    *) echo "-B -d $GEN/$w.bin $rate" ;;
  esac
}
workload_variant() { if [[ "${1%@*}" == names ]]; then echo names; else echo example; fi; }

{
  echo "command: $COMMAND"
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "repository: $(git -C "$HERE" describe --always --dirty 2> /dev/null || echo "not a git checkout")"
  echo "host: $(uname -sr), $NCPU CPUs ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "dnsperf: $(dnsperf -h 2>&1 | awk '/^Version/ {print $2}') -c $CLIENTS -q $OUTSTANDING -t 2, runs of $LEN s after $WARMUP s of warm-up, $RUNS per cell and round, $ROUNDS rounds"
  echo "servers: ${ENTRY_NAME[*]}; workloads: $WORKLOADS; modes: $MODES"
} > "$OUTDIR/env.txt"

printf 'round\tmode\tvariant\tserver\tready_s\trss_kib\n' > "$OUTDIR/starts.tsv"
TSV="$OUTDIR/runs.tsv"
printf 'round\tmode\tserver\tworkload\trun\tqps\tavg_ms\tmax_ms\tsent\tcompleted\tlost\tsrv_cpu_s\twall_s\tperf_cpu_pct\trss_kib\tgc_pauses\tgc_max_ms\tgc_full\trcodes\n' > "$TSV"

# measure ROUND MODE NAME WORKLOAD RUN CLIENT_TASKSET: one dnsperf run against the running server, one line of TSV.
measure() {
  local round=$1 mode=$2 name=$3 w=$4 run=$5 cli=$6
  local base="$OUTDIR/raw/r$round-$mode-${name//\//_}-$w-$run" gc_from=0 gc_to=0
  [[ -z "${SRV_GC_LOG:-}" || ! -f "$SRV_GC_LOG" ]] || gc_from=$(stat -c %s "$SRV_GC_LOG")
  local c0 c1 t0 t1
  c0=$(cpu_ticks "$SRV_PID"); t0=$(date +%s.%N)
  # shellcheck disable=SC2046,SC2086
  /usr/bin/time -f '%P' -o "$base.time" $cli dnsperf -s 127.0.0.1 -p "$SRV_PORT" $(workload_args "$w") \
    -l "$LEN" -c "$CLIENTS" -q "$OUTSTANDING" -t 2 > "$base.txt" 2>&1 || true
  c1=$(cpu_ticks "$SRV_PID"); t1=$(date +%s.%N)
  [[ -z "${SRV_GC_LOG:-}" || ! -f "$SRV_GC_LOG" ]] || gc_to=$(stat -c %s "$SRV_GC_LOG")
  kill -0 "$SRV_PID" 2> /dev/null || die "$name exited during $w (see $SRVDIR)"
  local gc="- - -"
  [[ -z "${SRV_GC_LOG:-}" ]] || gc=$(python3 "$HERE/report.py" gc "$SRV_GC_LOG" "$gc_from" "$gc_to")
  local row
  row=$(awk -v hz="$(getconf CLK_TCK)" -v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" '
    /Queries sent:/ {sent = $3} /Queries completed:/ {done = $3} /Queries lost:/ {lost = $3}
    /Response codes:/ {sub(/^ *Response codes: */, ""); gsub(/ /, "_"); rc = $0}
    /Queries per second:/ {qps = $4}
    /Average Latency/ {avg = $4; mx = $8; sub(/\)/, "", mx)}
    END {printf "%.0f\t%.3f\t%.3f\t%d\t%d\t%d\t%.2f\t%.2f", qps, avg * 1000, mx * 1000, sent, done, lost,
         (c1 - c0) / hz, t1 - t0; print "\t" (rc == "" ? "-" : rc)}' "$base.txt")
  local rc="${row##*$'\t'}"
  row="${row%$'\t'*}"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$mode" "$name" "$w" "$run" "$row" \
    "$(tr -d '%' < "$base.time" | tail -n 1)" "$(rss_kib "$SRV_PID")" "${gc// /$'\t'}" "$rc" >> "$TSV"
  [[ "$(cut -f10 <<< "$(tail -n 1 "$TSV")")" != 0 ]] || log "WARNING: no answer at all in $base.txt"
  log "round $round $mode $name $w run $run: $(cut -f6,7,8,11 <<< "$(tail -n 1 "$TSV")" | awk -F'\t' \
    '{print $1 " QPS, avg " $2 " ms, max " $3 " ms, lost " $4}'), server CPU $(awk -v a="$c0" -v b="$c1" \
    -v hz="$(getconf CLK_TCK)" -v x="$t0" -v y="$t1" 'BEGIN {printf "%.0f%%", (b - a) / hz / (y - x) * 100}')"
}

order=()
for ((i = 0; i < ${#ENTRY_NAME[@]}; i++)); do order+=("$i"); done
for ((round = 1; round <= ROUNDS; round++)); do
  list=("${order[@]}")
  if ((round % 2 == 0)); then
    list=(); for ((i = ${#order[@]} - 1; i >= 0; i--)); do list+=("${order[i]}"); done
  fi
  for mode in $MODES; do
    if [[ "$mode" == pinned ]]; then
      THREADS=1; SRV_TASKSET="taskset -c 1"; cli="taskset -c 0"
    else
      THREADS=$NCPU; SRV_TASKSET=""; cli=""
    fi
    for variant in example names; do
      ws=""
      for w in $WORKLOADS; do [[ "$(workload_variant "$w")" != "$variant" ]] || ws="$ws $w"; done
      [[ -n "$ws" ]] || continue
      for i in "${list[@]}"; do
        name="${ENTRY_NAME[i]}"
        SRV_VARIANT=$variant
        SRVDIR="$OUTDIR/srv/r$round-$mode-$variant-${name//\//_}"
        PORT_OVERRIDE=$((FIRST_PORT + i))
        case "${ENTRY_SET[i]}" in
          adapter) unset TP_JAVA_OPTS ;;
          defaults) TP_JAVA_OPTS="" ;;
          custom) TP_JAVA_OPTS="$CUSTOM_FLAGS" ;;
        esac
        export TP_JAVA_OPTS
        SRV_GC_LOG=""
        server_up "${ENTRY_ADAPTER[i]}"
        CURRENT_PID=$SRV_PID
        ready=$(awk -v a="$SRV_STARTED" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$mode" "$variant" "$name" "$ready" "$(rss_kib "$SRV_PID")" \
          >> "$OUTDIR/starts.tsv"
        log "round $round $mode $name ($variant) up on 127.0.0.1:$SRV_PORT, pid $SRV_PID, $THREADS UDP threads" \
          "${SRV_TASKSET:+($SRV_TASKSET)}, answering $ready s after its start"
        [[ -f "$OUTDIR/versions.txt" ]] && grep -q "^$name:" "$OUTDIR/versions.txt" \
          || echo "$name: $(srv_version)" >> "$OUTDIR/versions.txt"
        for w in $ws; do
          # shellcheck disable=SC2046,SC2086
          ((WARMUP == 0)) || $cli dnsperf -s 127.0.0.1 -p "$SRV_PORT" $(workload_args "$w") -l "$WARMUP" -c "$CLIENTS" \
            -q "$OUTSTANDING" -t 2 > "$OUTDIR/raw/r$round-$mode-${name//\//_}-$w-warmup.txt" 2>&1 || true
          for ((run = 1; run <= RUNS; run++)); do measure "$round" "$mode" "$name" "$w" "$run" "$cli"; done
        done
        stop_pid "$SRV_PID"
        srv_stop
        CURRENT_PID=""
      done
    done
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUTDIR/env.txt"
{ python3 "$HERE/report.py" summary "$TSV"; python3 "$HERE/report.py" starts "$OUTDIR/starts.tsv"; } \
  | tee "$OUTDIR/summary.md"
log "results in $OUTDIR"
