#!/usr/bin/env bash
# Scale with names: 100,000 policy records over 100 versions of 10 policies (the bench's one-page document, one
# endpoint value changed per version). Measures, with JVM defaults (no -Xmx) and the built jar:
#   * creating the 100,000 records with `traffic-policy record import` (one command, one atomic write);
#   * `serve` on that registry: ready time (launch to the startup line), RSS, live heap after a full GC
#     (jcmd GC.run; GC.heap_info), and the same for a registry of one record per version (100): the difference per
#     record is the heap a record costs beyond the first binding of its version; then, with the 100,000, how long
#     a `record update --ttl` takes to show in answers (from the command's exit; the server polls every 100 ms);
#   * one-record update in the registry of 100,000: through the command (JVM start and registry load included,
#     median of UPDATES runs) and through the library (RegistryScale.java: median of 300 updates in one process);
#   * bulk moves: every record to its next version with one `record import`, and `record update --all` of a policy.
# Usage (from the repository root, after ./mvnw -q -DskipTests package):
#   bash traffic-policy-dns/src/bench/scale.sh [WORK]      (WORK defaults to a new temporary directory)
# Environment: TP_JAR (default traffic-policy-dns/target/traffic-policy.jar), TP_PORT (5399, loopback),
# UPDATES (15).
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAR="$(realpath "${TP_JAR:-$BENCH/../../target/traffic-policy.jar}")"
PORT="${TP_PORT:-5399}"
UPDATES="${UPDATES:-15}"
WORK="${1:-$(mktemp -d /tmp/tp-scale.XXXXXX)}"
[[ -s "$JAR" ]] || { echo "no jar at $JAR: run ./mvnw -q -DskipTests package" >&2; exit 1; }
mkdir -p "$WORK"
cd "$WORK"
TP() { java -jar "$JAR" "$@"; }
now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }

echo "work directory $WORK; $(java -version 2>&1 | head -1); $(nproc) CPUs"
java -cp "$JAR" "$BENCH/RegistryScale.java" setup "$WORK" "$BENCH/www-example-test.json"

t0=$(now); TP record import records.csv --registry registry; t1=$(now)
echo "RESULT create 100,000 records (record import): $(ms "$t0" "$t1") ms; registry.json $(stat -c %s registry/registry.json) bytes"
TP record import baseline.csv --registry baseline > /dev/null

cat > scale.test.zone <<'ZONE'
$TTL 300
@ IN SOA ns1 hostmaster 1 7200 900 1209600 60
@ IN NS ns1
ns1 IN A 127.0.0.53
ZONE

# serve DIR LABEL [follow]: starts serve on registry DIR, reports ready time, RSS and live heap, checks answers,
# (follow: times changes by the command until they are answered), stops it.
serve() {
  local dir=$1 label=$2 follow=${3:-}
  cat > "serve-$dir.json" <<CONF
{ "listen": ["127.0.0.1:$PORT"], "zones": [ { "origin": "scale.test", "file": "scale.test.zone" } ],
  "registry": { "directory": "$dir", "pollMillis": 100 }, "queryLog": { "enabled": false } }
CONF
  local start pid
  start=$(now)
  java -jar "$JAR" serve --config "serve-$dir.json" > "serve-$dir.out" 2>&1 &
  pid=$!
  until grep -q "listening on" "serve-$dir.out" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { cat "serve-$dir.out" >&2; exit 1; }
    sleep 0.02
  done
  local ready
  ready=$(ms "$start" "$(now)")
  local rss
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  jcmd "$pid" GC.run > /dev/null
  local used
  used=$(jcmd "$pid" GC.heap_info | sed -n 's/.* used \([0-9]*\)K.*/\1/p' | head -1)
  local answers
  answers=$(for n in n000000 n012345 n099999; do dig @127.0.0.1 -p "$PORT" "$n.scale.test" A +norecurse \
    +noall +answer 2>/dev/null | head -1; done | tr '\n' ';')
  if [[ -n "$follow" ]]; then
    local shown=() t0 ttl
    for ttl in 11 12 13 14 15; do
      TP record update --name n000777.scale.test --ttl "$ttl" --registry "$dir" > /dev/null
      t0=$(now)
      until dig @127.0.0.1 -p "$PORT" n000777.scale.test A +norecurse +noall +answer | grep -q "	$ttl	"; do
        sleep 0.01
      done
      shown+=("$(ms "$t0" "$(now)")")
    done
    echo "RESULT serve $label: a one-record change by the command answered after (ms, 5 changes):" \
      "$(printf '%s\n' "${shown[@]}" | sort -n | tr '\n' ' ')"
  fi
  kill "$pid"
  wait "$pid" || true
  echo "RESULT serve $label: ready $ready ms, RSS $((rss / 1024)) MiB, live heap after full GC $((used / 1024)) MiB ($used KiB); answers: $answers"
  eval "HEAP_$dir=$used"
}
serve registry "100,000 records" follow
serve baseline "100 records (one per version)"
echo "RESULT heap per record beyond the first binding of its version: $(( (HEAP_registry - HEAP_baseline) * 1024 / 99900 )) bytes"

declare -a took=()
for i in $(seq 1 "$UPDATES"); do
  t0=$(now)
  TP record update --name "n0$(printf %05d $((i * 6011 % 100000))).scale.test" --version $((i % 10 + 1)) \
    --registry registry > /dev/null
  took+=("$(ms "$t0" "$(now)")")
done
median=$(printf '%s\n' "${took[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}')
echo "RESULT one-record update through the command (JVM start and load included), median of $UPDATES: $median ms; journal $(stat -c %s registry/registry.journal 2>/dev/null || echo 0) bytes"

java -cp "$JAR" "$BENCH/RegistryScale.java" updates registry 300 | sed 's/^/RESULT library: /'

t0=$(now); TP record import moved.csv --registry registry; t1=$(now)
echo "RESULT bulk move of all 100,000 records (record import, one atomic write): $(ms "$t0" "$t1") ms"
t0=$(now); TP record update --policy scale-0 --version 10 --all --registry registry > /dev/null; t1=$(now)
echo "RESULT record update --all of one policy (10,000 records, one atomic write): $(ms "$t0" "$t1") ms"
