// Runtime values from the default export: kafkajs is CommonJS (see kafka-stream.ts).
import kafkajs, { type logCreator, type LogEntry, type logLevel } from 'kafkajs';

const KafkaJsLevel = kafkajs.logLevel;
type KafkaJsLevel = logLevel;

/** Levels of the adapter's log, from quietest; `nothing` turns the client's log off. */
export type KafkaLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug';

/** One log line of the Kafka client, in plain data so any logger (pino, console) can take it. */
export interface KafkaLogEntry {
  readonly level: Exclude<KafkaLogLevel, 'nothing'>;
  /** The client component, e.g. `Consumer`, `Runner`, `Connection`. */
  readonly namespace: string;
  readonly message: string;
  /** The client's structured fields (broker, groupId, error, ...), timestamp excluded. */
  readonly fields: Readonly<Record<string, unknown>>;
}

export type KafkaLogSink = (entry: KafkaLogEntry) => void;

const RANK: Record<KafkaLogLevel, number> = { nothing: 0, error: 1, warn: 2, info: 3, debug: 4 };

/**
 * kafkajs reports the ordinary life of a consumer group at ERROR or WARN (a member joining or
 * leaving makes the others log "rebalancing", "Restarting" or "not aware of this member"); the
 * adapter recovers from all of these by itself, so they are demoted to `info` to keep `warn`
 * and `error` meaning "look at this".
 */
const ROUTINE = [
  /rebalanc/i,
  /not aware of this member/i,
  /group coordinator is not available/i,
  /not the correct coordinator/i,
  /Restarting the consumer/i,
  /specified group generation id is not valid/i,
  // A new broker loads __consumer_offsets when the first group appears; kafkajs restarts.
  /coordinator is loading/i,
  // The connection logs every error response before the caller gets it as an exception; for
  // CreateTopics that includes "already exists" from a concurrent ensureTopic.
  /Topic creation errors/,
];

function fromKafkaJs(level: KafkaJsLevel): Exclude<KafkaLogLevel, 'nothing'> {
  switch (level) {
    case KafkaJsLevel.ERROR:
      return 'error';
    case KafkaJsLevel.WARN:
      return 'warn';
    case KafkaJsLevel.INFO:
      return 'info';
    default:
      return 'debug';
  }
}

function toKafkaJs(level: KafkaLogLevel): KafkaJsLevel {
  switch (level) {
    case 'nothing':
      return KafkaJsLevel.NOTHING;
    case 'error':
      return KafkaJsLevel.ERROR;
    case 'warn':
      return KafkaJsLevel.WARN;
    case 'info':
      return KafkaJsLevel.INFO;
    default:
      return KafkaJsLevel.DEBUG;
  }
}

/** The default sink: one line on stderr, since the lib has no logger of its own. */
export const stderrKafkaLog: KafkaLogSink = (e) => {
  const detail = typeof e.fields['error'] === 'string' ? `: ${e.fields['error']}` : '';
  process.stderr.write(`[kafka ${e.level}] ${e.namespace}: ${e.message}${detail}\n`);
};

/**
 * Builds the kafkajs `logLevel` and `logCreator` for a threshold and a sink. kafkajs filters by
 * its own level before calling the creator, but routine errors are demoted here, so the
 * threshold is applied again after demotion.
 */
export function kafkaJsLogging(
  threshold: KafkaLogLevel,
  sink: KafkaLogSink,
): { logLevel: KafkaJsLevel; logCreator: logCreator } {
  const limit = RANK[threshold];
  const logCreator: logCreator = () => (entry: LogEntry) => {
    const { message, timestamp: _timestamp, ...fields } = entry.log;
    let level = fromKafkaJs(entry.level);
    if ((level === 'error' || level === 'warn') && ROUTINE.some((re) => re.test(message) || re.test(String(fields['error'] ?? '')))) {
      level = 'info';
    }
    // The connection logs each error response before the caller gets it as an exception (or
    // kafkajs retries it): worth a warning, not an error of its own.
    if (level === 'error' && entry.namespace === 'Connection' && message.startsWith('Response ')) level = 'warn';
    // kafkajs logs "Crash" before deciding to restart; a crash it does not recover from is
    // reported at error by the adapter's own consumer (KafkaStreamConsumer's CRASH listener).
    if (level === 'error' && message.startsWith('Crash: ')) level = 'warn';
    // An attempt kafkajs will retry (a leader moving after topic creation, say); the final
    // failure, if any, reaches the caller as an exception.
    if (level === 'error' && 'retryCount' in fields && 'retryTime' in fields) level = 'warn';
    if (RANK[level] > limit) return;
    sink({ level, namespace: entry.namespace, message, fields });
  };
  return { logLevel: toKafkaJs(threshold), logCreator };
}
