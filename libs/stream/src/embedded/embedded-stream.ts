/**
 * The default stream adapter: an in-process, durable, partitioned log in a local directory.
 *
 * Layout:
 * ```
 * <dir>/LOCK                                      pid of the process that has it open
 * <dir>/topics/<topic>/topic.json                 { partitions }
 * <dir>/topics/<topic>/<partition>/<base>.log     segments, 20-digit base offset
 * <dir>/groups/<group>.json                       committed offsets of one consumer group
 * ```
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { partitionForKey } from '../partitioner.js';
import type {
  ConsumerOptions,
  PartitionLag,
  ProduceAck,
  ProducerRecord,
  Stream,
  StreamConsumer,
  StreamProducer,
} from '../port.js';
import { GroupCoordinator } from './consumer-group.js';
import type { GroupHost } from './consumer-group.js';
import { defaultSyncFile, lockDir, syncDir, writeFileAtomic } from './files.js';
import { GroupCommitter } from './group-commit.js';
import type { ProduceEntry } from './group-commit.js';
import { OffsetStore } from './offset-store.js';
import { DEFAULTS } from './options.js';
import type { EmbeddedStreamEvents, EmbeddedStreamOptions, ResolvedOptions } from './options.js';
import { emitEvent } from './events.js';
import { PartitionLog } from './partition-log.js';
import { MAX_FRAME_BYTES, frameBytes } from './record-format.js';
import { enforceRetention } from './retention.js';

/** Kafka's topic name rule, which also keeps names safe as directory names. */
const TOPIC_NAME = /^[A-Za-z0-9._-]{1,200}$/;
const MAX_PARTITIONS = 10_000;

/** Bytes on disk and offsets of one partition, for metrics. */
export interface PartitionDiskUsage {
  readonly topic: string;
  readonly partition: number;
  readonly bytes: number;
  readonly segments: number;
  /** Oldest offset still on disk. */
  readonly startOffset: number;
  /** Offset of the next record to be produced. */
  readonly endOffset: number;
}

interface TopicFile {
  readonly partitions: number;
}

export class EmbeddedStream implements Stream {
  readonly kind = 'embedded' as const;

  private readonly topics = new Map<string, PartitionLog[]>();
  private readonly creating = new Map<string, Promise<void>>();
  private readonly coordinators = new Map<string, GroupCoordinator>();
  private readonly committer: GroupCommitter;
  private readonly host: GroupHost;
  private retentionTimer: NodeJS.Timeout | null = null;
  private retentionRun: Promise<void> | null = null;
  private retentionAgain = false;
  private closed = false;
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly opts: ResolvedOptions,
    private readonly events: EmbeddedStreamEvents,
    private readonly offsets: OffsetStore,
    private readonly unlock: () => Promise<void>,
  ) {
    this.committer = new GroupCommitter(opts.fsync, opts.fsyncIntervalMs, opts.syncFile, events);
    this.host = {
      logsOf: (topic) => this.logsOf(topic),
      offsets,
      events,
      afterCommit: () => this.scheduleRetention(),
    };
  }

  /**
   * Opens (creating if needed) the log in `options.dir`: replays every segment, cutting torn
   * tails, and restores topics and committed offsets. Fails if another live process has it open.
   */
  static async open(options: EmbeddedStreamOptions): Promise<EmbeddedStream> {
    const opts: ResolvedOptions = {
      dir: options.dir,
      fsync: options.fsync ?? DEFAULTS.fsync,
      fsyncIntervalMs: options.fsyncIntervalMs ?? DEFAULTS.fsyncIntervalMs,
      segmentBytes: options.segmentBytes ?? DEFAULTS.segmentBytes,
      maxBytesPerPartition: options.retention?.maxBytesPerPartition ?? DEFAULTS.maxBytesPerPartition,
      maxAgeMs: options.retention?.maxAgeMs ?? DEFAULTS.maxAgeMs,
      retentionCheckIntervalMs: options.retention?.checkIntervalMs ?? DEFAULTS.retentionCheckIntervalMs,
      tailCacheBytesPerPartition: options.tailCacheBytesPerPartition ?? DEFAULTS.tailCacheBytesPerPartition,
      syncFile: options.syncFile ?? defaultSyncFile,
    };
    if (!(opts.segmentBytes > 0)) throw new RangeError('segmentBytes must be positive');
    if (!(opts.fsyncIntervalMs > 0)) throw new RangeError('fsyncIntervalMs must be positive');
    const events = options.events ?? {};
    await mkdir(join(opts.dir, 'topics'), { recursive: true });
    const unlock = await lockDir(opts.dir);
    try {
      const offsets = await OffsetStore.open(join(opts.dir, 'groups'), opts.fsync === 'none' ? null : opts.syncFile);
      const stream = new EmbeddedStream(opts, events, offsets, unlock);
      for (const topic of await readdir(join(opts.dir, 'topics'))) {
        let meta: TopicFile;
        try {
          meta = JSON.parse(await readFile(join(opts.dir, 'topics', topic, 'topic.json'), 'utf8')) as TopicFile;
        } catch (err) {
          // A topic whose creation crashed before its metadata was written: ensureTopic redoes it.
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
          throw err;
        }
        stream.topics.set(topic, await stream.openPartitions(topic, meta.partitions));
      }
      stream.retentionTimer = setInterval(() => stream.scheduleRetention(), opts.retentionCheckIntervalMs);
      stream.retentionTimer.unref();
      stream.scheduleRetention();
      return stream;
    } catch (err) {
      await unlock();
      throw err;
    }
  }

  private get sync() {
    return this.opts.fsync === 'none' ? null : this.opts.syncFile;
  }

  private async openPartitions(topic: string, partitions: number): Promise<PartitionLog[]> {
    const logs: PartitionLog[] = [];
    for (let p = 0; p < partitions; p++) {
      logs.push(
        await PartitionLog.open(topic, p, join(this.opts.dir, 'topics', topic, String(p)), {
          segmentBytes: this.opts.segmentBytes,
          cacheBytes: this.opts.tailCacheBytesPerPartition,
          syncFile: this.sync,
          events: this.events,
          onRoll: () => this.scheduleRetention(),
        }),
      );
    }
    return logs;
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('stream is closed');
  }

  private logsOf(topic: string): PartitionLog[] {
    const logs = this.topics.get(topic);
    if (!logs) throw new Error(`unknown topic ${topic}`);
    return logs;
  }

  async ensureTopic(topic: string, partitions: number): Promise<void> {
    this.checkOpen();
    if (!TOPIC_NAME.test(topic) || topic === '.' || topic === '..') throw new Error(`invalid topic name ${JSON.stringify(topic)}`);
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) {
      throw new RangeError(`partitions must be an integer in [1, ${MAX_PARTITIONS}]`);
    }
    if (this.topics.has(topic)) return;
    let pending = this.creating.get(topic);
    if (!pending) {
      pending = this.createTopic(topic, partitions).finally(() => this.creating.delete(topic));
      this.creating.set(topic, pending);
    }
    await pending;
  }

  private async createTopic(topic: string, partitions: number): Promise<void> {
    const dir = join(this.opts.dir, 'topics', topic);
    await mkdir(dir, { recursive: true });
    const logs = await this.openPartitions(topic, partitions);
    // Written last: a topic exists once its metadata is durable, with all its partitions.
    await writeFileAtomic(join(dir, 'topic.json'), JSON.stringify({ partitions } satisfies TopicFile), this.sync);
    if (this.sync) await syncDir(join(this.opts.dir, 'topics'), this.sync);
    this.topics.set(topic, logs);
  }

  async partitionCount(topic: string): Promise<number> {
    this.checkOpen();
    return this.logsOf(topic).length;
  }

  producer(): StreamProducer {
    return { kind: 'embedded', produce: (topic, records) => this.produce(topic, records) };
  }

  private async produce(topic: string, records: readonly ProducerRecord[]): Promise<ProduceAck[]> {
    this.checkOpen();
    const logs = this.logsOf(topic);
    const now = Date.now();
    const entries: ProduceEntry[] = records.map((r) => {
      const partition = r.partition ?? partitionForKey(r.key, logs.length);
      const log = logs[partition];
      if (!log || !Number.isInteger(partition)) throw new RangeError(`partition ${partition} out of range for ${topic}`);
      const keyBytes = Buffer.byteLength(r.key, 'utf8');
      if (frameBytes(keyBytes, r.value.byteLength) > MAX_FRAME_BYTES) throw new RangeError(`record larger than ${MAX_FRAME_BYTES} bytes`);
      const timestamp = r.timestamp ?? now;
      if (!Number.isFinite(timestamp)) throw new RangeError(`invalid timestamp ${timestamp}`);
      return { log, record: { key: r.key, keyBytes, value: r.value, timestamp } };
    });
    if (entries.length === 0) return [];
    return this.committer.submit(entries);
  }

  consumer(options: ConsumerOptions): StreamConsumer {
    this.checkOpen();
    const id = `${options.group}\u0000${options.topic}`;
    let c = this.coordinators.get(id);
    if (!c) this.coordinators.set(id, (c = new GroupCoordinator(this.host, options.group, options.topic)));
    return c.createMember(options);
  }

  async lag(group: string, topic: string): Promise<PartitionLag[]> {
    this.checkOpen();
    return this.logsOf(topic).map((log) => {
      const committedOffset = this.offsets.committed(group, topic, log.partition) ?? log.startOffset;
      return {
        partition: log.partition,
        endOffset: log.highWatermark,
        committedOffset,
        lagRecords: Math.max(0, log.highWatermark - committedOffset),
      };
    });
  }

  /** Bytes on disk per partition, for metrics. */
  diskUsage(): PartitionDiskUsage[] {
    const out: PartitionDiskUsage[] = [];
    for (const [topic, logs] of this.topics) {
      for (const log of logs) {
        out.push({
          topic,
          partition: log.partition,
          bytes: log.bytesOnDisk,
          segments: log.segments.length,
          startOffset: log.startOffset,
          endOffset: log.highWatermark,
        });
      }
    }
    return out;
  }

  /**
   * Deletes the segments that every committed group has passed, and those beyond the retention
   * caps. Runs by itself after rolls, commits and every `retention.checkIntervalMs`; exposed for
   * tests and for an owner that wants to reclaim space now.
   */
  async enforceRetention(): Promise<void> {
    this.scheduleRetention();
    while (this.retentionRun) await this.retentionRun;
  }

  private scheduleRetention(): void {
    if (this.closed) return;
    if (this.retentionRun) {
      this.retentionAgain = true;
      return;
    }
    this.retentionRun = (async () => {
      // Yield first, so that `retentionRun` is assigned before the finally below clears it.
      await Promise.resolve();
      try {
        do {
          this.retentionAgain = false;
          for (const [topic, logs] of this.topics) {
            const live = [...this.coordinators.values()].filter((c) => c.topic === topic && c.memberCount > 0);
            for (const log of logs) {
              if (this.closed) return;
              await enforceRetention(topic, log, this.offsets, live, this.opts, this.events, Date.now());
            }
          }
        } while (this.retentionAgain && !this.closed);
      } catch (error) {
        emitEvent(this.events, 'onError', { context: 'retention', error });
      } finally {
        this.retentionRun = null;
      }
    })();
  }

  /**
   * Stops every consumer (waiting for handlers in flight), acknowledges or rejects every pending
   * produce, fsyncs and closes the files, and releases the directory.
   */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    this.closed = true;
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    try {
      for (const c of this.coordinators.values()) await c.shutdown();
      await this.committer.close();
      while (this.retentionRun) await this.retentionRun;
      for (const logs of this.topics.values()) for (const log of logs) await log.close();
      await this.offsets.close();
    } finally {
      await this.unlock();
    }
  }
}
