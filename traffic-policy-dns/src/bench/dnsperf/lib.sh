# shellcheck shell=bash
# Helpers of the dnsperf bench (sourced by run.sh and check.sh). A server adapter is a file that sets SRV_NAME,
# SRV_PORT and defines srv_prepare (write its configuration into $SRVDIR) and srv_start (start the server in the
# background on 127.0.0.1:$SRV_PORT with $THREADS UDP threads under $SRV_TASKSET, set SRV_PID to the server
# process itself); it serves $SRV_VARIANT: "example" (zone example.test with www.example.test) or "names" (zone
# scale.test with the 100,000 names). gdnsd.sh beside this file and ../traffic-policy.sh are the two adapters;
# floor.sh is a reference row (no lookup at all).
DNSPERF_BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BENCH_DATA="${BENCH_DATA:-$HOME/.cache/traffic-policy-bench}"
GEN="${GEN:-$BENCH_DATA/dnsperf}"              # what make_data.py writes
MMDB="${MMDB:-$BENCH_DATA/GeoLite2-City.mmdb}"
THREADS="${THREADS:-$(nproc)}"
SRV_TASKSET="${SRV_TASKSET:-}"
SRV_VARIANT="${SRV_VARIANT:-example}"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# render TEMPLATE OUT: fills in @PORT@ @THREADS@ @MMDB@ @SRVDIR@ (the placeholders of ../serve.json.in).
render() {
  sed -e "s|@PORT@|$SRV_PORT|g" -e "s|@THREADS@|$THREADS|g" -e "s|@MMDB@|$MMDB|g" -e "s|@SRVDIR@|$SRVDIR|g" \
    "$1" > "$2"
}

# variant_zone VARIANT: the zone a server of that variant serves (its SOA tells that the server is up).
variant_zone() { if [[ "$1" == names ]]; then echo scale.test; else echo example.test; fi; }

# wait_dns PORT ZONE PID: until the server answers ZONE SOA (120 s at most); fails early if PID has exited.
wait_dns() {
  local i
  for ((i = 0; i < 600; i++)); do
    # (dig prints its errors on stdout too: look for the SOA record itself)
    if dig +noall +answer +time=1 +tries=1 -p "$1" @127.0.0.1 "$2" SOA 2> /dev/null | grep -q $'\tSOA\t'; then
      return 0
    fi
    kill -0 "$3" 2> /dev/null || return 1
    sleep 0.2
  done
  return 1
}

# stop_pid PID: SIGTERM, up to 20 s, then SIGKILL. Only ever a PID this bench started.
stop_pid() {
  local pid="$1" i
  [[ -n "$pid" ]] && kill -0 "$pid" 2> /dev/null || return 0
  kill -TERM "$pid" 2> /dev/null || true
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2> /dev/null || { wait "$pid" 2> /dev/null || true; return 0; }
    sleep 0.2
  done
  log "pid $pid still running 20 s after SIGTERM: SIGKILL"
  kill -KILL "$pid" 2> /dev/null || true
  wait "$pid" 2> /dev/null || true
}

# cpu_ticks PID: user + system time of the process (all its threads), in clock ticks. The command name in
# /proc/PID/stat is in parentheses and may hold spaces: count fields after the last ")".
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" 2> /dev/null | awk '{print $12 + $13}'; }

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2> /dev/null || echo 0; }

# load_adapter NAME|PATH: sources an adapter (gdnsd, traffic-policy, floor, or a file of the same shape).
load_adapter() {
  unset SRV_NAME SRV_PORT SRV_PID SRV_JAVA SRV_GC_LOG
  unset -f srv_prepare srv_start srv_version srv_stop 2> /dev/null || true
  local f="$1"
  case "$f" in
    gdnsd) f="$DNSPERF_BENCH/gdnsd.sh" ;;
    traffic-policy) f="$DNSPERF_BENCH/../traffic-policy.sh" ;;
    floor) f="$DNSPERF_BENCH/floor.sh" ;;
  esac
  [[ -f "$f" ]] || die "no server adapter $f"
  # shellcheck disable=SC1090
  source "$f"
  declare -F srv_version > /dev/null || srv_version() { echo "$SRV_NAME"; }
  # Optional: what to stop after the server (a store it needs, e.g. traffic-policy-etcd.sh's etcd).
  declare -F srv_stop > /dev/null || srv_stop() { :; }
  : "${SRV_JAVA:=0}"
}

# server_up ADAPTER: prepares $SRVDIR, starts the server and waits until it answers; SRV_PID is then set, and
# SRV_STARTED (date +%s.%N) to when the start command was given.
server_up() {
  load_adapter "$1"
  [[ -n "${PORT_OVERRIDE:-}" ]] && SRV_PORT="$PORT_OVERRIDE"
  rm -rf "$SRVDIR" && mkdir -p "$SRVDIR"
  srv_prepare || { srv_stop; die "$SRV_NAME: preparing $SRVDIR failed"; }
  SRV_STARTED=$(date +%s.%N)
  srv_start || die "$SRV_NAME: start failed"
  if ! wait_dns "$SRV_PORT" "$(variant_zone "$SRV_VARIANT")" "$SRV_PID"; then
    tail -n 30 "$SRVDIR"/*.log >&2 2> /dev/null || true
    stop_pid "$SRV_PID"
    srv_stop
    die "$SRV_NAME: not answering on 127.0.0.1:$SRV_PORT"
  fi
}

# ensure_inputs WORKLOADS: GeoLite2 and the query files the workloads need.
ensure_inputs() {
  [[ -s "$MMDB" ]] || bash "$DNSPERF_BENCH/../get-geolite.sh" || die "no GeoLite2 City database at $MMDB"
  local only="static" w
  for w in $1; do
    case "${w%@*}" in
      static) ;;
      shared | wide | names) only="$only,${w%@*}" ;;
      *) die "unknown workload $w (static, shared, wide, names)" ;;
    esac
  done
  python3 "$DNSPERF_BENCH/make_data.py" --out "$GEN" --mmdb "$MMDB" --only "$only" >&2 || die "make_data.py failed"
}

# names_registry DIR: the registry of the names workload (100,000 records over 10 policies x 10 versions) in
# DIR/registry, made with the server's own jar (../RegistryScale.java, then `record import`).
names_registry() {
  local dir="$1" jar="$2" java="${TP_JAVA_BIN:-java}"
  [[ -f "$dir/registry/registry.json" ]] && return 0
  mkdir -p "$dir"
  log "names workload: a registry of 100,000 records in $dir (RegistryScale.java setup, record import)"
  "$java" -cp "$jar" "$DNSPERF_BENCH/../RegistryScale.java" setup "$dir" "$DNSPERF_BENCH/../www-example-test.json" \
    > "$dir/setup.log" 2>&1 || { cat "$dir/setup.log" >&2; return 1; }
  "$java" -jar "$jar" record import "$dir/records.csv" --registry "$dir/registry" > "$dir/import.log" 2>&1 \
    || { cat "$dir/import.log" >&2; return 1; }
}
