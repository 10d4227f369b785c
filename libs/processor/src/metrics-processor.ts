import {
  METRIC_STORE_GROUP,
  METRICS_TOPIC,
  UNRESOLVED_LABELS,
  decodeMetricBatch,
  seriesRefHex,
  type Labels,
  type MetricBatch,
  type SeriesRefResolver,
} from '#pharos/metric-model';
import type { MetricStore, RecordsAppendResult } from '#pharos/storage';
import type { RecordBatch, Stream, StreamConsumer } from '#pharos/stream';
import type { Logger, SelfMetrics } from '#pharos/telemetry';
import { AppendActor } from './append-actor.js';
import { ColumnSlabs } from './column-slabs.js';
import { refKey } from './record-appender.js';
import { recordBytes } from './record-bytes.js';
import { withoutUnresolved } from './unresolved.js';

/**
 * Most bytes of a partition's records handed to the store in one append (about 32 k samples).
 * A record is readable only once its whole batch is appended, so a batch's append time is
 * added to the wait of the records at its start: with the stream's default 4 MiB the batches
 * of a busy store took 0.3–0.8 s to append (1.5–2.4 s while the store flushes), and with four
 * partitions interleaved, a sample acknowledged at a batch's start waited most of that.
 */
const STORE_BATCH_BYTES = 1024 * 1024;

export interface MetricsProcessorOptions {
  readonly stream: Stream;
  readonly store: MetricStore;
  readonly metrics: SelfMetrics;
  readonly logger: Logger;
  readonly batchMaxSamples: number;
  readonly batchMaxWaitMs: number;
  readonly flushIntervalMs: number;
  /**
   * Hears the ack-to-readable delay of each appended batch whose records were written since
   * this processor started (a replayed backlog's delays say nothing of ingestion now): the
   * collector's freshness backpressure in the same process (`VisibilityGate`).
   */
  readonly onVisibilityDelay?: (delayMs: number) => void;
}

/**
 * Moves metric batches from the stream into the metric store.
 *
 * Each partition's records are decoded and handed to the actor of their tenant × partition;
 * the stream handler resolves once they are appended, which is what bounds memory (the stream
 * fetches no more for that partition meanwhile). Every `flushIntervalMs` the store is made
 * durable and only then are the offsets committed: a crash in between replays the uncommitted
 * records, and the store's idempotent appends make the replay harmless.
 */
export class MetricsProcessor {
  private consumer: StreamConsumer | undefined;
  private readonly actors = new Map<string, AppendActor>();
  /** Per partition, the offset after the last record whose samples are all appended. */
  private readonly appendedOffsets = new Map<number, number>();
  private readonly committedOffsets = new Map<number, number>();
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private catchUpTargets: Map<number, number> | undefined;
  private stopping = false;
  private readonly inFlight = new Set<Promise<void>>();
  /** Per partition, when the oldest record of its batch being appended entered the stream. */
  private readonly appendingSince = new Map<number, number>();
  private caughtUp = false;
  /** Records written before this (a backlog replayed at start) are not reported as delays. */
  private startedAt = Infinity;
  private caughtUpResolve: (() => void) | undefined;
  readonly caughtUpPromise: Promise<void>;
  /** The store's series-ref lookup, when it has one (capability `seriesRefs`). */
  private readonly storeRefs: SeriesRefResolver | undefined;
  /** Memory for the columns of records that must be copied to be aligned (most are). */
  private readonly columns = new ColumnSlabs();
  /**
   * The store's record intake, when it decodes stream records itself (capability `records`:
   * the store thread, ADR 0018): records then go to it whole, undecoded here.
   */
  private readonly storeRecords: ((records: readonly Uint8Array[]) => Promise<RecordsAppendResult>) | undefined;

  constructor(private readonly options: MetricsProcessorOptions) {
    this.caughtUpPromise = new Promise((resolve) => (this.caughtUpResolve = resolve));
    const store = options.store;
    if (store.capabilities.seriesRefs === true) {
      // A store (or a wrapper around one) that claims the capability without the method would
      // have every record by ref dropped as unresolved: refuse it here, at start.
      if (store.resolveSeriesRef === undefined) throw new Error('the metric store claims capabilities.seriesRefs but has no resolveSeriesRef');
      this.storeRefs = (tenant, refs, at) => store.resolveSeriesRef!(tenant, refs, at);
    }
    if (store.capabilities.records === true) {
      if (store.appendRecords === undefined) throw new Error('the metric store claims capabilities.records but has no appendRecords');
      this.storeRecords = (records) => store.appendRecords!(records);
    }
  }

  async start(): Promise<void> {
    this.startedAt = Date.now();
    const { stream, flushIntervalMs } = this.options;
    const lag = await stream.lag(METRIC_STORE_GROUP, METRICS_TOPIC);
    this.catchUpTargets = new Map(lag.filter((p) => p.lagRecords > 0).map((p) => [p.partition, p.endOffset]));
    this.checkCaughtUp();

    this.consumer = stream.consumer({ group: METRIC_STORE_GROUP, topic: METRICS_TOPIC, fromBeginning: true, maxBatchBytes: STORE_BATCH_BYTES });
    await this.consumer.run({
      onBatch: (batch) => this.onBatch(batch),
      onAssignment: async ({ revoked }) => {
        if (revoked.length > 0) await this.flushAndCommit();
        for (const p of revoked) {
          this.appendedOffsets.delete(p);
          this.committedOffsets.delete(p);
        }
      },
    });
    this.flushTimer = setInterval(() => void this.flushAndCommit(), flushIntervalMs);
    this.flushTimer.unref();
  }

  /** True once the backlog present at start (replay after a restart) is appended. */
  get isCaughtUp(): boolean {
    return this.caughtUp;
  }

  get queuedSamples(): number {
    let total = 0;
    for (const actor of this.actors.values()) total += actor.queuedSamples;
    return total;
  }

  /**
   * Appends what is in hand, makes it durable and commits, then leaves the group. The commit
   * happens while the consumer still runs (a stopped member may not commit); batches that
   * arrive meanwhile are left uncommitted and so delivered again after the restart.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.flushTimer) clearInterval(this.flushTimer);
    await Promise.all(this.inFlight);
    await Promise.all([...this.actors.values()].map((a) => a.drain()));
    this.actors.clear();
    await this.flushAndCommit();
    await this.consumer?.stop();
  }

  /** Makes appended samples durable, then commits their offsets; serialised with itself. */
  flushAndCommit(): Promise<void> {
    this.flushing = this.flushing.then(() => this.doFlushAndCommit());
    return this.flushing;
  }

  private async doFlushAndCommit(): Promise<void> {
    const { store, metrics, logger } = this.options;
    const offsets: { partition: number; offset: number }[] = [];
    for (const [partition, offset] of this.appendedOffsets) {
      if (this.committedOffsets.get(partition) !== offset) offsets.push({ partition, offset });
    }
    if (offsets.length === 0) return;
    const start = performance.now();
    try {
      await store.flush();
      metrics.storeFlushDuration.observe((performance.now() - start) / 1000);
      await this.consumer?.commit(METRICS_TOPIC, offsets);
      for (const o of offsets) this.committedOffsets.set(o.partition, o.offset);
    } catch (err) {
      // Nothing is lost: uncommitted records are replayed after a restart. Try again next tick.
      logger.error({ err }, 'store flush or offset commit failed; will retry');
    }
  }

  private async onBatch(batch: RecordBatch): Promise<void> {
    if (this.stopping) return;
    const first = batch.records[0];
    if (first !== undefined && first.timestamp >= this.startedAt) this.appendingSince.set(batch.partition, first.timestamp);
    const processing = this.processBatch(batch);
    this.inFlight.add(processing);
    try {
      await processing;
    } finally {
      this.inFlight.delete(processing);
      this.appendingSince.delete(batch.partition);
    }
  }

  /**
   * When the oldest record still being appended entered the stream (Infinity when none):
   * how long its writer has waited so far, known before the append completes. A store that
   * stalls reports no delay until it resumes; this shows the stall while it lasts.
   */
  oldestAppendingSince(): number {
    let oldest = Infinity;
    for (const t of this.appendingSince.values()) if (t < oldest) oldest = t;
    return oldest;
  }

  private async processBatch(batch: RecordBatch): Promise<void> {
    if (this.storeRecords !== undefined) return this.processRecords(batch, this.storeRecords);
    const { logger, metrics } = this.options;
    const appends: Promise<void>[] = [];
    // Series defined by records of this batch and not yet appended, so not yet known to the
    // store: a later record of the same batch may name them by ref (ADR 0010). Definitions and
    // their refs share a partition, and the next batch of the partition comes only after these
    // appends, by when the store knows them.
    let defined: Map<string, Labels> | undefined;
    const resolve: SeriesRefResolver = (tenant, refs, at) =>
      this.storeRefs?.(tenant, refs, at) ?? (defined === undefined ? undefined : defined.get(refKey(tenant, refs, at)));
    const onDefinition = (tenant: string, refs: Uint32Array, at: number, labels: Labels): void => {
      (defined ??= new Map()).set(refKey(tenant, refs, at), labels);
    };
    for (const record of batch.records) {
      let decoded: MetricBatch;
      try {
        const { bytes, hasRefs } = recordBytes(record.value);
        // Views are fine: this handler resolves only once its records are appended. Labels of
        // a record with refs are not interned when the store resolves refs (see recordBytes).
        const columnMemory = this.columns.take;
        decoded = decodeMetricBatch(
          bytes,
          hasRefs && this.storeRefs !== undefined ? { resolve, onDefinition, interner: null, columnMemory } : { resolve, onDefinition, columnMemory },
        );
      } catch (err) {
        // A record the collector wrote but this version cannot read: skip it loudly rather
        // than wedge the partition forever.
        logger.error({ err, partition: batch.partition, offset: record.offset }, 'undecodable metrics record skipped');
        metrics.processorUndecodableRecords.inc({ topic: batch.topic });
        continue;
      }
      if (decoded.series.includes(UNRESOLVED_LABELS)) decoded = this.dropUnresolved(decoded, batch.partition, record.offset);
      appends.push(this.actorFor(decoded.tenant, batch.partition).append(decoded));
    }
    await Promise.all(appends);
    this.appended(batch);
  }

  /**
   * A batch's samples are readable: its offset moves on, and the delay since its oldest
   * record entered the stream is observed — the freshness a writer sees (a sample must be
   * readable within 2 s of its acknowledgement, also under load).
   */
  private appended(batch: RecordBatch): void {
    const first = batch.records[0];
    const last = batch.records[batch.records.length - 1];
    if (first) {
      const delayMs = Math.max(0, Date.now() - first.timestamp);
      this.options.metrics.processorVisibilityDelay.observe(delayMs / 1000);
      if (first.timestamp >= this.startedAt) this.options.onVisibilityDelay?.(delayMs);
    }
    if (last) this.appendedOffsets.set(batch.partition, last.offset + 1);
    this.checkCaughtUp();
  }

  /**
   * A stream batch handed to a store that decodes records itself: one call for the whole
   * batch (a partition's records, in order), retried as a whole on failure as the actors
   * retry theirs (appends are idempotent). The batch is already a window: the stream hands a
   * partition's next batch only once this one resolves.
   */
  private async processRecords(batch: RecordBatch, storeRecords: (records: readonly Uint8Array[]) => Promise<RecordsAppendResult>): Promise<void> {
    const { logger, metrics } = this.options;
    const values = batch.records.map((r) => r.value);
    let result: RecordsAppendResult;
    for (let attempt = 0; ; attempt++) {
      const start = performance.now();
      try {
        result = await storeRecords(values);
        metrics.processorAppendDuration.observe((performance.now() - start) / 1000);
        break;
      } catch (err) {
        const delay = Math.min(30_000, 100 * 2 ** attempt);
        logger.error({ err, partition: batch.partition, attempt, retryInMs: delay }, 'store append failed; retrying');
        await new Promise((r) => setTimeout(r, delay));
      }
    }
    for (const [tenant, t] of Object.entries(result.tenants)) {
      metrics.processorAppendedSamples.inc({ tenant }, t.stored);
      if (t.tooOld > 0) metrics.processorDroppedSamples.inc({ tenant, reason: 'too_old' }, t.tooOld);
    }
    for (const u of result.undecodable) {
      logger.error({ err: u.message, partition: batch.partition, offset: batch.records[u.index]!.offset }, 'undecodable metrics record skipped');
      metrics.processorUndecodableRecords.inc({ topic: batch.topic });
    }
    for (const u of result.unresolved) {
      metrics.processorDroppedSamples.inc({ tenant: u.tenant, reason: 'unresolved_series' }, u.droppedSamples);
      logger.error(
        { tenant: u.tenant, partition: batch.partition, offset: batch.records[u.index]!.offset, droppedSamples: u.droppedSamples, ref: u.ref },
        'metrics record names series by ref that no definition resolves; their samples are dropped',
      );
    }
    this.appended(batch);
  }

  /**
   * A record naming series by ref that neither the store nor earlier records define. The
   * collector sends refs only after their definition is durable on the same partition, so
   * this means the definition was lost outside that path (the stream's retention dropped
   * records this group had not consumed, or the store's files were replaced): the samples
   * cannot be attributed and are dropped, loudly.
   */
  private dropUnresolved(decoded: MetricBatch, partition: number, offset: number): MetricBatch {
    const { kept, droppedSamples, firstRef } = withoutUnresolved(decoded);
    this.options.metrics.processorDroppedSamples.inc({ tenant: decoded.tenant, reason: 'unresolved_series' }, droppedSamples);
    this.options.logger.error(
      { tenant: decoded.tenant, partition, offset, droppedSamples, ref: firstRef === undefined ? undefined : seriesRefHex(decoded.seriesRefs!, firstRef) },
      'metrics record names series by ref that no definition resolves; their samples are dropped',
    );
    return kept;
  }

  private actorFor(tenant: string, partition: number): AppendActor {
    const key = `${partition}\u0000${tenant}`;
    let actor = this.actors.get(key);
    if (!actor) {
      const { store, metrics, logger, batchMaxSamples, batchMaxWaitMs } = this.options;
      actor = new AppendActor({ tenant, partition, store, metrics, logger, maxSamples: batchMaxSamples, maxWaitMs: batchMaxWaitMs });
      this.actors.set(key, actor);
    }
    return actor;
  }

  private checkCaughtUp(): void {
    if (this.caughtUp || !this.catchUpTargets) return;
    for (const [partition, target] of this.catchUpTargets) {
      if ((this.appendedOffsets.get(partition) ?? 0) < target) return;
    }
    this.caughtUp = true;
    this.caughtUpResolve?.();
  }
}
