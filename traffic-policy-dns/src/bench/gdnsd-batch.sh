# The dnsperf bench's gdnsd adapter ($BENCH/servers/gdnsd.sh; BENCH is the bench folder, which this repository
# does not contain yet) with gdnsd's UDP threads moved to SCHED_BATCH by chrt once they are up: the same scheduling
# policy as traffic-policy's "udpScheduling": "batch", so that a run can tell what that policy is worth to either
# server, e.g.
#   bash "$BENCH/run-anchors.sh" -s "gdnsd $PWD/traffic-policy-dns/src/bench/gdnsd-batch.sh \
#     $PWD/traffic-policy-dns/src/bench/traffic-policy.sh" -w geo-ecsmix -m "pinned unpinned" -r 3 -l 10 -W 15
# shellcheck disable=SC1091
source "${BENCH:?set BENCH to the dnsperf bench folder}/servers/gdnsd.sh"
SRV_NAME=gdnsd-batch
SRV_NOTE="$SRV_NOTE; UDP threads under SCHED_BATCH (chrt -b)"
eval "$(declare -f srv_start | sed '1s/srv_start/gdnsd_srv_start/')"
srv_start() {
  gdnsd_srv_start || return 1
  local t comm n=0
  for _ in $(seq 1 100); do  # up to 10 s for the UDP threads to appear
    n=0
    for t in /proc/"$SRV_PID"/task/*; do
      comm=$(cat "$t/comm" 2>/dev/null) || continue
      if [[ "$comm" == gdnsd-io-udp ]]; then chrt -b -p 0 "${t##*/}" && n=$((n + 1)); fi
    done
    ((n >= THREADS)) && return 0
    sleep 0.1
  done
  echo "gdnsd-batch: found $n of $THREADS UDP threads to move to SCHED_BATCH" >&2
  return 1
}
