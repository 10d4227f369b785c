#!/usr/bin/env bash
# Installs and starts every external engine the tests and benchmarks use (idempotent):
# Debian's Prometheus and VictoriaMetrics (started by the tests themselves), a Kafka broker.
set -euo pipefail
here="$(dirname "$0")"
bash "$here/debian-packages.sh"
bash "$here/kafka.sh" up
