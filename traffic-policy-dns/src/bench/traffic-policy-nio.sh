# The traffic-policy adapter with UDP through java.nio (no recvmmsg/sendmmsg batching): "udpIo": "nio" and
# "udpScheduling": "normal", on any Java. For comparing the two UDP paths in one run:
#   bash traffic-policy-dns/src/bench/dnsperf/run.sh -s "traffic-policy \
#     $PWD/traffic-policy-dns/src/bench/traffic-policy-nio.sh" -w "shared wide" -j adapter
# shellcheck disable=SC1091
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/traffic-policy.sh"
SRV_NAME=traffic-policy-nio
SRV_NOTE="$SRV_NOTE; UDP through java.nio"
SRV_UDP_SCHEDULING=normal
SRV_UDP_IO=nio
