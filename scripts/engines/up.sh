#!/usr/bin/env bash
# Installs and starts every external engine the tests and benchmarks use (idempotent):
# Debian's Prometheus and VictoriaMetrics (started by the tests themselves), a Kafka broker,
# and a throwaway PostgreSQL cluster for the metadata store (its URL goes to stdout).
set -euo pipefail
here="$(dirname "$0")"
bash "$here/debian-packages.sh"
bash "$here/kafka.sh" up
bash "$here/postgres.sh" up
