# shellcheck shell=bash
# dnsperf bench adapter for the traffic-policy server (sourced, not run). The repository's own runner uses it:
#   bash traffic-policy-dns/src/bench/dnsperf/run.sh -s "gdnsd traffic-policy" -w "static shared wide" -r 3
# and it keeps the shape of the team's older bench folder's servers/*.sh (SRV_NAME, SRV_PORT, srv_prepare,
# srv_start; render and $GEN from that folder's lib.sh), so `"$BENCH/run-anchors.sh" -s "gdnsd $PWD/...sh"` runs
# it as well. Needs the built jar (./mvnw -B -o -q -DskipTests package).
# Environment:
#   TP_JAR          the jar (default: traffic-policy-dns/target/traffic-policy.jar)
#   TP_PORT         port on 127.0.0.1 (default 5310; run.sh gives its own)
#   TP_JAVA_BIN     the java launcher (default java); on a Java 17 the flags of batched UDP (mmsg) are added
#   TP_JAVA_OPTS    heap and GC flags; unset: the README's recommended flags, -XX:+UseSerialGC -Xms96m -Xmx96m
#                   -Xmn24m (names variant: -Xms256m -Xmx256m -Xmn32m); set and empty: the JVM's defaults. Until
#                   2026-12-04 the default was -XX:+UseParallelGC -Xms192m -Xmx192m -Xmn128m -XX:+AlwaysPreTouch, a
#                   heap touched whole that alone leaves no room under 256 MiB (run.sh -j custom -x "..." for it)
#   TP_GC_LOG       where the GC log goes (default $SRVDIR/gc.log; "off": none)
#   TP_HEALTH_FILE  a health-status JSON copied in and watched (e.g. {"checks": {"hc-eu-1": "UNHEALTHY"}})
#   TP_UDP_SCHEDULING  "udpScheduling" of the configuration: batch (default here) or normal
#   SRV_VARIANT     example (zone example.test + www.example.test; the default) or names (zone scale.test + the
#                   100,000 records of the registry in TP_NAMES_REGISTRY, which run.sh makes)
TP_BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TP_JAR="${TP_JAR:-$TP_BENCH_DIR/../../target/traffic-policy.jar}"
SRV_NAME=traffic-policy
SRV_JAVA=1
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
  [[ -s "$TP_JAR" ]] || { echo "no jar at $TP_JAR: run ./mvnw -B -o -q -DskipTests package" >&2; return 1; }
  local health=""
  if [[ -n "${TP_HEALTH_FILE:-}" ]]; then
    cp "$TP_HEALTH_FILE" "$SRVDIR/health.json"
    health='"healthStatus": { "file": "'"$SRVDIR"'/health.json", "watch": true },'
  fi
  if [[ "${SRV_VARIANT:-example}" == names ]]; then
    [[ -f "${TP_NAMES_REGISTRY:-}/registry.json" ]] || { echo "TP_NAMES_REGISTRY: no registry" >&2; return 1; }
    # A copy: the server takes the registry's lock, and runs must not see each other's changes.
    cp -r "$TP_NAMES_REGISTRY" "$SRVDIR/registry"
    printf '$TTL 300\n@ SOA ns1 hostmaster 1 7200 900 1209600 60\n@ NS ns1\nns1 A 127.0.0.53\n' \
      > "$SRVDIR/scale.test.zone"
    cat > "$SRVDIR/serve.json" <<CONF
{ "listen": ["127.0.0.1:$SRV_PORT"], "udpThreads": $THREADS, "udpScheduling": "$SRV_UDP_SCHEDULING",
  "udpIo": "$SRV_UDP_IO", "zones": [ { "origin": "scale.test", "file": "scale.test.zone" } ],
  "registry": { "directory": "registry", "pollMillis": 1000 }, "geo": { "maxmind": "$MMDB" }, $health
  "queryLog": { "enabled": false }, "printCountersOnShutdown": true }
CONF
    return 0
  fi
  cp "$GEN/example.test.zone" "$SRVDIR/example.test.zone"
  cp "$TP_BENCH_DIR/www-example-test.json" "$SRVDIR/www-example-test.json"
  render "$TP_BENCH_DIR/serve.json.in" "$SRVDIR/serve.json.tmp"
  sed -e "s|@HEALTH@|$health|" -e "s|@UDP_SCHEDULING@|$SRV_UDP_SCHEDULING|" -e "s|@UDP_IO@|$SRV_UDP_IO|" \
    "$SRVDIR/serve.json.tmp" \
    > "$SRVDIR/serve.json"
}
srv_start() {
  local gc="" heap="-XX:+UseSerialGC -Xms96m -Xmx96m -Xmn24m"
  [[ "${SRV_VARIANT:-example}" == names ]] && heap="-XX:+UseSerialGC -Xms256m -Xmx256m -Xmn32m"
  SRV_GC_LOG=""
  if [[ "${TP_GC_LOG:-}" != off ]]; then
    SRV_GC_LOG="${TP_GC_LOG:-$SRVDIR/gc.log}"
    gc="-Xlog:gc*:file=$SRV_GC_LOG"
  fi
  # exec: the recorded PID is the JVM itself (stop_pid signals only it; SIGTERM drains and prints counters).
  # shellcheck disable=SC2086
  $SRV_TASKSET bash -c "exec '$TP_JAVA' $(tp_mmsg_flags) ${TP_JAVA_OPTS-$heap} $gc -jar '$TP_JAR' serve --config '$SRVDIR/serve.json'" \
    > "$SRVDIR/server.log" 2>&1 &
  SRV_PID=$!
}
