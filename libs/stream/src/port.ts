/**
 * The stream port: a partitioned, durable log between the ingestion edge (collector) and
 * the processors, with consumer groups — Kafka's model, which both adapters implement.
 *
 * Contract (checked by `libs/stream/conformance/stream.conformance.ts` for every adapter):
 * - Topics have a fixed number of partitions. A record with a key goes to the partition
 *   {@link partitionForKey} picks (the same for every adapter), unless the producer names one.
 * - `produce` MUST resolve only once the records are durable per the adapter's durability
 *   policy (embedded: written and, by default, fsynced by group commit; Kafka: acks=-1).
 *   A resolved `produce` MUST survive `kill -9` of the process.
 * - Within a partition, records are delivered in offset order. Offsets are dense integers
 *   starting at 0 (Kafka may leave gaps after transactions; consumers MUST NOT assume density).
 * - A consumer group's committed offset is the offset of the next record to deliver. After a
 *   restart or rebalance, delivery resumes from the committed offset: records delivered but not
 *   committed MUST be delivered again (at-least-once). Groups are independent of each other.
 * - Each partition of a topic is assigned to exactly one member of a group at a time.
 * - Delivery is bounded: a consumer holds at most `maxBatchBytes` of undelivered records per
 *   partition in memory, and does not fetch more while its handler has not resolved
 *   (backpressure to the log, never unbounded buffering).
 * - Returned `value` buffers are owned by the handler for the duration of the call only; a
 *   handler that keeps one past its promise MUST copy it.
 */
export interface Stream {
  readonly kind: 'embedded' | 'kafka';

  /** Creates a topic if missing; an existing topic keeps its partition count. */
  ensureTopic(topic: string, partitions: number): Promise<void>;

  partitionCount(topic: string): Promise<number>;

  producer(): StreamProducer;

  consumer(options: ConsumerOptions): StreamConsumer;

  /** Per group and partition, how far the group lags behind the end of the log. */
  lag(group: string, topic: string): Promise<PartitionLag[]>;

  close(): Promise<void>;
}

export interface StreamProducer {
  /**
   * The adapter behind this producer. Writers whose records refer to earlier records of the
   * same partition need it: with `embedded`, the log lives in one data directory and every
   * partition is consumed in full order by the consumers of that directory; with `kafka`,
   * partitions move between consumer processes that each see only part of a partition.
   */
  readonly kind?: Stream['kind'];

  /** Appends records; resolves once they are durable (see the port contract). */
  produce(topic: string, records: readonly ProducerRecord[]): Promise<ProduceAck[]>;
}

export interface ProducerRecord {
  /** Chooses the partition when `partition` is absent. */
  readonly key: string;
  readonly value: Uint8Array;
  readonly partition?: number;
  /** Milliseconds since the epoch; defaults to the time of `produce`. */
  readonly timestamp?: number;
}

export interface ProduceAck {
  readonly partition: number;
  readonly offset: number;
}

export interface ConsumerOptions {
  readonly group: string;
  readonly topic: string;
  /** Upper bound on the bytes handed to one handler call (default 4 MiB). */
  readonly maxBatchBytes?: number;
  /** Where a group with no committed offset starts (default `earliest`). */
  readonly fromBeginning?: boolean;
}

export interface StreamRecord {
  readonly offset: number;
  readonly key: string;
  readonly value: Uint8Array;
  readonly timestamp: number;
}

export interface RecordBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly StreamRecord[];
}

export interface PartitionAssignment {
  readonly assigned: readonly number[];
  readonly revoked: readonly number[];
}

export interface StreamConsumer {
  /**
   * Starts delivery. `onBatch` receives batches of one partition at a time; the next batch of
   * that partition is not delivered before the promise resolves. Resolving does not commit.
   * `onAssignment` (optional) hears which partitions this member gained and lost.
   */
  run(handlers: {
    onBatch: (batch: RecordBatch) => Promise<void>;
    onAssignment?: (change: PartitionAssignment) => Promise<void> | void;
  }): Promise<void>;

  /** Commits, per partition, the offset of the next record to deliver. */
  commit(topic: string, offsets: readonly { partition: number; offset: number }[]): Promise<void>;

  /** Stops delivery and leaves the group; uncommitted records go to the next member. */
  stop(): Promise<void>;
}

export interface PartitionLag {
  readonly partition: number;
  /** Offset of the next record to be produced. */
  readonly endOffset: number;
  /** Committed offset of the group, or the log start when it has none. */
  readonly committedOffset: number;
  readonly lagRecords: number;
}
