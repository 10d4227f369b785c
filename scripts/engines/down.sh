#!/usr/bin/env bash
# Stops the engines that scripts/engines/up.sh started (their data is kept).
set -euo pipefail
here="$(dirname "$0")"
bash "$here/kafka.sh" down
bash "$here/postgres.sh" down
