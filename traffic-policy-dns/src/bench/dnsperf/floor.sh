# shellcheck shell=bash
# The floor adapter of the dnsperf bench (sourced; see lib.sh for the shape): floor.c beside this file, a UDP
# responder that answers every query with one fixed record and does no lookup at all, with the same batched system
# calls as traffic-policy. Its row is the most any server could get on this machine and this load: a ratio to
# gdnsd that the floor itself does not reach cannot be reached by a real server either. Run it as its own row:
#   bash traffic-policy-dns/src/bench/dnsperf/run.sh -s "gdnsd traffic-policy floor" -w "shared wide" -m pinned
# Built with cc -O2 into $BENCH_DATA/floor/ on first use. Under SCHED_BATCH (chrt -b), as traffic-policy's UDP
# threads are by default; floor-normal.sh is the same under the default policy. One thread: pinned mode only.
SRV_NAME=floor
SRV_PORT=5330
FLOOR_SCHED=batch
srv_version() { echo "floor.c ($(cc --version | head -n 1)), $FLOOR_SCHED scheduling"; }
srv_prepare() {
  ((THREADS == 1)) || { echo "floor serves one thread: use it with -m pinned" >&2; return 1; }
  local src="$DNSPERF_BENCH/floor.c" bin="$BENCH_DATA/floor/floor"
  if [[ ! -x "$bin" || "$src" -nt "$bin" ]]; then
    command -v cc > /dev/null || { echo "floor needs a C compiler (apt-get install gcc)" >&2; return 1; }
    mkdir -p "$BENCH_DATA/floor" && cc -O2 -Wall -o "$bin" "$src" || return 1
  fi
}
srv_start() {
  local sched=""
  [[ "$FLOOR_SCHED" == normal ]] || sched="chrt -b 0"
  # shellcheck disable=SC2086
  $SRV_TASKSET $sched "$BENCH_DATA/floor/floor" "$SRV_PORT" > "$SRVDIR/floor.log" 2>&1 &
  SRV_PID=$!
}
