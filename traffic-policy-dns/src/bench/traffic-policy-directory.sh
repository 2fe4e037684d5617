# The traffic-policy adapter with www.example.test in a registry directory (see traffic-policy-registry.sh): the
# baseline of traffic-policy-etcd.sh.
# shellcheck disable=SC1091
TP_REGISTRY_STORE=directory
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/traffic-policy-registry.sh"
SRV_NAME=traffic-policy-directory
