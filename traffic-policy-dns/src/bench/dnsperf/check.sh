#!/usr/bin/env bash
# Answers before speed: starts each server as run.sh does (unpinned) and checks, with check.py, that it answers the
# bench policy for every client subnet of the shared mix and 20,000 of the wide mix (region by continent/country,
# 3:1 split), that with both eu endpoints down (gdnsd: state/admin_state; traffic-policy: its watched health
# file) the eu clients move to their second region without a restart, and that the names workload answers each
# name with its own policy version.
#   bash traffic-policy-dns/src/bench/dnsperf/check.sh [-s "gdnsd traffic-policy"] [-p FIRST_PORT] [-o OUTDIR]
# Exits 1 if any check fails. Output also in OUTDIR/check.txt (default: a new directory under /tmp).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"
SERVERS="gdnsd traffic-policy"; FIRST_PORT=5331; OUTDIR=""
while getopts "s:p:o:h" o; do
  case "$o" in
    s) SERVERS="$OPTARG" ;; p) FIRST_PORT="$OPTARG" ;; o) OUTDIR="$OPTARG" ;;
    *) sed -n '2,8p' "$0"; exit 0 ;;
  esac
done
OUTDIR="${OUTDIR:-$(mktemp -d /tmp/tp-dnsperf-check.XXXXXX)}"
mkdir -p "$OUTDIR"
ensure_inputs "shared wide names"
THREADS=$(nproc)
CURRENT_PID=""
trap 'stop_pid "$CURRENT_PID"' EXIT
trap 'exit 130' INT TERM
failed=0
say() { printf '%s\n' "$*" | tee -a "$OUTDIR/check.txt"; }
# verify LABEL check.py-options...: runs check.py, records the outcome.
verify() {
  local label=$1; shift
  if python3 "$HERE/check.py" --port "$SRV_PORT" "$@" 2>&1 | tee -a "$OUTDIR/check.txt"; then
    say "  -> $label: ok"
  else
    say "  -> $label: FAILED"; failed=1
  fi
}
# eventually ARGS: until check.py passes quietly on 100 subnets (a change is being picked up), 20 s at most.
eventually() {
  local i
  for ((i = 0; i < 100; i++)); do
    python3 "$HERE/check.py" --port "$SRV_PORT" --quiet --limit 100 "$@" && return 0
    sleep 0.2
  done
  return 1
}

names_jar=""
port=$FIRST_PORT
for s in $SERVERS; do
  load_adapter "$s"
  if [[ "$SRV_JAVA" == 1 && -z "$names_jar" ]]; then
    names_jar="$TP_JAR"
    names_registry "$OUTDIR/names-registry" "$names_jar" || die "could not make the names registry"
    export TP_NAMES_REGISTRY="$OUTDIR/names-registry/registry"
  fi
  echo '{"checks": {}}' > "$OUTDIR/health-up.json"
  export TP_HEALTH_FILE="$OUTDIR/health-up.json" GDNSD_ADMIN_STATE="" TP_GC_LOG=off
  SRV_VARIANT=example SRVDIR="$OUTDIR/$s-example" PORT_OVERRIDE=$port
  server_up "$s"; CURRENT_PID=$SRV_PID
  say "== $(srv_version) on 127.0.0.1:$SRV_PORT"
  verify "shared mix" --subnets "$GEN/shared-subnets.tsv" --weights
  verify "wide mix, 20,000 subnets" --subnets "$GEN/wide-subnets.tsv" --limit 20000
  if [[ "$SRV_NAME" == gdnsd* ]]; then
    printf '127.1.1.11/up => DOWN\n127.1.1.12/up => DOWN\n' > "$SRVDIR/state/admin_state"
    say "  both eu endpoints DOWN in state/admin_state"
  else
    echo '{"checks": {"hc-eu-1": "UNHEALTHY", "hc-eu-2": "UNHEALTHY"}}' > "$SRVDIR/health.json"
    say "  hc-eu-1 and hc-eu-2 UNHEALTHY in the watched health file"
  fi
  if eventually --subnets "$GEN/shared-subnets.tsv" --down eu; then
    verify "failover, eu down" --subnets "$GEN/shared-subnets.tsv" --down eu
  else
    say "  -> failover, eu down: FAILED (not picked up within 20 s)"; failed=1
  fi
  stop_pid "$SRV_PID"; CURRENT_PID=""
  SRV_VARIANT=names SRVDIR="$OUTDIR/$s-names"
  server_up "$s"; CURRENT_PID=$SRV_PID
  verify "names workload, 5,000 subnets" --subnets "$GEN/wide-subnets.tsv" --limit 5000 --names
  stop_pid "$SRV_PID"; CURRENT_PID=""
  port=$((port + 1))
done
say "$( ((failed)) && echo "SOME CHECKS FAILED" || echo "all checks passed"); output in $OUTDIR/check.txt"
exit "$failed"
