# The traffic-policy adapter on Java 25 (batched UDP through java.lang.foreign, "udpScheduling": "batch"), as
# its own row beside the default adapter (on the default java, Java 17 here), e.g.
#   bash traffic-policy-dns/src/bench/dnsperf/run.sh -s "gdnsd traffic-policy \
#     $PWD/traffic-policy-dns/src/bench/traffic-policy-java25.sh" -w "shared wide" -j adapter
# TP_JAVA25: the Java 25 launcher (default: the first /usr/lib/jvm/*25*/bin/java). The jar must carry the Java
# 22+ binding (built on a JDK 22+, or with -Djdk22.home): its startup line in server.log says
# "mmsg through java.lang.foreign".
# shellcheck disable=SC1091
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/traffic-policy.sh"
TP_JAVA="${TP_JAVA25:-$(ls -d /usr/lib/jvm/*25*/bin/java 2>/dev/null | head -1)}"
SRV_NAME=traffic-policy-java25
SRV_NOTE="$SRV_NOTE; Java 25"
