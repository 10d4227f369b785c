import { MetricBatchBuilder, type MetricBatch } from '#pharos/metric-model';
import type { AppendOutcome, ScrapeAppender } from './scrape-loop.js';

export interface CoalescingOptions {
  /** Longest a scrape waits for others to share its write. */
  readonly maxDelayMs: number;
  /** A tenant's pending samples that trigger a write at once. */
  readonly maxSamples: number;
}

interface Pending {
  readonly batches: MetricBatch[];
  samples: number;
  readonly waiters: Array<{ readonly samples: number; resolve: (o: AppendOutcome) => void; reject: (e: unknown) => void }>;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Merges the batches of many scrapes (per tenant, over a few milliseconds) into one write, as
 * Prometheus commits many scrapes through one appender: a thousand targets make a few large
 * stream records a second instead of hundreds of small ones, which costs far less to encode,
 * compress, fsync and process. Every scrape's promise resolves only when the merged write is
 * durable, and rejects with it, so a scrape still counts as stored only once it is.
 */
export class CoalescingAppender implements ScrapeAppender {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly write: (batch: MetricBatch) => Promise<AppendOutcome>,
    private readonly options: CoalescingOptions,
  ) {}

  append(batch: MetricBatch): Promise<AppendOutcome> {
    const samples = batch.timestamps.length;
    let p = this.pending.get(batch.tenant);
    if (!p) {
      p = { batches: [], samples: 0, waiters: [], timer: undefined };
      this.pending.set(batch.tenant, p);
    }
    const entry = p;
    const promise = new Promise<AppendOutcome>((resolve, reject) => entry.waiters.push({ samples, resolve, reject }));
    entry.batches.push(batch);
    entry.samples += samples;
    if (entry.samples >= this.options.maxSamples) this.flush(batch.tenant);
    else entry.timer ??= setTimeout(() => this.flush(batch.tenant), this.options.maxDelayMs);
    return promise;
  }

  /** Writes what a tenant has pending now. */
  flush(tenant: string): void {
    const p = this.pending.get(tenant);
    if (!p) return;
    this.pending.delete(tenant);
    if (p.timer) clearTimeout(p.timer);
    const merged = p.batches.length === 1 ? p.batches[0]! : mergeBatches(tenant, p.batches, p.samples);
    this.write(merged).then(
      () => {
        // Refusals by the tenant's limits are counted by the writer; each scrape hears what it sent.
        for (const w of p.waiters) w.resolve({ samplesWritten: w.samples, rejected: {} });
      },
      (err: unknown) => {
        for (const w of p.waiters) w.reject(err);
      },
    );
  }

  /** Writes everything pending (shutdown). */
  flushAll(): void {
    for (const tenant of [...this.pending.keys()]) this.flush(tenant);
  }
}

function mergeBatches(tenant: string, batches: readonly MetricBatch[], samples: number): MetricBatch {
  let seriesCount = 0;
  for (const b of batches) seriesCount += b.series.length;
  const out = new MetricBatchBuilder(tenant, seriesCount, samples);
  for (const b of batches) {
    const base = out.seriesCount;
    for (let i = 0; i < b.series.length; i++) {
      out.addSeries(b.series[i]!);
      for (let s = b.sampleOffsets[i]!, end = b.sampleOffsets[i + 1]!; s < end; s++) out.addSample(b.timestamps[s]!, b.values[s]!);
    }
    for (const h of b.histograms) out.addHistogram(base + h.seriesIndex, h.timestamp, h.histogram);
    for (const e of b.exemplars) out.addExemplar({ ...e, seriesIndex: base + e.seriesIndex });
    for (const m of b.metadata) out.addMetadata(m);
  }
  return out.build();
}
