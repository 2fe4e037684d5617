#!/usr/bin/env bash
# dnsperf on a policy whose answers are alias targets, against the same policy with value endpoints: the
# geolocation -> latency -> failover example of the test data (load balancers, S3 website default), its targets
# looked up by the server ("aliasTargets") from a second traffic-policy server on loopback that serves
# amazonaws.com, clients located with GeoLite2 City. Two client mixes: 4,520 ECS /24s (50,000 queries) and 300,000
# distinct ECS /24 and /56 subnets (300,000 queries, far more than the answer caches hold). ROUNDS rounds alternate
# the order of the two servers; each run: 5 s warm-up, 15 s measured, dnsperf saturating (-c 4 -q 500), unpinned.
# Usage (from the repository root, after ./mvnw -q -DskipTests package and get-geolite.sh):
#   bash traffic-policy-dns/src/bench/alias-dnsperf.sh [ROUNDS] [WORK]
# Environment: TP_JAR, MMDB (default ~/.cache/traffic-policy-bench/GeoLite2-City.mmdb), TP_JAVA_OPTS (-Xmx512m).
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$BENCH/../../.."
JAR="$(realpath "${TP_JAR:-$BENCH/../../target/traffic-policy.jar}")"
ROUNDS="${1:-2}"
WORK="${2:-$(mktemp -d /tmp/tp-alias.XXXXXX)}"
MMDB="${MMDB:-$HOME/.cache/traffic-policy-bench/GeoLite2-City.mmdb}"
[[ -s "$JAR" ]] || { echo "no jar at $JAR: run ./mvnw -q -DskipTests package" >&2; exit 1; }
[[ -s "$MMDB" ]] || { echo "no GeoLite2 City at $MMDB: bash traffic-policy-dns/src/bench/get-geolite.sh" >&2; exit 1; }
mkdir -p "$WORK"; cd "$WORK"
cp "$REPO/traffic-policy-dns/src/test/resources/aliases/amazonaws.com.zone" .
cp "$REPO/traffic-policy-api/src/test/resources/route53-policies/04-geo-latency-failover.json" alias.json
python3 - <<'PY'
import re
text = open("alias.json").read()
# the same addresses the upstream zone gives each target, as value endpoints
targets = {"dualstack.web-usw2-a-1111111111.us-west-2.elb.amazonaws.com": "192.0.2.101",
           "dualstack.web-usw2-b-2222222222.us-west-2.elb.amazonaws.com": "192.0.2.111",
           "dualstack.web-use1-a-3333333333.us-east-1.elb.amazonaws.com": "192.0.2.121",
           "dualstack.web-use1-b-4444444444.us-east-1.elb.amazonaws.com": "192.0.2.131"}
for name, address in targets.items():
    text = re.sub(r'"Type": "elastic-load-balancer",\s*"Value": "%s"' % re.escape(name),
                  '"Type": "value", "Value": "%s"' % address, text)
text = re.sub(r'"Type": "s3-website",\s*"Region": "us-east-1",\s*"Value": "www.example.com"',
              '"Type": "value", "Value": "192.0.2.150"', text)
open("value.json", "w").write(text)
PY
printf '$TTL 300\n@ IN SOA ns1 h 1 7200 900 1209600 60\n@ IN NS ns1\nns1 IN A 192.0.2.53\n' > example.com.zone
echo '{ "listen": ["127.0.0.1:20301"], "udpThreads": 1, "printCountersOnShutdown": false,
  "zones": [ { "origin": "amazonaws.com", "file": "amazonaws.com.zone" } ] }' > upstream.json
for v in alias value; do
  cat > "serve-$v.json" <<CFG
{ "listen": ["127.0.0.1:20302"], "udpThreads": 2, "printCountersOnShutdown": false,
  "zones": [ { "origin": "example.com", "file": "example.com.zone" } ],
  "policyRecords": [ { "zone": "example.com", "name": "www.example.com", "ttl": 300, "document": "$v.json" } ],
  "geo": { "maxmind": "$MMDB" }, "aliasTargets": { "resolvers": ["127.0.0.1:20301"] } }
CFG
done
python3 "$BENCH/soak_clients.py" mix wide.bin 300000 7
python3 - "$BENCH" <<'PY'
import random, struct, sys
sys.path.insert(0, sys.argv[1])
from soak_clients import query
rnd = random.Random(3)
nets = set()
while len(nets) < 4520:
    nets.add(rnd.getrandbits(24).to_bytes(3, "big"))
nets = sorted(nets)
with open("small.bin", "wb") as f:
    for i in range(50000):
        w = query(i, "www.example.com", 1, (1, 24, rnd.choice(nets)))
        f.write(struct.pack("!H", len(w)) + w)
PY
java -jar "$JAR" serve --config upstream.json > upstream.log 2>&1 &
UP=$!
trap 'kill $UP 2> /dev/null || true' EXIT
run() {
  # shellcheck disable=SC2086
  java ${TP_JAVA_OPTS:--Xmx512m} -jar "$JAR" serve --config "serve-$1.json" > "serve-$1.log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do grep -q "listening" "serve-$1.log" 2> /dev/null && break; sleep 0.2; done
  for mix in small wide; do
    dnsperf -B -d "$mix.bin" -s 127.0.0.1 -p 20302 -l 5 -c 4 -q 500 > /dev/null 2>&1
    echo "round $2 $1 $mix: $(dnsperf -B -d "$mix.bin" -s 127.0.0.1 -p 20302 -l 15 -c 4 -q 500 2>&1 \
      | awk '/Queries per second/ {q = $4} /Queries lost/ {l = $3} END {print q " QPS, lost " l}')"
  done
  kill "$pid"; wait "$pid" 2> /dev/null || true
}
for ((r = 1; r <= ROUNDS; r++)); do
  if ((r % 2)); then order="alias value"; else order="value alias"; fi
  for v in $order; do run "$v" "$r"; done
done
