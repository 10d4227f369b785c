import type { TenantLimits } from '#pharos/config';
import {
  METRICS_TOPIC,
  MetricBatchBuilder,
  encodeMetricBatch,
  sampleCount,
  seriesHash,
  type MetricBatch,
} from '#pharos/metric-model';
import type { StreamProducer } from '#pharos/stream';
import type { SelfMetrics } from '#pharos/telemetry';
import { ActiveSeriesTable, IngestionRateLimiter } from '#pharos/tenancy';
import { IngestRefusedError } from './ingest-errors.js';
import { splitByPartition } from './partition-split.js';

/** How long a series counts as active after its last sample, as Mimir's default. */
const ACTIVE_SERIES_WINDOW_MS = 20 * 60_000;

export interface IngestOutcome {
  readonly samplesWritten: number;
  readonly histogramsWritten: number;
  readonly exemplarsWritten: number;
  /** Samples (float and histogram) refused by the limits here, by reason. */
  readonly rejected: Readonly<Record<string, number>>;
  readonly messages: readonly string[];
}

export interface MetricIngestorDeps {
  readonly producer: StreamProducer;
  readonly partitions: number;
  readonly limitsFor: (tenant: string) => TenantLimits;
  readonly metrics: SelfMetrics;
  /** True while the processor lags too far behind: refuse with 503 rather than buffer more. */
  readonly isBackpressured: () => boolean;
  /** Hears the size of every record written, e.g. for the lag monitor's bytes estimate. */
  readonly onRecordProduced?: (bytes: number) => void;
  readonly now?: () => number;
}

/**
 * The edge of the metrics write path, shared by every metric protocol: applies the tenant's
 * limits to a decoded batch, writes it to the stream partitioned by series, and resolves
 * only once the stream has made it durable — the moment a sender may be told "accepted".
 */
export class MetricIngestor {
  private readonly rateLimiter: IngestionRateLimiter;
  private readonly activeSeries = new Map<string, ActiveSeriesTable>();
  private readonly now: () => number;

  constructor(private readonly deps: MetricIngestorDeps) {
    this.now = deps.now ?? Date.now;
    this.rateLimiter = new IngestionRateLimiter();
  }

  async ingest(protocol: string, batch: MetricBatch): Promise<IngestOutcome> {
    const tenant = batch.tenant;
    const limits = this.deps.limitsFor(tenant);
    const total = sampleCount(batch) + batch.histograms.length;
    if (total === 0 && batch.metadata.length === 0) {
      return { samplesWritten: 0, histogramsWritten: 0, exemplarsWritten: 0, rejected: {}, messages: [] };
    }
    if (this.deps.isBackpressured()) {
      throw new IngestRefusedError(503, 'ingestion is backpressured: the processor is behind the stream; retry later', 'backpressure', 5);
    }
    if (!this.rateLimiter.tryTake(tenant, total, limits.ingestionRate, limits.ingestionBurst)) {
      throw new IngestRefusedError(
        429,
        `tenant "${tenant}" is over its ingestion rate limit (${limits.ingestionRate} samples/s, burst ${limits.ingestionBurst || limits.ingestionRate}); request of ${total} samples refused`,
        'rate_limited',
      );
    }

    const rejected: Record<string, number> = {};
    const messages: string[] = [];
    const admitted = this.admitSeries(batch, limits, rejected, messages);
    const samples = sampleCount(admitted);

    const start = performance.now();
    const records = splitByPartition(admitted, this.deps.partitions).map(([partition, part]) => ({
      key: tenant,
      partition,
      value: encodeMetricBatch(part),
    }));
    await this.deps.producer.produce(METRICS_TOPIC, records);
    if (this.deps.onRecordProduced) for (const r of records) this.deps.onRecordProduced(r.value.byteLength);
    this.deps.metrics.streamProduceDuration.observe((performance.now() - start) / 1000);

    const m = this.deps.metrics;
    m.ingestedSamples.inc({ tenant, protocol }, samples);
    if (admitted.histograms.length > 0) m.ingestedHistograms.inc({ tenant, protocol }, admitted.histograms.length);
    if (admitted.exemplars.length > 0) m.ingestedExemplars.inc({ tenant, protocol }, admitted.exemplars.length);
    for (const [reason, count] of Object.entries(rejected)) m.rejectedSamples.inc({ tenant, protocol, reason }, count);
    return {
      samplesWritten: samples,
      histogramsWritten: admitted.histograms.length,
      exemplarsWritten: admitted.exemplars.length,
      rejected,
      messages,
    };
  }

  /** Refreshes each tenant's active-series gauge and forgets expired series. */
  sweepActiveSeries(): void {
    const now = this.now();
    for (const [tenant, table] of this.activeSeries) {
      table.sweep(now);
      this.deps.metrics.activeSeries.set({ tenant }, table.active);
    }
  }

  /** Drops new series beyond the tenant's active-series limit; copies only when one is dropped. */
  private admitSeries(batch: MetricBatch, limits: TenantLimits, rejected: Record<string, number>, messages: string[]): MetricBatch {
    let table = this.activeSeries.get(batch.tenant);
    if (!table) {
      table = new ActiveSeriesTable(ACTIVE_SERIES_WINDOW_MS);
      this.activeSeries.set(batch.tenant, table);
    }
    const now = this.now();
    const limit = limits.maxActiveSeries;
    let refused: Uint8Array | undefined;
    for (let i = 0; i < batch.series.length; i++) {
      const hash = seriesHash(batch.series[i]!);
      if (table.touchIfPresent(hash, now)) continue;
      if (limit > 0 && table.active >= limit) {
        refused ??= new Uint8Array(batch.series.length);
        refused[i] = 1;
        continue;
      }
      table.add(hash, now);
    }
    if (!refused) return batch;

    const builder = new MetricBatchBuilder(batch.tenant, batch.series.length, batch.timestamps.length);
    const newIndex = new Int32Array(batch.series.length).fill(-1);
    let refusedSamples = 0;
    for (let i = 0; i < batch.series.length; i++) {
      const from = batch.sampleOffsets[i]!;
      const to = batch.sampleOffsets[i + 1]!;
      if (refused[i]) {
        refusedSamples += to - from;
        continue;
      }
      newIndex[i] = builder.addSeries(batch.series[i]!);
      for (let s = from; s < to; s++) builder.addSample(batch.timestamps[s]!, batch.values[s]!);
    }
    for (const h of batch.histograms) {
      if (newIndex[h.seriesIndex]! >= 0) builder.addHistogram(newIndex[h.seriesIndex]!, h.timestamp, h.histogram);
      else refusedSamples++;
    }
    for (const e of batch.exemplars) if (newIndex[e.seriesIndex]! >= 0) builder.addExemplar({ ...e, seriesIndex: newIndex[e.seriesIndex]! });
    for (const md of batch.metadata) builder.addMetadata(md);
    rejected['max_active_series'] = (rejected['max_active_series'] ?? 0) + refusedSamples;
    messages.push(
      `tenant "${batch.tenant}" is at its limit of ${limit} active series: ${refusedSamples} samples of new series refused (limits.max_active_series)`,
    );
    return builder.build();
  }
}
