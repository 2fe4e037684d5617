# shellcheck shell=bash
# The gdnsd adapter of the dnsperf bench (sourced; see lib.sh for the shape): gdnsd 3 with the geoip and weighted
# plugins, configured by gdnsd_conf.py from policy.py. GDNSD_PORT (default 5321); GDNSD_ADMIN_STATE: lines for
# state/admin_state (e.g. "127.1.1.11/up => DOWN") to start with endpoints forced down.
SRV_NAME=gdnsd
SRV_PORT="${GDNSD_PORT:-5321}"
srv_version() { echo "gdnsd $(gdnsd -h 2>&1 | sed -n 's/^gdnsd version \([^ ]*\).*/\1/p' | head -1)"; }
srv_prepare() {
  command -v gdnsd > /dev/null || { echo "gdnsd is not installed (apt-get install gdnsd)" >&2; return 1; }
  # gdnsd's control socket lives in its run directory, whose path must stay short (a socket path has 108 bytes).
  local run_dir="${TMPDIR:-/tmp}/tp-gdnsd.$SRV_PORT.$$"
  rm -rf "$run_dir" && mkdir -p "$run_dir"
  python3 "$DNSPERF_BENCH/gdnsd_conf.py" --dir "$SRVDIR" --run-dir "$run_dir" --port "$SRV_PORT" \
    --threads "$THREADS" --mmdb "$MMDB" --data "$GEN" --variant "$SRV_VARIANT" || return 1
  [[ -z "${GDNSD_ADMIN_STATE:-}" ]] || printf '%s\n' "$GDNSD_ADMIN_STATE" > "$SRVDIR/state/admin_state"
  gdnsd -c "$SRVDIR" checkconf > "$SRVDIR/checkconf.log" 2>&1 || { tail -n 20 "$SRVDIR/checkconf.log" >&2; return 1; }
}
srv_start() {
  # shellcheck disable=SC2086
  $SRV_TASKSET gdnsd -c "$SRVDIR" start > "$SRVDIR/gdnsd.log" 2>&1 &
  SRV_PID=$!
}
