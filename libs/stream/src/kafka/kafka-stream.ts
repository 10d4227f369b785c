// kafkajs is CommonJS whose exports Node's ESM loader cannot all name statically
// (ConfigResourceTypes is missing), so runtime values come from the default export.
import kafkajs, { type Admin, type ICustomPartitioner, type Kafka, type Producer } from 'kafkajs';
import { partitionForKey } from '../partitioner.js';
import type { ConsumerOptions, PartitionLag, Stream, StreamConsumer, StreamProducer } from '../port.js';
import { withAdminRetries } from './admin-retry.js';
import { KafkaStreamConsumer } from './kafka-consumer.js';
import { kafkaJsLogging, stderrKafkaLog, type KafkaLogLevel, type KafkaLogSink } from './kafka-log.js';
import { KafkaStreamProducer, type TopicLayout } from './kafka-producer.js';

/** Options of {@link KafkaStream.connect}; only `brokers` is required. */
export interface KafkaStreamOptions {
  /** Bootstrap brokers, `host:port` (see `parseKafkaUrl` for the `kafka://` form). */
  readonly brokers: readonly string[];
  /** Shown in broker logs and quotas (default `pharos`). */
  readonly clientId?: string;
  /** Threshold of the client's log (default `error`, with routine rebalance noise demoted). */
  readonly logLevel?: KafkaLogLevel;
  /** Where the client's log goes (default: one line per entry on stderr). */
  readonly logger?: KafkaLogSink;
  /** TCP connect timeout per broker (default 3000 ms). */
  readonly connectionTimeoutMs?: number;
  /** Broker request timeout (default 30000 ms). */
  readonly requestTimeoutMs?: number;
  /**
   * `max.message.bytes` given to topics this adapter creates: the largest record batch, hence
   * the largest record, the broker accepts on them (default 8 MiB; the broker's own default
   * is 1 MiB, too small for a 1 MiB record with its key and framing).
   */
  readonly topicMaxMessageBytes?: number;
  /** Upper bound on one produce request made of coalesced `produce` calls (default 8 MiB). */
  readonly maxRequestBytes?: number;
  /** Consumer group session timeout (default 10000 ms; the broker's minimum is 6000 ms). */
  readonly sessionTimeoutMs?: number;
  /** Consumer heartbeat interval (default 1000 ms), also the heartbeat period during handlers. */
  readonly heartbeatIntervalMs?: number;
  /** How long the group waits for members to rejoin in a rebalance (default 30000 ms). */
  readonly rebalanceTimeoutMs?: number;
  /** Long-poll wait of a fetch (default 500 ms); bounds how late a member notices a rebalance. */
  readonly fetchMaxWaitMs?: number;
  /** Partitions whose handlers may run concurrently within one consumer (default 1). */
  readonly partitionsConsumedConcurrently?: number;
  /** Pause before redelivering a batch whose handler threw (default 1000 ms). */
  readonly retryBackoffMs?: number;
  /** How long topic layouts (partition count, record-batch limit) are cached (default 30 s). */
  readonly topicCacheMs?: number;
}

const DEFAULT_TOPIC_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
/** The broker default of `message.max.bytes`, for topics whose config cannot be read. */
const BROKER_DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024 + 12;

/**
 * The port's partitioning inside kafkajs. `produce` already names a partition for every record
 * (it needs them to compute acks); this only makes any other path through this client place
 * keyed records where every other adapter would, and silences kafkajs' partitioner warning.
 */
const portPartitioner: ICustomPartitioner = () => ({ message, partitionMetadata }) => {
  if (typeof message.partition === 'number') return message.partition;
  const key = message.key === null || message.key === undefined ? '' : message.key.toString();
  return partitionForKey(key, partitionMetadata.length);
};

/**
 * The stream port on Apache Kafka through kafkajs: one admin client, one idempotent producer
 * (acks=-1, shared by every `producer()`), and one kafkajs consumer per `consumer()`.
 *
 * Durability is the broker's: a produce resolves once every in-sync replica has the records
 * (on a single-node broker that is its page cache, which survives `kill -9` of either process
 * but not a power loss unless the broker's `log.flush.*` settings say so).
 */
export class KafkaStream implements Stream {
  readonly kind = 'kafka' as const;

  private producerConnection: Promise<Producer> | undefined;
  private sharedProducer: KafkaStreamProducer | undefined;
  private readonly consumers = new Set<KafkaStreamConsumer>();
  private readonly layouts = new Map<string, { at: number; layout: Promise<TopicLayout> }>();
  private closed = false;

  private constructor(
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    private readonly options: KafkaStreamOptions,
    private readonly log: KafkaLogSink,
  ) {}

  /** Connects the admin client, which proves the brokers are reachable. */
  static async connect(options: KafkaStreamOptions): Promise<KafkaStream> {
    if (options.brokers.length === 0) throw new Error('KafkaStream.connect: no brokers given');
    const log = options.logger ?? stderrKafkaLog;
    const kafka = new kafkajs.Kafka({
      brokers: [...options.brokers],
      clientId: options.clientId ?? 'pharos',
      connectionTimeout: options.connectionTimeoutMs ?? 3000,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      ...kafkaJsLogging(options.logLevel ?? 'error', log),
    });
    const admin = kafka.admin();
    await admin.connect();
    return new KafkaStream(kafka, admin, options, log);
  }

  async ensureTopic(topic: string, partitions: number): Promise<void> {
    this.assertOpen();
    if (!Number.isInteger(partitions) || partitions < 1) {
      throw new RangeError(`ensureTopic: partitions must be a positive integer, got ${partitions}`);
    }
    // The common case, a topic that exists, costs one metadata request and no failed create.
    if ((await this.admin.listTopics()).includes(topic)) return;
    // kafkajs answers `false` when the topic exists (TOPIC_ALREADY_EXISTS: another process
    // created it since the check, or our own first attempt did), and an existing topic keeps
    // its partitions. While it waits for leaders, a broker that has not yet propagated the new
    // topic answers UNKNOWN_TOPIC_OR_PARTITION, which kafkajs does not retry there.
    await withAdminRetries(() =>
      this.admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic,
            numPartitions: partitions,
            configEntries: [
              {
                name: 'max.message.bytes',
                value: String(this.options.topicMaxMessageBytes ?? DEFAULT_TOPIC_MAX_MESSAGE_BYTES),
              },
            ],
          },
        ],
      }),
    );
    // A retried create answers "exists" without waiting for leaders: wait for them here, so
    // the first produce finds every partition led.
    await withAdminRetries(async () => {
      const { topics } = await this.admin.fetchTopicMetadata({ topics: [topic] });
      const found = topics.find((t) => t.name === topic);
      if (!found || found.partitions.length === 0 || found.partitions.some((p) => p.leader < 0)) {
        throw Object.assign(new Error(`topic ${topic} has no leader for every partition yet`), { retriable: true });
      }
    });
  }

  async partitionCount(topic: string): Promise<number> {
    this.assertOpen();
    let topics: Awaited<ReturnType<Admin['fetchTopicMetadata']>>['topics'];
    try {
      ({ topics } = await this.admin.fetchTopicMetadata({ topics: [topic] }));
    } catch (err) {
      // kafkajs' wording ("does not host this topic-partition") hides that the topic is missing.
      if ((err as { type?: unknown } | null)?.type === 'UNKNOWN_TOPIC_OR_PARTITION') {
        throw new Error(`unknown topic ${topic} (create it with ensureTopic)`, { cause: err });
      }
      throw err;
    }
    const found = topics.find((t) => t.name === topic);
    if (!found) throw new Error(`unknown topic ${topic}`);
    return found.partitions.length;
  }

  producer(): StreamProducer {
    this.assertOpen();
    this.sharedProducer ??= new KafkaStreamProducer(
      () => this.connectedProducer(),
      (topic) => this.topicLayout(topic),
      { maxRequestBytes: this.options.maxRequestBytes ?? 8 * 1024 * 1024 },
    );
    return this.sharedProducer;
  }

  consumer(options: ConsumerOptions): StreamConsumer {
    this.assertOpen();
    const c = new KafkaStreamConsumer(
      this.kafka,
      options,
      {
        sessionTimeoutMs: this.options.sessionTimeoutMs ?? 10_000,
        heartbeatIntervalMs: this.options.heartbeatIntervalMs ?? 1000,
        rebalanceTimeoutMs: this.options.rebalanceTimeoutMs ?? 30_000,
        fetchMaxWaitMs: this.options.fetchMaxWaitMs ?? 500,
        partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
        retryBackoffMs: this.options.retryBackoffMs ?? 1000,
        log: this.log,
      },
      (stopped) => this.consumers.delete(stopped),
    );
    this.consumers.add(c);
    return c;
  }

  async lag(group: string, topic: string): Promise<PartitionLag[]> {
    this.assertOpen();
    const [ends, committed] = await withAdminRetries(() =>
      Promise.all([this.admin.fetchTopicOffsets(topic), this.admin.fetchOffsets({ groupId: group, topics: [topic] })]),
    );
    const byPartition = new Map<number, number>();
    for (const p of committed.find((t) => t.topic === topic)?.partitions ?? []) {
      byPartition.set(p.partition, Number(p.offset));
    }
    return ends
      .map((e) => {
        const endOffset = Number(e.high);
        const c = byPartition.get(e.partition);
        // Kafka reports -1 for a partition the group never committed on.
        const committedOffset = c === undefined || c < 0 ? Number(e.low) : c;
        return { partition: e.partition, endOffset, committedOffset, lagRecords: Math.max(0, endOffset - committedOffset) };
      })
      .sort((a, b) => a.partition - b.partition);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const errors: unknown[] = [];
    for (const c of [...this.consumers]) await c.stop().catch((e: unknown) => errors.push(e));
    this.sharedProducer?.failPending(new Error('stream closed'));
    if (this.producerConnection) {
      await this.producerConnection.then((p) => p.disconnect()).catch((e: unknown) => errors.push(e));
    }
    await this.admin.disconnect().catch((e: unknown) => errors.push(e));
    if (errors.length > 0) throw new AggregateError(errors, 'errors while closing the Kafka stream');
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('Kafka stream is closed');
  }

  private connectedProducer(): Promise<Producer> {
    if (!this.producerConnection) {
      const producer = this.kafka.producer({
        idempotent: true,
        // Required for ordering with idempotence in kafkajs; the producer queue sends one
        // request at a time anyway.
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: portPartitioner,
      });
      const connection = producer.connect().then(() => producer);
      // A failed connect is retried by the next produce instead of failing it forever.
      connection.catch(() => {
        if (this.producerConnection === connection) this.producerConnection = undefined;
      });
      this.producerConnection = connection;
    }
    return this.producerConnection;
  }

  /**
   * Partition count and record-batch limit of a topic, cached: produce needs both for every
   * call. Partition counts only grow in Kafka, and a stale count only means keyed records keep
   * their old partition a little longer.
   */
  private topicLayout(topic: string): Promise<TopicLayout> {
    const ttl = this.options.topicCacheMs ?? 30_000;
    const cached = this.layouts.get(topic);
    if (cached && Date.now() - cached.at < ttl) return cached.layout;
    const layout = (async (): Promise<TopicLayout> => {
      const partitions = await this.partitionCount(topic);
      let maxMessageBytes = BROKER_DEFAULT_MAX_MESSAGE_BYTES;
      try {
        const described = await this.admin.describeConfigs({
          includeSynonyms: false,
          resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: topic, configNames: ['max.message.bytes'] }],
        });
        const entry = described.resources[0]?.configEntries.find((e) => e.configName === 'max.message.bytes');
        if (entry && Number(entry.configValue) > 0) maxMessageBytes = Number(entry.configValue);
      } catch (err) {
        this.log({
          level: 'warn',
          namespace: 'KafkaStream',
          message: `cannot read max.message.bytes of ${topic}; assuming the broker default`,
          fields: { error: err instanceof Error ? err.message : String(err) },
        });
      }
      return { partitions, maxMessageBytes };
    })();
    this.layouts.set(topic, { at: Date.now(), layout });
    layout.catch(() => {
      if (this.layouts.get(topic)?.layout === layout) this.layouts.delete(topic);
    });
    return layout;
  }
}
