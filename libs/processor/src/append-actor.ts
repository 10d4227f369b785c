import { Subject, concatMap, type Subscription } from 'rxjs';
import { sampleCount, type MetricBatch } from '#pharos/metric-model';
import type { MetricStore } from '#pharos/storage';
import type { Logger, SelfMetrics } from '#pharos/telemetry';
import { bufferBySize } from './buffer-by-size.js';

interface PendingBatch {
  readonly batch: MetricBatch;
  readonly appended: () => void;
}

export interface AppendActorOptions {
  readonly tenant: string;
  readonly partition: number;
  readonly store: MetricStore;
  readonly maxSamples: number;
  readonly maxWaitMs: number;
  readonly metrics: SelfMetrics;
  readonly logger: Logger;
}

/**
 * One actor per tenant × partition: gathers that stream's batches into windows (by sample
 * count and time) and appends each window to the store, strictly one after another so a
 * series' samples reach the store in stream order. A failed append is retried with backoff,
 * never dropped: the batch is already acknowledged to its sender.
 */
export class AppendActor {
  private readonly input = new Subject<PendingBatch>();
  private readonly subscription: Subscription;
  private queued = 0;

  constructor(private readonly options: AppendActorOptions) {
    const { maxSamples, maxWaitMs } = options;
    this.subscription = this.input
      .pipe(
        bufferBySize((p: PendingBatch) => sampleCount(p.batch) + p.batch.histograms.length, maxSamples, maxWaitMs),
        concatMap((window) => this.appendWindow(window)),
      )
      .subscribe();
  }

  /** Resolves once the batch is appended (visible to reads, not yet durable). */
  append(batch: MetricBatch): Promise<void> {
    const size = sampleCount(batch) + batch.histograms.length;
    this.queued += size;
    this.options.metrics.processorQueuedSamples.inc(size);
    return new Promise((resolve) => this.input.next({ batch, appended: resolve }));
  }

  /** Appends what is buffered and stops taking input. */
  async drain(): Promise<void> {
    const done = new Promise<void>((resolve) => this.subscription.add(resolve));
    this.input.complete();
    await done;
  }

  get queuedSamples(): number {
    return this.queued;
  }

  /**
   * Appends the window's batches one after another rather than merged into one: the store's
   * append is synchronous CPU work either way, and merging copied every sample into fresh
   * columns: ~16 bytes a sample of short-lived ArrayBuffers, which V8 counts as external
   * memory, the main trigger of major GCs on this path. A batch that fails is retried on its
   * own; those before it stay appended (appends are idempotent, so replays are harmless).
   */
  private async appendWindow(window: PendingBatch[]): Promise<void> {
    const { metrics } = this.options;
    let size = 0;
    for (const p of window) {
      size += sampleCount(p.batch) + p.batch.histograms.length;
      await this.appendOne(p.batch);
    }
    this.queued -= size;
    metrics.processorQueuedSamples.dec(size);
    for (const p of window) p.appended();
  }

  private async appendOne(batch: MetricBatch): Promise<void> {
    const { store, tenant, metrics, logger } = this.options;
    for (let attempt = 0; ; attempt++) {
      const start = performance.now();
      try {
        const result = await store.append(batch);
        metrics.processorAppendDuration.observe((performance.now() - start) / 1000);
        metrics.processorAppendedSamples.inc({ tenant }, result.samplesStored + result.histogramsStored);
        if (result.samplesTooOld > 0) metrics.processorDroppedSamples.inc({ tenant, reason: 'too_old' }, result.samplesTooOld);
        return;
      } catch (err) {
        const delay = Math.min(30_000, 100 * 2 ** attempt);
        logger.error({ err, tenant, partition: this.options.partition, attempt, retryInMs: delay }, 'store append failed; retrying');
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }
}
