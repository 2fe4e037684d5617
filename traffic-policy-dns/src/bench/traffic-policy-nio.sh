# The traffic-policy adapter with UDP through java.nio (no recvmmsg/sendmmsg batching): the JVM is started without
# the jdk.incubator.foreign flags, so "udpIo": "auto" resolves to nio (and "udpScheduling" is "normal", since
# "batch" needs the same flags). For comparing the two UDP paths in one run:
#   bash ../shared/bench/run-anchors.sh -s "$PWD/traffic-policy-dns/src/bench/traffic-policy-nio.sh \
#     $PWD/traffic-policy-dns/src/bench/traffic-policy.sh" -w geo-ecsmix -m "pinned unpinned" -r 3 -l 10 -W 15
# shellcheck disable=SC1091
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/traffic-policy.sh"
SRV_NAME=traffic-policy-nio
SRV_NOTE="$SRV_NOTE; UDP through java.nio"
SRV_UDP_SCHEDULING=normal
srv_start() {
  # shellcheck disable=SC2086
  $SRV_TASKSET bash -c "exec java ${TP_JAVA_OPTS:--XX:+UseParallelGC -Xms192m -Xmx192m -Xmn128m -XX:+AlwaysPreTouch} -jar '$TP_JAR' serve --config '$SRVDIR/serve.json'" \
    > "$SRVDIR/server.log" 2>&1 &
  SRV_PID=$!
}
