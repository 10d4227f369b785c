#!/usr/bin/env bash
# A single-node Apache Kafka (KRaft: broker and controller in one JVM) on loopback, for the
# Kafka adapter's tests and benchmarks. Kafka is not packaged by Debian or npm here, so the
# broker comes from Maven Central as plain jars (scripts/engines/kafka/pom.xml) and runs as
# `java -cp 'libs/*' kafka.Kafka server.properties`.
#
#   bash scripts/engines/kafka.sh up       # fetch (once), format (once), start, wait until ready
#   bash scripts/engines/kafka.sh status   # exit 0 and print the address if it is running
#   bash scripts/engines/kafka.sh down     # stop it (data is kept)
#   bash scripts/engines/kafka.sh reset    # stop it and delete its data
#
# Environment (all optional):
#   PHAROS_CACHE_DIR              jars and run dirs live under here (default ~/.cache/pharos)
#   PHAROS_KAFKA_VERSION          org.apache.kafka:kafka_2.13 version (default 4.1.1)
#   PHAROS_KAFKA_HOST             listener host (default 127.0.0.1)
#   PHAROS_KAFKA_PORT             broker port (default 19092)
#   PHAROS_KAFKA_CONTROLLER_PORT  KRaft controller port (default PORT+1)
#   PHAROS_KAFKA_HEAP             JVM max heap (default 512m)
#   PHAROS_KAFKA_START_TIMEOUT    seconds to wait for the broker (default 90)
set -euo pipefail

VERSION="${PHAROS_KAFKA_VERSION:-4.1.1}"
HOST="${PHAROS_KAFKA_HOST:-127.0.0.1}"
PORT="${PHAROS_KAFKA_PORT:-19092}"
CONTROLLER_PORT="${PHAROS_KAFKA_CONTROLLER_PORT:-$((PORT + 1))}"
HEAP="${PHAROS_KAFKA_HEAP:-512m}"
START_TIMEOUT="${PHAROS_KAFKA_START_TIMEOUT:-90}"

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE_ROOT="${PHAROS_CACHE_DIR:-$HOME/.cache/pharos}"
HOME_DIR="$CACHE_ROOT/kafka-$VERSION"
LIBS="$HOME_DIR/libs"
# One run dir per broker port, so two brokers (say, a test run and a benchmark) can coexist.
RUN="$HOME_DIR/run-$PORT"
PID_FILE="$RUN/kafka.pid"
LOG_FILE="$RUN/kafka.log"

log() { echo "kafka.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

running_pid() {
  [ -f "$PID_FILE" ] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # Guards against a recycled pid: the process must be our broker.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "kafka.Kafka $RUN/server.properties" || return 1
  echo "$pid"
}

fetch_jars() {
  [ -f "$LIBS/.complete" ] && return 0
  command -v mvn >/dev/null || die "mvn not found (Maven resolves the Kafka jars from Maven Central)"
  log "resolving org.apache.kafka:kafka_2.13:$VERSION and its runtime dependencies from Maven Central"
  local tmp="$HOME_DIR/libs.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  # Copies into a temp dir and renames, so an interrupted download never looks complete.
  if ! mvn -q -B -f "$HERE/kafka/pom.xml" -Dkafka.version="$VERSION" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" >"$HOME_DIR/mvn.log" 2>&1; then
    tail -n 40 "$HOME_DIR/mvn.log" >&2
    rm -rf "$tmp"
    die "Maven could not resolve Kafka $VERSION (full log: $HOME_DIR/mvn.log)"
  fi
  ls "$tmp"/kafka_2.13-*.jar >/dev/null 2>&1 || die "no kafka_2.13 jar in the resolved dependencies"
  rm -rf "$LIBS"
  mv "$tmp" "$LIBS"
  touch "$LIBS/.complete"
  log "cached $(ls "$LIBS" | wc -l) jars in $LIBS"
}

write_config() {
  mkdir -p "$RUN/data"
  cat >"$RUN/server.properties" <<EOF
# Written by scripts/engines/kafka.sh; edits are overwritten on the next 'up'.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$RUN/data
# Topics are created by the adapter's ensureTopic with an explicit partition count.
auto.create.topics.enable=false
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
# One node: every internal topic has one replica. Fewer offsets partitions make the first
# consumer group (which creates __consumer_offsets) quick to come up.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=8
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Tests create and join groups constantly; the default 3 s delay would slow every join.
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
# A test broker: every run makes new topics. Small segments rolled hourly let retention
# actually delete old data, so the run dir does not grow without bound across runs.
log.retention.hours=6
log.roll.hours=1
log.segment.bytes=67108864
EOF
  cat >"$RUN/log4j2.properties" <<EOF
status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.out.ref = OUT
logger.request.name = kafka.request.logger
logger.request.level = warn
logger.statechange.name = state.change.logger
logger.statechange.level = warn
EOF
}

format_storage() {
  [ -f "$RUN/data/meta.properties" ] && return 0
  # A Kafka cluster id is a base64url-encoded 16-byte UUID without padding.
  local cluster_id
  cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
  log "formatting KRaft storage in $RUN/data (cluster $cluster_id)"
  java -Xmx256m -Dlog4j2.configurationFile="$RUN/log4j2.properties" -cp "$LIBS/*" \
    kafka.tools.StorageTool format -t "$cluster_id" -c "$RUN/server.properties" >"$RUN/format.log" 2>&1 ||
    { cat "$RUN/format.log" >&2; die "formatting the storage failed"; }
}

wait_ready() {
  local pid="$1" deadline=$((SECONDS + START_TIMEOUT))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 40 "$LOG_FILE" >&2
      die "the broker exited during start-up (log: $LOG_FILE)"
    fi
    # The port opens before the broker has caught up with the metadata log; the log line
    # says it is serving.
    if port_open "$HOST" "$PORT" && grep -q "Kafka Server started" "$LOG_FILE"; then
      return 0
    fi
    sleep 0.2
  done
  tail -n 40 "$LOG_FILE" >&2
  die "the broker did not answer on $HOST:$PORT within ${START_TIMEOUT}s (log: $LOG_FILE)"
}

cmd_up() {
  mkdir -p "$HOME_DIR"
  # Serializes concurrent 'up's (parallel test files, a developer and a test) on one cache.
  exec 9>"$HOME_DIR/.lock"
  flock 9
  if pid="$(running_pid)"; then
    log "already running (pid $pid) on $HOST:$PORT"
    return 0
  fi
  port_open "$HOST" "$PORT" && die "$HOST:$PORT is taken by another process"
  command -v java >/dev/null || die "java not found (Kafka $VERSION needs Java 17 or later)"
  fetch_jars
  write_config
  format_storage
  [ -f "$LOG_FILE" ] && mv -f "$LOG_FILE" "$LOG_FILE.1"
  # setsid detaches the broker from the caller's process group, so it outlives the test
  # run that started it and the next 'up' finds it running.
  setsid java -Xms128m -Xmx"$HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$RUN/log4j2.properties" \
    -cp "$LIBS/*" kafka.Kafka "$RUN/server.properties" >"$LOG_FILE" 2>&1 </dev/null 9>&- &
  local pid=$!
  echo "$pid" >"$PID_FILE"
  wait_ready "$pid"
  log "Kafka $VERSION up on $HOST:$PORT (pid $pid, controller $HOST:$CONTROLLER_PORT, log $LOG_FILE)"
}

cmd_down() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    log "not running"
    return 0
  fi
  kill -TERM "$pid"
  local deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    log "no clean shutdown within 30s; killing pid $pid"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_FILE"
  log "stopped (pid $pid)"
}

cmd_status() {
  local pid
  if pid="$(running_pid)" && port_open "$HOST" "$PORT"; then
    echo "running pid=$pid address=$HOST:$PORT version=$VERSION log=$LOG_FILE"
    return 0
  fi
  echo "stopped address=$HOST:$PORT version=$VERSION"
  return 1
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  reset) cmd_down && rm -rf "$RUN" && log "deleted $RUN" ;;
  *) echo "usage: $0 up|down|status|reset" >&2; exit 2 ;;
esac
