#!/usr/bin/env bash
# dnsperf over many names: the same server, the same policy document and the same wide client mix, once with one
# policy record (every query for www.scale.test) and once with the 100,000 records of scale.sh (each query for a
# random one of them). Rounds alternate the two so that the machine's drift lands on both. Each query carries its
# own ECS option, one of SUBNETS random IPv4 /24 client subnets (seeded), located with GeoLite2 City.
# This compares our server with itself; beside gdnsd serving the same 100,000 names, and on the wide client mix
# (369,000 subnets, wider than the answer cache), use the names workload of dnsperf/run.sh:
#   bash traffic-policy-dns/src/bench/dnsperf/run.sh -w "wide names"
# Usage, after scale.sh WORK (which leaves WORK/registry with 100,000 records and WORK/baseline):
#   bash traffic-policy-dns/src/bench/scale-dnsperf.sh WORK [ROUNDS]
# Environment: TP_JAR, TP_PORT (5398, loopback), MMDB (default ~/.cache/traffic-policy-bench/GeoLite2-City.mmdb),
# SECONDS_PER_RUN (10), WARMUP (10), SUBNETS (4520), TP_JAVA_OPTS (default: the bench adapter's flags).
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAR="$(realpath "${TP_JAR:-$BENCH/../../target/traffic-policy.jar}")"
WORK="$(realpath "$1")"
ROUNDS="${2:-3}"
PORT="${TP_PORT:-5398}"
MMDB="${MMDB:-$HOME/.cache/traffic-policy-bench/GeoLite2-City.mmdb}"
RUN="${SECONDS_PER_RUN:-10}"
WARMUP="${WARMUP:-10}"
SUBNETS="${SUBNETS:-4520}"
OPTS="${TP_JAVA_OPTS:---add-modules jdk.incubator.foreign --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC}"
[[ -s "$MMDB" ]] || { echo "no GeoLite2 City database at $MMDB (bash traffic-policy-dns/src/bench/get-geolite.sh)" >&2; exit 1; }
[[ -d "$WORK/registry" && -f "$WORK/scale.test.zone" ]] || { echo "run scale.sh $WORK first" >&2; exit 1; }
cd "$WORK"
# The one-record registry: www.scale.test on scale-0 version 1 (a copy of the baseline's policies).
rm -rf single && cp -r baseline single && rm -f single/registry.journal
java -jar "$JAR" record import /dev/stdin --registry single > /dev/null <<'CSV'
scale.test,www.scale.test,60,scale-0,1
CSV
python3 - "$SUBNETS" <<'PY'
import random, struct, sys
subnets = int(sys.argv[1])
rng = random.Random(20)
nets = set()
while len(nets) < subnets:
    a = rng.randrange(1, 224)
    if a in (10, 127):
        continue
    nets.add((a, rng.randrange(256), rng.randrange(256)))
nets = sorted(nets)
def qname(name):
    return b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"
def query(i, name, net):
    header = struct.pack(">HHHHHH", i & 0xFFFF, 0, 1, 0, 0, 1)
    ecs = struct.pack(">HBB", 1, 24, 0) + bytes(net)
    opt = b"\0" + struct.pack(">HHIH", 41, 1232, 0, 4 + len(ecs)) + struct.pack(">HH", 8, len(ecs)) + ecs
    return header + qname(name) + struct.pack(">HH", 1, 1) + opt
for label, pick in (("one", lambda: "www.scale.test"),
                    ("many", lambda: "n%06d.scale.test" % rng.randrange(100000))):
    with open("queries-%s.bin" % label, "wb") as f:
        for i in range(50000):
            m = query(i, pick(), rng.choice(nets))
            f.write(struct.pack(">H", len(m)) + m)
PY
# run LABEL REGISTRY QUERIES: one server, a warm-up, one measured run; prints the QPS.
run() {
  local label=$1 dir=$2 queries=$3
  cat > "dnsperf-$label.json" <<CONF
{ "listen": ["127.0.0.1:$PORT"], "zones": [ { "origin": "scale.test", "file": "scale.test.zone" } ],
  "registry": "$dir", "geo": { "maxmind": "$MMDB" }, "queryLog": { "enabled": false } }
CONF
  # shellcheck disable=SC2086
  java $OPTS -jar "$JAR" serve --config "dnsperf-$label.json" > "dnsperf-$label.out" 2>&1 &
  local pid=$!
  until grep -q "listening on" "dnsperf-$label.out" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { cat "dnsperf-$label.out" >&2; exit 1; }
    sleep 0.05
  done
  dnsperf -s 127.0.0.1 -p "$PORT" -B -d "$queries" -c 8 -q 128 -t 2 -l "$WARMUP" > /dev/null
  local qps
  qps=$(dnsperf -s 127.0.0.1 -p "$PORT" -B -d "$queries" -c 8 -q 128 -t 2 -l "$RUN" \
    | sed -n 's/.*Queries per second: *\([0-9.]*\).*/\1/p')
  kill "$pid"
  wait "$pid" || true
  echo "$qps"
}
one=() many=()
for ((r = 1; r <= ROUNDS; r++)); do
  if ((r % 2)); then one+=("$(run one single queries-one.bin)"); many+=("$(run many registry queries-many.bin)")
  else many+=("$(run many registry queries-many.bin)"); one+=("$(run one single queries-one.bin)"); fi
  echo "round $r: one record ${one[-1]} QPS, 100,000 records ${many[-1]} QPS"
done
med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
m1=$(med "${one[@]}"); m2=$(med "${many[@]}")
echo "RESULT dnsperf -B, $SUBNETS client /24s, medians of $ROUNDS runs of $RUN s: one record $m1 QPS; 100,000 records" \
  "(names spread) $m2 QPS; ratio $(echo "scale=3; $m2 / $m1" | bc)"
