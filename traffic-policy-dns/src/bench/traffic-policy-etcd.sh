# The traffic-policy adapter with www.example.test in an etcd registry and health shared through it (see
# traffic-policy-registry.sh). Beside the directory store, in one run, e.g.
#   bash traffic-policy-dns/src/bench/dnsperf/run.sh -s "$PWD/traffic-policy-dns/src/bench/traffic-policy-directory.sh \
#     $PWD/traffic-policy-dns/src/bench/traffic-policy-etcd.sh" -w "static shared" -m pinned -j adapter -r 3
# shellcheck disable=SC1091
TP_REGISTRY_STORE=etcd
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/traffic-policy-registry.sh"
SRV_NAME=traffic-policy-etcd
