#!/usr/bin/env bash
# Soak: the built server under a mix of normal and hostile traffic for MINUTES (default 10), on loopback:
#   * a wide-mix UDP load: dnsperf over 300,000 distinct ECS subnets (/24 and /56) for the policy record, at QPS
#     (default 20,000 queries a second: below capacity, so that any loss is the server's, not the load's);
#   * a normal client asking one UDP and one TCP query every second (each must be answered);
#   * 40 slowloris connections (one byte a second) and 40 connections pipelining queries for a big TXT record and
#     never reading, each reconnecting as soon as the server cuts it off;
#   * a registry change every 5 s: the policy record moved between two versions of its policy (`record update`).
# It samples the server's RSS every 10 s (the curve goes to rss.csv) and prints, at the end: dnsperf's summary
# (queries sent, completed, lost), the normal client's answers, the attackers' counts, the registry changes made,
# and RSS after warm-up (first and last sample after the first minute, min and max).
# Usage (from the repository root, after ./mvnw -q -DskipTests package; needs dnsperf and python3):
#   bash traffic-policy-dns/src/bench/soak.sh [MINUTES] [WORK]
# Environment: TP_JAR (default traffic-policy-dns/target/traffic-policy.jar), TP_PORT (20200, loopback), QPS,
# JAVA_OPTS (default: none, JVM defaults).
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAR="$(realpath "${TP_JAR:-$BENCH/../../target/traffic-policy.jar}")"
MINUTES="${1:-10}"
WORK="${2:-$(mktemp -d /tmp/tp-soak.XXXXXX)}"
PORT="${TP_PORT:-20200}"
QPS="${QPS:-20000}"
SECONDS_TOTAL=$((MINUTES * 60))
[[ -s "$JAR" ]] || { echo "no jar at $JAR: run ./mvnw -q -DskipTests package" >&2; exit 1; }
command -v dnsperf > /dev/null || { echo "dnsperf is not installed (apt-get install dnsperf)" >&2; exit 1; }
mkdir -p "$WORK"
cd "$WORK"
TP() { java -jar "$JAR" "$@"; }

A250=$(printf 'a%.0s' $(seq 1 250))
{
  echo '$TTL 300'
  echo '@ IN SOA ns1 hostmaster 1 7200 900 1209600 60'
  echo '@ IN NS ns1'
  echo 'ns1 IN A 127.0.0.53'
  echo 'static IN A 192.0.2.80'
  for i in 1 2 3 4 5 6; do echo "big IN TXT \"$i $A250\""; done
} > example.com.zone
for v in a b; do
  last=$([[ $v == a ]] && echo 10 || echo 20)
  cat > "www-$v.json" <<DOC
{"AWSPolicyFormatVersion": "2015-10-01", "RecordType": "A", "StartRule": "w",
 "Endpoints": {"one": {"Type": "value", "Value": "192.0.2.$last"}, "two": {"Type": "value", "Value": "198.51.100.$last"}},
 "Rules": {"w": {"RuleType": "weighted", "Items": [
   {"EndpointReference": "one", "Weight": "3"}, {"EndpointReference": "two", "Weight": "1"}]}}}
DOC
done
mkdir -p registry
ID=$(TP policy create --registry registry --name www --document www-a.json --json | python3 -c \
  'import json, sys; print(json.load(sys.stdin)["id"])')
TP policy version --registry registry --id "$ID" --document www-b.json > /dev/null
TP record create --registry registry --zone example.com --name www.example.com --ttl 60 --policy "$ID" \
  --version 1 > /dev/null
cat > serve.json <<CFG
{ "listen": ["127.0.0.1:$PORT"], "udpThreads": 2, "printCountersOnShutdown": true,
  "zones": [ { "origin": "example.com", "file": "example.com.zone" } ],
  "registry": { "directory": "registry", "pollMillis": 500 } }
CFG
python3 "$BENCH/soak_clients.py" mix mix.bin 300000 20261204

# shellcheck disable=SC2086
java ${JAVA_OPTS:-} -jar "$JAR" serve --config serve.json > serve.out 2> serve.err &
PID=$!
trap 'kill $PID 2> /dev/null || true' EXIT
for _ in $(seq 1 600); do grep -q "listening on" serve.out 2> /dev/null && break; sleep 0.1; done
grep -q "listening on" serve.out || { echo "server did not start:"; cat serve.err; exit 1; }
echo "soak: $MINUTES min, server PID $PID ($(java -version 2>&1 | head -1)), work directory $WORK"

echo "seconds,rss_kib,threads" > rss.csv
(
  t=0
  while kill -0 "$PID" 2> /dev/null && [[ $t -le $SECONDS_TOTAL ]]; do
    echo "$t,$(ps -o rss=,nlwp= -p "$PID" | awk '{print $1 "," $2}')" >> rss.csv
    sleep 10
    t=$((t + 10))
  done
) &
SAMPLER=$!
(
  v=2
  changes=0
  end=$(( $(date +%s) + SECONDS_TOTAL ))
  while [[ $(date +%s) -lt $end ]]; do
    sleep 5
    TP record update --registry registry --name www.example.com --version "$v" > /dev/null && changes=$((changes + 1))
    v=$((3 - v))
  done
  echo "$changes" > registry-changes.txt
) &
SWAPPER=$!
python3 "$BENCH/soak_clients.py" run 127.0.0.1 "$PORT" "$SECONDS_TOTAL" clients.json > clients.out &
CLIENTS=$!
dnsperf -B -d mix.bin -s 127.0.0.1 -p "$PORT" -l "$SECONDS_TOTAL" -Q "$QPS" -c 4 -q 500 > dnsperf.out 2>&1 || true
wait "$CLIENTS" "$SWAPPER" || true
kill "$SAMPLER" 2> /dev/null || true
kill -TERM "$PID"; wait "$PID" 2> /dev/null || true
trap - EXIT

echo "== dnsperf (wide mix, UDP)"; grep -E "Queries (sent|completed|lost)|Queries per second|Average Latency" dnsperf.out
echo "== normal client and attackers"; cat clients.json
echo "== registry changes: $(cat registry-changes.txt)"
echo "== RSS (KiB) after the first minute:"
awk -F, 'NR > 1 && $1 >= 60 { if (!n++) first = $2; last = $2; if (min == "" || $2 < min) min = $2;
  if ($2 > max) max = $2 } END { print "first " first ", last " last ", min " min ", max " max " (" n " samples)" }' rss.csv
echo "== server counters"; tail -n 20 serve.err
