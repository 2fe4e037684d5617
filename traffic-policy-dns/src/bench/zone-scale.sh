#!/usr/bin/env bash
# A zone of 1,000,000 records: its heap per record, load time, and `serve` with it under -Xmx256m.
#   * ZoneScale.java generate: zone big.test with N records (default 1,000,000: per ten, 4 A, 2 AAAA, 1 MX, 1 TXT,
#     1 CNAME, 1 second A beside an earlier A), about 32 MB;
#   * ZoneScale.java load (in a JVM of -Xmx$XMX): the time to read it and the live heap it takes after a full GC,
#     per record and beyond the records' own wire size;
#   * `serve` with only that zone under -Xmx$XMX: ready time (launch to the startup line), RSS, live heap after a
#     full GC (jcmd GC.run; GC.heap_info), answers to dig for each kind of name and for a name that does not exist;
#   * if dnsperf is installed: DNSPERF_SECONDS (default 10; 0 skips) of static queries, each name once in a pass
#     (RECORDS queries, types as in the zone, one in ten NXDOMAIN, in a scattered order), after 5 s of warm-up on
#     the same file: more distinct questions than the handler's 100,000-entry reply cache holds, so most replies
#     are resolved in the zone store, not copied from that cache.
# Usage (from the repository root, after ./mvnw -q -DskipTests package):
#   bash traffic-policy-dns/src/bench/zone-scale.sh [WORK]      (WORK defaults to a new temporary directory)
# Environment: TP_JAR (default traffic-policy-dns/target/traffic-policy.jar), TP_PORT (5341, loopback), RECORDS
# (1000000), XMX (256m), DNSPERF_SECONDS (10).
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAR="$(realpath "${TP_JAR:-$BENCH/../../target/traffic-policy.jar}")"
PORT="${TP_PORT:-5341}"
RECORDS="${RECORDS:-1000000}"
XMX="${XMX:-256m}"
SECONDS_PERF="${DNSPERF_SECONDS:-10}"
WORK="${1:-$(mktemp -d /tmp/tp-zone-scale.XXXXXX)}"
[[ -s "$JAR" ]] || { echo "no jar at $JAR: run ./mvnw -q -DskipTests package" >&2; exit 1; }
mkdir -p "$WORK"
cd "$WORK"
now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }

echo "work directory $WORK; $(java -version 2>&1 | head -1); $(nproc) CPUs; $(uptime)"
java -cp "$JAR" "$BENCH/ZoneScale.java" generate big.test.zone "$RECORDS"
java "-Xmx$XMX" -cp "$JAR" "$BENCH/ZoneScale.java" load big.test.zone

cat > serve.json <<CONF
{ "listen": ["127.0.0.1:$PORT"], "zones": [ { "origin": "big.test", "file": "big.test.zone" } ],
  "queryLog": { "enabled": false }, "printCountersOnShutdown": false }
CONF
start=$(now)
java "-Xmx$XMX" -jar "$JAR" serve --config serve.json > serve.out 2>&1 &
pid=$!
trap 'kill "$pid" 2> /dev/null || true' EXIT
until grep -q "listening on" serve.out 2>/dev/null; do
  kill -0 "$pid" 2>/dev/null || { cat serve.out >&2; exit 1; }
  sleep 0.05
done
ready=$(ms "$start" "$(now)")
# CPU time used until then (all threads: JIT and GC included): on a shared machine, wall time depends on the load.
cpu=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / hz}' "/proc/$pid/stat")
ask() { dig @127.0.0.1 -p "$PORT" "$1" "$2" +norecurse +noall +answer +authority 2>/dev/null | tr -s '\t ' ' ' | tr '\n' ';'; }
echo "RESULT serve -Xmx$XMX: ready after $ready ms, $cpu s of CPU"
echo "RESULT answers: A $(ask r0000000.big.test A) AAAA $(ask r0999994.big.test AAAA) MX $(ask r0999996.big.test MX)" \
  "TXT $(ask r0999997.big.test TXT) CNAME $(ask r0999998.big.test A) NXDOMAIN $(ask nothere.big.test A)"

if [[ "$SECONDS_PERF" != 0 ]] && command -v dnsperf > /dev/null; then
  # Query q asks for record (q * 7919) mod N (7919 is prime: each once); a record of the tenth kind (a second A)
  # is asked for as a name that does not exist.
  awk -v n="$RECORDS" 'BEGIN { split("A A A A AAAA AAAA MX TXT A A", t, " ");
    for (q = 0; q < n; q++) { i = (q * 7919) % n;
      if (i % 10 == 9) { printf "x%07d.big.test A\n", i } else { printf "r%07d.big.test %s\n", i, t[i % 10 + 1] } } }' \
    > queries.txt
  dnsperf -s 127.0.0.1 -p "$PORT" -d queries.txt -l 5 -c 4 -q 200 > /dev/null 2>&1 || true
  dnsperf -s 127.0.0.1 -p "$PORT" -d queries.txt -l "$SECONDS_PERF" -c 4 -q 200 > dnsperf.out 2>&1 || true
  echo "RESULT dnsperf $SECONDS_PERF s, $RECORDS distinct questions (1 in 10 NXDOMAIN): $(grep -E 'Queries per second|Queries lost' dnsperf.out | tr -s ' ' | tr '\n' ';')"
  echo "RESULT response codes: $(grep -A3 'Response codes' dnsperf.out | tr -s ' ' | tr '\n' ' ')"
fi

rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
jcmd "$pid" GC.run > /dev/null
used=$(jcmd "$pid" GC.heap_info | sed -n 's/.* used \([0-9]*\)K.*/\1/p' | head -1)
echo "RESULT serve -Xmx$XMX with $RECORDS records: RSS $((rss / 1024)) MiB, live heap after full GC $((used / 1024)) MiB"
kill "$pid"
wait "$pid" || true
trap - EXIT
