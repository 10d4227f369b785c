# Sourced by the scripts that build test peers with `go install` (prometheus3.sh,
# telemetrygen.sh): finds the go command (PATH or /usr/local/go) as $GO, keeps everything Go
# writes (modules, build cache, binaries) under the caller's cache folder $ROOT, never fetches
# another Go toolchain (a module needing a newer Go fails instead), builds without cgo, and
# takes the caller's lock ($ROOT/.lock) so two test runs never build at once.
# Needs `die` and `ROOT` from the caller.
GO="$(command -v go || true)"
[ -z "$GO" ] && [ -x /usr/local/go/bin/go ] && GO=/usr/local/go/bin/go
[ -n "$GO" ] || die "go not found (on PATH or /usr/local/go/bin/go)"

mkdir -p "$ROOT"
export GOPATH="$ROOT/gopath"
export GOMODCACHE="$ROOT/gopath/pkg/mod"
export GOCACHE="$ROOT/gocache"
export GOFLAGS="${GOFLAGS:--p=2}"
export GOTOOLCHAIN=local
export CGO_ENABLED=0

exec 9>"$ROOT/.lock"
flock 9
