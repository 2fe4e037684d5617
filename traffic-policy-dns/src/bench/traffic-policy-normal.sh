# The traffic-policy adapter with "udpScheduling": "normal" (the UDP receiver threads under the default
# scheduling policy instead of SCHED_BATCH), as its own row: shows what the scheduling policy is worth, e.g.
#   bash traffic-policy-dns/src/bench/dnsperf/run.sh -s "gdnsd traffic-policy \
#     $PWD/traffic-policy-dns/src/bench/traffic-policy-normal.sh" -w "shared wide" -j adapter
# shellcheck disable=SC1091
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/traffic-policy.sh"
SRV_NAME=traffic-policy-normal
SRV_NOTE="$SRV_NOTE; UDP threads under the default scheduling policy"
SRV_UDP_SCHEDULING=normal
