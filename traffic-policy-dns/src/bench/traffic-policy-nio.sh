# The traffic-policy adapter with UDP through java.nio (no recvmmsg/sendmmsg batching): "udpIo": "nio" and
# "udpScheduling": "normal", on any Java. For comparing the two UDP paths in one run:
#   bash "$BENCH/run-anchors.sh" -s "$PWD/traffic-policy-dns/src/bench/traffic-policy-nio.sh \
#     $PWD/traffic-policy-dns/src/bench/traffic-policy.sh" -w geo-ecsmix -m "pinned unpinned" -r 3 -l 10 -W 15
# shellcheck disable=SC1091
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/traffic-policy.sh"
SRV_NAME=traffic-policy-nio
SRV_NOTE="$SRV_NOTE; UDP through java.nio"
SRV_UDP_SCHEDULING=normal
SRV_UDP_IO=nio
