#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback for the metadata store's tests
# (tests/metadata*.test.ts). The server comes from Debian's `postgresql` package (installed if
# missing); the cluster is made with initdb and run with pg_ctl under a cache dir, on a free
# loopback port, never as a system service.
#
#   bash scripts/engines/postgres.sh up       # install (once), initdb (once), start; print the URL
#   bash scripts/engines/postgres.sh url      # print the URL; exit 1 if it is not running
#   bash scripts/engines/postgres.sh status   # exit 0 and describe it if it is running
#   bash scripts/engines/postgres.sh down     # stop it (data is kept)
#   bash scripts/engines/postgres.sh reset    # stop it and delete the cluster
#
# `up` prints one line on stdout, the connection URL (postgres://pharos:<pw>@127.0.0.1:<port>/pharos);
# everything else goes to stderr. Idempotent: a running cluster is reused, a stopped one restarted.
#
# PostgreSQL refuses to run as root, so when this script runs as root the cluster belongs to the
# `postgres` user that Debian's package creates, and lives where that user can reach it
# (/var/tmp/pharos-postgres, since root's home is usually closed to other users).
#
# Environment (all optional):
#   PHAROS_CACHE_DIR             cache root (default ~/.cache/pharos)
#   PHAROS_POSTGRES_DIR          cluster home (default $PHAROS_CACHE_DIR/postgres, or /var/tmp/pharos-postgres as root)
#   PHAROS_POSTGRES_PORT         port to use (default: the first free one from 25432)
#   PHAROS_POSTGRES_START_TIMEOUT seconds to wait for the server (default 60)
set -euo pipefail

HOST=127.0.0.1
START_TIMEOUT="${PHAROS_POSTGRES_START_TIMEOUT:-60}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE_ROOT="${PHAROS_CACHE_DIR:-$HOME/.cache/pharos}"
if [ "$(id -u)" -eq 0 ]; then
  HOME_DIR="${PHAROS_POSTGRES_DIR:-/var/tmp/pharos-postgres}"
  RUN_AS=(runuser -u postgres --)
else
  HOME_DIR="${PHAROS_POSTGRES_DIR:-$CACHE_ROOT/postgres}"
  RUN_AS=()
fi
DATA="$HOME_DIR/data"
LOG_FILE="$HOME_DIR/postgres.log"
PORT_FILE="$HOME_DIR/port"
PW_FILE="$HOME_DIR/password"
DB=pharos
ROLE=pharos

log() { echo "postgres.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
as_owner() { "${RUN_AS[@]}" "$@"; }

# Debian installs the server binaries outside PATH, one directory per major version.
find_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -V -r); do
    [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  return 1
}

ensure_installed() {
  find_bindir >/dev/null && return 0
  log "installing Debian's postgresql package"
  bash "$HERE/debian-packages.sh" postgresql
  find_bindir >/dev/null || die "postgresql installed but no initdb/pg_ctl under /usr/lib/postgresql/*/bin"
}

url() { echo "postgres://$ROLE:$(cat "$PW_FILE")@$HOST:$(cat "$PORT_FILE")/$DB"; }

running() {
  [ -f "$PORT_FILE" ] && [ -f "$DATA/postmaster.pid" ] || return 1
  as_owner "$BINDIR/pg_ctl" -D "$DATA" status >/dev/null 2>&1 || return 1
  port_open "$HOST" "$(cat "$PORT_FILE")"
}

choose_port() {
  if [ -n "${PHAROS_POSTGRES_PORT:-}" ]; then
    port_open "$HOST" "$PHAROS_POSTGRES_PORT" && die "$HOST:$PHAROS_POSTGRES_PORT is taken by another process"
    echo "$PHAROS_POSTGRES_PORT"
    return 0
  fi
  # Keeps the port of an earlier run when it is still free, so URLs in logs stay valid.
  if [ -f "$PORT_FILE" ] && ! port_open "$HOST" "$(cat "$PORT_FILE")"; then
    cat "$PORT_FILE"
    return 0
  fi
  local p
  for p in $(seq 25432 25532); do
    port_open "$HOST" "$p" || { echo "$p"; return 0; }
  done
  die "no free port in 25432-25532 on $HOST"
}

init_cluster() {
  [ -f "$DATA/PG_VERSION" ] && return 0
  log "creating a cluster in $DATA with $BINDIR/initdb"
  rm -rf "$DATA"
  mkdir -p "$DATA"
  # A random password per cluster: the tests connect over TCP with SCRAM, as a deployment would.
  head -c 18 /dev/urandom | base64 | tr '+/' '-_' >"$PW_FILE"
  local pwfile="$HOME_DIR/initdb-pw"
  cp "$PW_FILE" "$pwfile"
  [ ${#RUN_AS[@]} -gt 0 ] && chown -R postgres:postgres "$HOME_DIR"
  chmod 700 "$DATA"
  if ! as_owner "$BINDIR/initdb" -D "$DATA" -U "$ROLE" --pwfile="$pwfile" --auth=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >"$HOME_DIR/initdb.log" 2>&1; then
    cat "$HOME_DIR/initdb.log" >&2
    rm -rf "$DATA" "$pwfile"
    die "initdb failed"
  fi
  rm -f "$pwfile"
  # A test cluster: durability is traded for speed (every test run recreates its databases).
  cat >>"$DATA/postgresql.conf" <<EOF
# Written by scripts/engines/postgres.sh.
listen_addresses = '$HOST'
unix_socket_directories = ''
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 50
shared_buffers = 64MB
EOF
}

cmd_up() {
  mkdir -p "$HOME_DIR"
  [ ${#RUN_AS[@]} -gt 0 ] && chown postgres:postgres "$HOME_DIR"
  # Serializes concurrent 'up's (parallel test files, a developer and a test) on one cluster.
  exec 9>"$HOME_DIR/.lock"
  flock 9
  ensure_installed
  BINDIR="$(find_bindir)"
  if running; then
    log "already running on $HOST:$(cat "$PORT_FILE")"
    url
    return 0
  fi
  init_cluster
  local port
  port="$(choose_port)"
  echo "$port" >"$PORT_FILE"
  [ -f "$LOG_FILE" ] && mv -f "$LOG_FILE" "$LOG_FILE.1"
  [ ${#RUN_AS[@]} -gt 0 ] && chown postgres:postgres "$HOME_DIR" "$PORT_FILE" && touch "$LOG_FILE" && chown postgres:postgres "$LOG_FILE"
  # A server killed without a clean shutdown leaves postmaster.pid; pg_ctl start copes when
  # the pid is gone, and `-w` waits until connections are accepted.
  if ! as_owner "$BINDIR/pg_ctl" -D "$DATA" -l "$LOG_FILE" -o "-p $port" -w -t "$START_TIMEOUT" start >&2 9>&-; then
    tail -n 30 "$LOG_FILE" >&2 || true
    die "the server did not start on $HOST:$port (log: $LOG_FILE)"
  fi
  if ! PGPASSWORD="$(cat "$PW_FILE")" "$BINDIR/psql" -h "$HOST" -p "$port" -U "$ROLE" -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
    PGPASSWORD="$(cat "$PW_FILE")" "$BINDIR/createdb" -h "$HOST" -p "$port" -U "$ROLE" "$DB" >&2
  fi
  log "PostgreSQL $("$BINDIR/postgres" --version | awk '{print $3}') up on $HOST:$port (data $DATA, log $LOG_FILE)"
  url
}

cmd_down() {
  BINDIR="$(find_bindir)" || { log "not installed"; return 0; }
  if [ ! -f "$DATA/postmaster.pid" ]; then
    log "not running"
    return 0
  fi
  as_owner "$BINDIR/pg_ctl" -D "$DATA" -m fast -w stop >&2 || log "pg_ctl stop failed (log: $LOG_FILE)"
}

cmd_url() {
  BINDIR="$(find_bindir)" || die "not installed: run bash scripts/engines/postgres.sh up"
  running || die "not running: run bash scripts/engines/postgres.sh up"
  url
}

cmd_status() {
  if BINDIR="$(find_bindir)" && running; then
    echo "running address=$HOST:$(cat "$PORT_FILE") data=$DATA log=$LOG_FILE"
    return 0
  fi
  echo "stopped data=$DATA"
  return 1
}

case "${1:-}" in
  up) cmd_up ;;
  url) cmd_url ;;
  down) cmd_down ;;
  status) cmd_status ;;
  reset) cmd_down && rm -rf "$HOME_DIR" && log "deleted $HOME_DIR" ;;
  *) echo "usage: $0 up|url|status|down|reset" >&2; exit 2 ;;
esac
