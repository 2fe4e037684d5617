# The traffic-policy adapter with "udpScheduling": "normal" (the UDP receiver threads under the default
# scheduling policy instead of SCHED_BATCH), as its own row: shows what the scheduling policy is worth, e.g.
#   bash "$BENCH/run-anchors.sh" -s "gdnsd $PWD/traffic-policy-dns/src/bench/traffic-policy-normal.sh \
#     $PWD/traffic-policy-dns/src/bench/traffic-policy.sh" -w geo-ecsmix -m "pinned unpinned" -r 3 -l 10 -W 15
# shellcheck disable=SC1091
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/traffic-policy.sh"
SRV_NAME=traffic-policy-normal
SRV_NOTE="$SRV_NOTE; UDP threads under the default scheduling policy"
SRV_UDP_SCHEDULING=normal
