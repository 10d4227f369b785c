#!/usr/bin/env bash
# Builds the OpenTelemetry Collector's load generator `telemetrygen` (an OTLP sender written
# with the Go OTel SDK, independent of Pharos' own encoder) with `go install` from the Go
# module proxy, and caches it. Used by tests/otlp-telemetrygen.test.ts.
#
#   bash scripts/engines/telemetrygen.sh              # build once (cached), print the binary path
#   bash scripts/engines/telemetrygen.sh print-path   # print the path only; exit 1 if not built yet
#
# Idempotent: a second run finds the binary and does nothing.
#
# Environment (all optional):
#   PHAROS_CACHE_DIR               cache root (default ~/.cache/pharos)
#   PHAROS_TELEMETRYGEN_VERSION    module version (default below)
set -euo pipefail

VERSION="${PHAROS_TELEMETRYGEN_VERSION:-v0.161.0}"
MODULE="github.com/open-telemetry/opentelemetry-collector-contrib/cmd/telemetrygen"
MODE="${1:-build}"

CACHE_ROOT="${PHAROS_CACHE_DIR:-$HOME/.cache/pharos}"
ROOT="$CACHE_ROOT/telemetrygen"
BIN="$ROOT/$VERSION/bin/telemetrygen"

log() { echo "telemetrygen.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

case "$MODE" in
  print-path)
    [ -x "$BIN" ] || die "not built yet: run bash scripts/engines/telemetrygen.sh"
    echo "$BIN"
    exit 0
    ;;
  build) ;;
  *) die "usage: telemetrygen.sh [print-path]" ;;
esac

if [ -x "$BIN" ]; then
  echo "$BIN"
  exit 0
fi

# shellcheck source=go-build-env.sh
source "$(dirname "${BASH_SOURCE[0]}")/go-build-env.sh"
if [ -x "$BIN" ]; then
  echo "$BIN"
  exit 0
fi

log "building $MODULE@$VERSION with $("$GO" env GOVERSION); a first build takes a minute or two"
start=$(date +%s)
# Built into a temporary directory and moved, so an interrupted build never looks done.
tmp="$ROOT/$VERSION/tmp-bin"
rm -rf "$tmp"
mkdir -p "$tmp"
if ! GOBIN="$tmp" "$GO" install -trimpath "$MODULE@$VERSION" >"$ROOT/build-$VERSION.log" 2>&1; then
  tail -n 15 "$ROOT/build-$VERSION.log" >&2 || true
  die "building telemetrygen $VERSION failed; log in $ROOT/build-$VERSION.log"
fi
mkdir -p "$(dirname "$BIN")"
mv "$tmp/telemetrygen" "$BIN"
rm -rf "$tmp"
log "built in $(($(date +%s) - start)) s"
echo "$BIN"
