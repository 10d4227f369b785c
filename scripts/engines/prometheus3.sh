#!/usr/bin/env bash
# Builds a real Prometheus 3.x (the Remote-Write 2.0 sender of tests/prometheus3-remote-write-v2.test.ts)
# with `go install` from the Go module proxy, and caches it. Debian ships only Prometheus 2.x
# (remote-write 1.0), and prebuilt release binaries cannot be fetched here, so the source comes
# as the Go module github.com/prometheus/prometheus, whose 3.x releases carry module versions
# v0.3XX.Y (v0.316.0 is Prometheus 3.16.0).
#
#   bash scripts/engines/prometheus3.sh              # build once (cached), print the binary path
#   bash scripts/engines/prometheus3.sh print-path   # print the path only; exit 1 if not built yet
#
# Idempotent: a second run finds the binary and does nothing. The binary is built without the
# `builtinassets` tag, so the web UI is not embedded (the HTTP API, scraping, TSDB and
# remote_write are all there). Needs Go >= the module's `go` line (go on PATH or /usr/local/go).
#
# Environment (all optional):
#   PHAROS_CACHE_DIR                  cache root (default ~/.cache/pharos)
#   PHAROS_PROMETHEUS3_VERSIONS       module versions to try in order (default below); the
#                                     first one that builds is kept
#   PHAROS_PROMETHEUS3_BUILD_FLAGS    extra `go install` flags (default "-trimpath")
set -euo pipefail

VERSIONS="${PHAROS_PROMETHEUS3_VERSIONS:-v0.316.0 v0.315.1 v0.314.0 v0.310.0 v0.305.1}"
BUILD_FLAGS="${PHAROS_PROMETHEUS3_BUILD_FLAGS:--trimpath}"
MODE="${1:-build}"

CACHE_ROOT="${PHAROS_CACHE_DIR:-$HOME/.cache/pharos}"
ROOT="$CACHE_ROOT/prometheus3"
# The path of the binary that was built, written last so an interrupted build never looks done.
MARKER="$ROOT/current"

log() { echo "prometheus3.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

cached_binary() {
  [ -f "$MARKER" ] || return 1
  local bin
  bin="$(cat "$MARKER")"
  [ -x "$bin" ] || return 1
  echo "$bin"
}

case "$MODE" in
  print-path)
    cached_binary || die "not built yet: run bash scripts/engines/prometheus3.sh"
    exit 0
    ;;
  build) ;;
  *) die "usage: prometheus3.sh [print-path]" ;;
esac

if bin="$(cached_binary)"; then
  echo "$bin"
  exit 0
fi

# shellcheck source=go-build-env.sh
source "$(dirname "${BASH_SOURCE[0]}")/go-build-env.sh"
if bin="$(cached_binary)"; then
  echo "$bin"
  exit 0
fi

failures=""
for v in $VERSIONS; do
  export GOBIN="$ROOT/$v/bin"
  mkdir -p "$GOBIN"
  # Module v0.3XX.Y is Prometheus 3.XX.Y; stamped in as promu does, so `--version`, the
  # User-Agent and prometheus_build_info tell the release.
  rest="${v#v0.3}"
  release="3.$((10#${rest%%.*})).${rest#*.}"
  ldflags="-X github.com/prometheus/common/version.Version=$release -X github.com/prometheus/common/version.Revision=go-install-$v -X github.com/prometheus/common/version.Branch=HEAD -X github.com/prometheus/common/version.BuildUser=pharos"
  log "building github.com/prometheus/prometheus/cmd/prometheus@$v (Prometheus $release) with $("$GO" env GOVERSION) (GOFLAGS=$GOFLAGS); a first build takes minutes"
  start=$(date +%s)
  # shellcheck disable=SC2086
  if "$GO" install $BUILD_FLAGS -ldflags "$ldflags" "github.com/prometheus/prometheus/cmd/prometheus@$v" >"$ROOT/build-$v.log" 2>&1 \
    && "$GOBIN/prometheus" --version >/dev/null 2>&1; then
    log "built $v in $(($(date +%s) - start)) s"
    echo "$GOBIN/prometheus" >"$MARKER.tmp"
    mv "$MARKER.tmp" "$MARKER"
    echo "$GOBIN/prometheus"
    exit 0
  fi
  log "building $v failed after $(($(date +%s) - start)) s; last lines of $ROOT/build-$v.log:"
  tail -n 15 "$ROOT/build-$v.log" >&2 || true
  failures="$failures $v"
done
die "no Prometheus 3.x version built (tried:$failures); logs in $ROOT/build-*.log"
