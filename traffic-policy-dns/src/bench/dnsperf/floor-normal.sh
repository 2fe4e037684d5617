# shellcheck shell=bash
# floor.sh under the default scheduling policy instead of SCHED_BATCH, as its own row (pass this file's path to -s).
# shellcheck disable=SC1091
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/floor.sh"
SRV_NAME=floor-normal
SRV_PORT=5331
FLOOR_SCHED=normal
