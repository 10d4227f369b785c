#!/usr/bin/env bash
# Stops the engines that scripts/engines/up.sh started.
set -euo pipefail
bash "$(dirname "$0")/kafka.sh" down
