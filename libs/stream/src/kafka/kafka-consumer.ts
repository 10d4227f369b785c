import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type {
  ConsumerOptions,
  PartitionAssignment,
  RecordBatch,
  StreamConsumer,
  StreamRecord,
} from '../port.js';
import type { KafkaLogSink } from './kafka-log.js';

export interface KafkaConsumerSettings {
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly rebalanceTimeoutMs: number;
  /** How long a fetch waits on the broker for new records (also bounds rebalance reaction). */
  readonly fetchMaxWaitMs: number;
  /** Partitions whose handlers may run at once (one batch per partition at a time regardless). */
  readonly partitionsConsumedConcurrently: number;
  /** Pause before a batch whose handler threw is delivered again. */
  readonly retryBackoffMs: number;
  readonly log: KafkaLogSink;
}

const DEFAULT_MAX_BATCH_BYTES = 4 * 1024 * 1024;
const EMPTY = new Uint8Array(0);

type Handlers = Parameters<StreamConsumer['run']>[0];

function toRecord(m: KafkaMessage): StreamRecord {
  return {
    offset: Number(m.offset),
    key: m.key ? m.key.toString('utf8') : '',
    value: m.value ?? EMPTY,
    timestamp: Number(m.timestamp),
  };
}

function recordBytes(r: StreamRecord): number {
  return r.value.byteLength + Buffer.byteLength(r.key, 'utf8');
}

/**
 * Cuts a fetched batch into handler calls of at most `maxBytes` (value plus key bytes). Kafka
 * returns whole record batches, so a fetch can exceed the consumer's byte bound; the bound is
 * enforced here, per handler call. A record larger than the bound goes alone.
 */
export function splitByBytes(records: readonly StreamRecord[], maxBytes: number): StreamRecord[][] {
  const out: StreamRecord[][] = [];
  let current: StreamRecord[] = [];
  let bytes = 0;
  for (const r of records) {
    const b = recordBytes(r);
    if (current.length > 0 && bytes + b > maxBytes) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(r);
    bytes += b;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * A member of a consumer group over one kafkajs consumer, with automatic commits off: the
 * handler's owner commits what it has made durable downstream.
 *
 * Assignment changes come from kafkajs' GROUP_JOIN event, which fires after each join and sync
 * and before fetching for the new generation starts; batches wait for the `onAssignment`
 * handler, and a batch of a partition no longer assigned (fetched in an older generation) is
 * dropped rather than delivered to a member that no longer owns it.
 */
export class KafkaStreamConsumer implements StreamConsumer {
  private consumer: Consumer | undefined;
  private readonly assigned = new Set<number>();
  private assignmentChain: Promise<void> = Promise.resolve();
  private onAssignment: Handlers['onAssignment'];
  private stopped = false;
  private readonly maxBatchBytes: number;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: ConsumerOptions,
    private readonly settings: KafkaConsumerSettings,
    private readonly onStopped: (c: KafkaStreamConsumer) => void,
  ) {
    this.maxBatchBytes = options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES;
  }

  async run(handlers: Handlers): Promise<void> {
    if (this.consumer) throw new Error('consumer is already running');
    if (this.stopped) throw new Error('consumer was stopped; create a new one');
    const { group, topic } = this.options;
    this.onAssignment = handlers.onAssignment;
    const consumer = this.kafka.consumer({
      groupId: group,
      sessionTimeout: this.settings.sessionTimeoutMs,
      heartbeatInterval: this.settings.heartbeatIntervalMs,
      rebalanceTimeout: this.settings.rebalanceTimeoutMs,
      // The port's backpressure bound: the broker returns about this much per partition per
      // fetch, and kafkajs fetches again only after the batches of a fetch were handled.
      maxBytesPerPartition: this.maxBatchBytes,
      maxBytes: Math.max(10 * 1024 * 1024, this.maxBatchBytes),
      maxWaitTimeInMs: this.settings.fetchMaxWaitMs,
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      this.applyAssignment(e.payload.memberAssignment[topic] ?? []);
    });
    consumer.on(consumer.events.CRASH, (e) => {
      if (!e.payload.restart) {
        this.settings.log({
          level: 'error',
          namespace: 'KafkaStreamConsumer',
          message: `consumer of group ${group} on ${topic} stopped after an error it cannot recover from`,
          fields: { error: e.payload.error.message },
        });
      }
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: this.options.fromBeginning ?? true });
    await consumer.run({
      autoCommit: false,
      // Offsets are resolved per delivered sub-batch, so a batch cut short (stop, handler
      // error) is fetched again from its first undelivered record.
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.settings.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.deliver(payload, handlers.onBatch),
    });
  }

  async commit(topic: string, offsets: readonly { partition: number; offset: number }[]): Promise<void> {
    if (!this.consumer) throw new Error('commit on a consumer that is not running');
    // kafkajs silently drops a commit once its runner stopped; the caller must know that its
    // offsets did not land (the records will be delivered again to the next member).
    if (this.stopped) throw new Error('commit on a stopped consumer: the offsets were not committed');
    if (offsets.length === 0) return;
    await this.consumer.commitOffsets(
      offsets.map((o) => ({ topic, partition: o.partition, offset: String(o.offset) })),
    );
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const consumer = this.consumer;
    try {
      // disconnect() stops the runner and sends LeaveGroup, so the partitions move at once
      // rather than after the session timeout.
      if (consumer) await consumer.disconnect();
    } finally {
      this.onStopped(this);
    }
    const revoked = [...this.assigned].sort((a, b) => a - b);
    this.assigned.clear();
    if (revoked.length > 0) this.notify({ assigned: [], revoked });
    await this.assignmentChain;
  }

  private applyAssignment(partitions: readonly number[]): void {
    const next = new Set(partitions);
    const assigned = [...next].filter((p) => !this.assigned.has(p)).sort((a, b) => a - b);
    const revoked = [...this.assigned].filter((p) => !next.has(p)).sort((a, b) => a - b);
    this.assigned.clear();
    for (const p of next) this.assigned.add(p);
    if (assigned.length > 0 || revoked.length > 0) this.notify({ assigned, revoked });
  }

  /** Runs `onAssignment` in order; batches wait for it (see {@link deliver}). */
  private notify(change: PartitionAssignment): void {
    const handler = this.onAssignment;
    if (!handler) return;
    this.assignmentChain = this.assignmentChain.then(async () => {
      try {
        await handler(change);
      } catch (err) {
        this.settings.log({
          level: 'error',
          namespace: 'KafkaStreamConsumer',
          message: 'onAssignment handler failed',
          fields: { error: err instanceof Error ? err.message : String(err) },
        });
      }
    });
  }

  private async deliver(payload: EachBatchPayload, onBatch: Handlers['onBatch']): Promise<void> {
    const { batch } = payload;
    await this.assignmentChain;
    const records = batch.messages.map(toRecord);
    for (const part of splitByBytes(records, this.maxBatchBytes)) {
      if (this.stopped || !payload.isRunning() || payload.isStale() || !this.assigned.has(batch.partition)) return;
      // kafkajs only heartbeats between batches; a long handler would otherwise be taken for
      // a dead member and its partitions moved away mid-batch.
      const timer = setInterval(() => {
        payload.heartbeat().catch(() => {
          // A rebalance is reported by the next heartbeat after the handler; nothing to do here.
        });
      }, this.settings.heartbeatIntervalMs);
      try {
        const delivered: RecordBatch = { topic: batch.topic, partition: batch.partition, records: part };
        await onBatch(delivered);
      } catch (err) {
        this.settings.log({
          level: 'error',
          namespace: 'KafkaStreamConsumer',
          message: `batch handler failed on ${batch.topic}/${batch.partition}; delivering again in ${this.settings.retryBackoffMs} ms`,
          fields: { error: err instanceof Error ? err.message : String(err), offset: part[0]!.offset },
        });
        // Leaves the offset unresolved and pauses the partition: after the backoff, kafkajs
        // fetches again from the first record of this sub-batch (at-least-once).
        const resume = payload.pause();
        setTimeout(resume, this.settings.retryBackoffMs).unref();
        return;
      } finally {
        clearInterval(timer);
      }
      payload.resolveOffset(String(part.at(-1)!.offset));
    }
  }
}
