# The gdnsd adapter with gdnsd's UDP threads moved to SCHED_BATCH by chrt once they are up: the same scheduling
# policy as traffic-policy's "udpScheduling": "batch", so that a run can tell what that policy is worth to either
# server, e.g.
#   bash traffic-policy-dns/src/bench/dnsperf/run.sh -s "gdnsd $PWD/traffic-policy-dns/src/bench/gdnsd-batch.sh \
#     traffic-policy" -w "shared wide" -j adapter
# Under the repository's runner (dnsperf/run.sh) it extends dnsperf/gdnsd.sh; under the team's older bench folder
# (BENCH, run-anchors.sh) its servers/gdnsd.sh.
# shellcheck disable=SC1091
if [[ -n "${DNSPERF_BENCH:-}" ]]; then
  source "$DNSPERF_BENCH/gdnsd.sh"
else
  source "${BENCH:?run it from dnsperf/run.sh, or set BENCH to the older bench folder}/servers/gdnsd.sh"
fi
SRV_NAME=gdnsd-batch
SRV_NOTE="${SRV_NOTE:-gdnsd}; UDP threads under SCHED_BATCH (chrt -b)"
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
