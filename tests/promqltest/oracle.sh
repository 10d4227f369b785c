#!/usr/bin/env bash
# Builds (once, cached) and runs the promqltest oracle: Prometheus 3.16's own promqltest
# runner and PromQL engine (module github.com/prometheus/prometheus v0.316.0), compiled as a Go
# test binary from tests/promqltest/oracle, over a directory of .test scripts.
#
#   bash tests/promqltest/oracle.sh build           # build once, print the binary path
#   bash tests/promqltest/oracle.sh run [DIR|FILE]  # run the scripts (default libs/promql/testdata)
#
# Uses the same Go environment as scripts/engines/prometheus3.sh (GOPATH, GOMODCACHE and
# GOCACHE under the Pharos cache), so the Prometheus sources that script fetched are reused and
# nothing outside the cache is written. The binary is keyed by a hash of the oracle's sources,
# go.mod and go.sum, so a rebuild happens exactly when they change; builds are serialised with
# flock and published with a rename, so a concurrent or interrupted build never looks done.
#
# Environment (all optional):
#   PHAROS_CACHE_DIR       cache root (default ~/.cache/pharos)
#   PHAROS_ORACLE_ENGINE   "server" (default; a 3.16 server with experimental functions) or
#                          "upstream" (promqltest.NewTestEngine, Prometheus' own test config)
#   PHAROS_ORACLE_RUN      a -test.run pattern to select scripts/evals, e.g. 'TestScripts/selectors.test'
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
SRC="$HERE/oracle"
MODE="${1:-run}"

CACHE_ROOT="${PHAROS_CACHE_DIR:-$HOME/.cache/pharos}"
GOROOT_CACHE="$CACHE_ROOT/prometheus3"
OUT="$CACHE_ROOT/promqltest-oracle"

log() { echo "oracle.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

GO="$(command -v go || true)"
[ -z "$GO" ] && [ -x /usr/local/go/bin/go ] && GO=/usr/local/go/bin/go
[ -n "$GO" ] || die "go not found (on PATH or /usr/local/go/bin/go)"

export GOPATH="$GOROOT_CACHE/gopath"
export GOMODCACHE="$GOROOT_CACHE/gopath/pkg/mod"
export GOCACHE="$GOROOT_CACHE/gocache"
export GOFLAGS="${GOFLAGS:--p=2}"
export GOTOOLCHAIN=local
export CGO_ENABLED=0

key="$(cat "$SRC/go.mod" "$SRC/go.sum" "$SRC"/*.go | sha256sum | cut -c1-16)"
BIN="$OUT/$key/oracle.test"

build() {
  [ -x "$BIN" ] && return 0
  mkdir -p "$OUT"
  exec 9>"$OUT/.lock"
  flock 9
  if [ ! -x "$BIN" ]; then
    log "building the promqltest oracle ($key) with $("$GO" env GOVERSION); a first build takes a few minutes"
    mkdir -p "$OUT/$key"
    local start
    start=$(date +%s)
    if ! (cd "$SRC" && "$GO" test -c -trimpath -o "$BIN.tmp" . >"$OUT/$key/build.log" 2>&1); then
      tail -n 30 "$OUT/$key/build.log" >&2 || true
      die "build failed; log in $OUT/$key/build.log"
    fi
    mv "$BIN.tmp" "$BIN"
    log "built in $(($(date +%s) - start)) s"
  fi
  exec 9>&-
}

case "$MODE" in
  build)
    build
    echo "$BIN"
    ;;
  run)
    build
    target="${2:-$REPO/libs/promql/testdata}"
    target="$(cd "$(dirname "$target")" && pwd)/$(basename "$target")"
    if [ -d "$target" ]; then export PHAROS_PROMQLTEST_DIR="$target"; else export PHAROS_PROMQLTEST_FILE="$target"; fi
    # The test binary runs in the oracle's source directory, as `go test` would.
    cd "$SRC"
    exec "$BIN" -test.v -test.count=1 -test.timeout=30m ${PHAROS_ORACLE_RUN:+-test.run "$PHAROS_ORACLE_RUN"}
    ;;
  *) die "usage: oracle.sh build | run [DIR|FILE]" ;;
esac
