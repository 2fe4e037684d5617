# shellcheck shell=bash
# The traffic-policy adapter serving www.example.test from a registry instead of a policyRecords entry (sourced by
# traffic-policy-directory.sh and traffic-policy-etcd.sh, not used alone): the same policy document, put in the
# registry by the CLI (policy create, record create), and a health check probed every 10 s (TCP to the server's
# own port; no policy uses it). TP_REGISTRY_STORE picks the store:
#   directory  a registry directory in the server's folder
#   etcd       a one-member etcd (Debian's etcd-server) started on 127.0.0.1 for each server run, on the same CPU as
#              the server in pinned mode, stopped with it (srv_stop); the serve configuration also shares health
#              through it ("sharedHealth"), so the etcd watch and lease run while dnsperf measures.
# Only the example workloads (static, shared, wide): the names workload keeps the directory adapter's registry.
# shellcheck disable=SC1091
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/traffic-policy.sh"
SRV_NOTE="$SRV_NOTE; www.example.test from a registry in ${TP_REGISTRY_STORE:?}"
TP_ETCD_PID=""

tp_cli() {
  "$TP_JAVA" -jar "$TP_JAR" "$@" >> "$SRVDIR/cli.log" 2>&1 || { cat "$SRVDIR/cli.log" >&2; return 1; }
}

tp_start_etcd() {
  local client=$((SRV_PORT + 20000)) peer=$((SRV_PORT + 21000)) i
  command -v etcd > /dev/null || { echo "etcd missing (apt-get install etcd-server)" >&2; return 1; }
  TP_ETCD_DATA="$(mktemp -d "${TMPDIR:-/tmp}/traffic-policy-bench-etcd.XXXXXX")"
  # shellcheck disable=SC2086
  $SRV_TASKSET etcd --name bench --data-dir "$TP_ETCD_DATA" \
    --listen-client-urls "http://127.0.0.1:$client" --advertise-client-urls "http://127.0.0.1:$client" \
    --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
    --initial-cluster "bench=http://127.0.0.1:$peer" > "$SRVDIR/etcd.log" 2>&1 &
  TP_ETCD_PID=$!
  for ((i = 0; i < 150; i++)); do
    if curl -fsS "http://127.0.0.1:$client/health" 2> /dev/null | grep -q '"health":"true"'; then
      TP_REGISTRY="etcd://127.0.0.1:$client/bench"
      return 0
    fi
    kill -0 "$TP_ETCD_PID" 2> /dev/null || break
    sleep 0.2
  done
  echo "etcd did not become healthy; see $SRVDIR/etcd.log" >&2
  return 1
}

srv_prepare() {
  [[ -s "$TP_JAR" ]] || { echo "no jar at $TP_JAR: run ./mvnw -B -o -q -DskipTests package" >&2; return 1; }
  [[ "${SRV_VARIANT:-example}" == example ]] || { echo "$SRV_NAME: example workloads only" >&2; return 1; }
  local shared=""
  if [[ "$TP_REGISTRY_STORE" == etcd ]]; then
    tp_start_etcd || return 1
    shared='"sharedHealth": { "vantage": "bench", "leaseSeconds": 30 },'
  else
    TP_REGISTRY="$SRVDIR/registry"
  fi
  cp "$GEN/example.test.zone" "$SRVDIR/example.test.zone"
  tp_cli policy create --registry "$TP_REGISTRY" --name www-example-test \
    --document "$TP_BENCH_DIR/www-example-test.json" || return 1
  tp_cli record create --registry "$TP_REGISTRY" --zone example.test --name www.example.test --ttl 30 \
    --policy www-example-test --version 1 || return 1
  cat > "$SRVDIR/serve.json" <<CONF
{ "listen": ["127.0.0.1:$SRV_PORT"], "udpThreads": $THREADS, "udpScheduling": "$SRV_UDP_SCHEDULING",
  "udpIo": "$SRV_UDP_IO", "zones": [ { "origin": "example.test", "file": "example.test.zone" } ],
  "registry": "$TP_REGISTRY", "geo": { "maxmind": "$MMDB" },
  "healthChecks": [ { "id": "bench-self", "type": "TCP", "target": "127.0.0.1", "port": $SRV_PORT,
    "requestIntervalSeconds": 10 } ], $shared
  "queryLog": { "enabled": false }, "printCountersOnShutdown": true }
CONF
}

# After the server stopped (run.sh calls it): the etcd of this run, if any, and its data.
srv_stop() {
  if [[ -n "$TP_ETCD_PID" ]]; then
    stop_pid "$TP_ETCD_PID"
    TP_ETCD_PID=""
    rm -rf "$TP_ETCD_DATA"
  fi
}
