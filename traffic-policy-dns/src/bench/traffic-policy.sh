# dnsperf bench adapter for the traffic-policy server (same shape as the bench's servers/*.sh; $BENCH is the bench folder).
# Run beside gdnsd:
#   bash "$BENCH/run-anchors.sh" -s "gdnsd $PWD/traffic-policy-dns/src/bench/traffic-policy.sh" \
#     -w "static geo-ecsmix" -m pinned -r 3 -l 10 -W 15
# Needs the built jar (./mvnw -q -DskipTests package). Environment: TP_JAR (default: the jar next to this
# file's module), TP_PORT (5310), TP_JAVA_OPTS (JVM flags), TP_HEALTH_FILE (a health-status JSON to copy in),
# TP_UDP_SCHEDULING ("udpScheduling" of the config: batch, the default here, or normal), TP_JAVA_BIN (the java
# launcher, default java; the mmsg flags of Java 17 are added only when it is a Java 17).
TP_BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TP_JAR="${TP_JAR:-$TP_BENCH_DIR/../../target/traffic-policy.jar}"
SRV_NAME=traffic-policy
SRV_UDP_SCHEDULING="${TP_UDP_SCHEDULING:-batch}"  # set again each time an adapter sources this file
SRV_UDP_IO=auto
SRV_PORT=${TP_PORT:-5310}
SRV_WORKLOADS="static geo-noecs geo-ecs1 geo-ecsmix"
SRV_NEEDS_HEALTH=0
SRV_NOTE="Route 53 policy document: geo (continent/country) -> failover (next region) -> weighted 3:1; GeoLite2 City"
SRV_PIN_CPU=1
TP_JAVA="${TP_JAVA_BIN:-java}"  # set again each time an adapter sources this file
srv_version() { echo "traffic-policy $(unzip -p "$TP_JAR" META-INF/MANIFEST.MF 2>/dev/null | sed -n 's/^Implementation-Version: //p' | tr -d '\r') on $("$TP_JAVA" -version 2>&1 | head -1)"; }
# The JVM flags for batched UDP: Java 17 needs its incubating module; Java 22+ reads the jar's manifest.
tp_mmsg_flags() {
  if "$TP_JAVA" -version 2>&1 | head -1 | grep -q '"17[."]'; then
    echo "--add-modules jdk.incubator.foreign --enable-native-access=ALL-UNNAMED"
  fi
}
srv_prepare() {
  [[ -s "$TP_JAR" ]] || { echo "no jar at $TP_JAR: run ./mvnw -q -DskipTests package" >&2; return 1; }
  cp "$GEN/example.test.zone" "$SRVDIR/example.test.zone"
  cp "$TP_BENCH_DIR/www-example-test.json" "$SRVDIR/www-example-test.json"
  local health=""
  if [[ -n "${TP_HEALTH_FILE:-}" ]]; then
    cp "$TP_HEALTH_FILE" "$SRVDIR/health.json"
    health='"healthStatus": { "file": "'"$SRVDIR"'/health.json", "watch": true },'
  fi
  render "$TP_BENCH_DIR/serve.json.in" "$SRVDIR/serve.json.tmp"
  sed -e "s|@HEALTH@|$health|" -e "s|@UDP_SCHEDULING@|$SRV_UDP_SCHEDULING|" -e "s|@UDP_IO@|$SRV_UDP_IO|" \
    "$SRVDIR/serve.json.tmp" \
    > "$SRVDIR/serve.json"
}
srv_start() {
  # exec: the recorded PID is the JVM itself (stop_pid signals only it; SIGTERM drains and prints counters).
  # shellcheck disable=SC2086
  $SRV_TASKSET bash -c "exec '$TP_JAVA' ${TP_JAVA_OPTS:-$(tp_mmsg_flags) -XX:+UseParallelGC -Xms192m -Xmx192m -Xmn128m -XX:+AlwaysPreTouch} -jar '$TP_JAR' serve --config '$SRVDIR/serve.json'" \
    > "$SRVDIR/server.log" 2>&1 &
  SRV_PID=$!
}
