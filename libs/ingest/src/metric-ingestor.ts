import type { TenantLimits } from '#pharos/config';
import { METRICS_TOPIC, type MetricBatch } from '#pharos/metric-model';
import type { StreamProducer } from '#pharos/stream';
import type { SelfMetrics } from '#pharos/telemetry';
import { ActiveSeriesTable, IngestionRateLimiter } from '#pharos/tenancy';
import { IngestRefusedError } from './ingest-errors.js';
import { prepareBatch, withoutSeries, type PreparedBatch } from './prepared-batch.js';
import { SeriesDefinitions } from './series-definitions.js';

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

/** How {@link MetricIngestor.ingest} prepares a batch. */
export interface IngestOptions {
  /**
   * The caller hands over the same `Labels` object for a series in every batch (its decoder or
   * scrape loop caches series), so the series is recognised by identity and, once its labels
   * are durable, later records name it by ref alone (docs/adr/0010-series-refs-on-the-stream.md).
   * Leave it off for label arrays built afresh per request (line protocol): each would pay a
   * SHA-256 for its ref and never be recognised again, so its records keep full labels and no
   * ref (codec version 1), exactly as before refs existed. (OTLP's decoder caches its series'
   * labels, so the OTLP receiver sets it.)
   */
  readonly stableLabels?: boolean;
}

export interface MetricIngestorDeps {
  readonly producer: StreamProducer;
  readonly partitions: number;
  readonly limitsFor: (tenant: string) => TenantLimits;
  readonly metrics: SelfMetrics;
  /** True while the processor lags too far behind: refuse with 503 rather than buffer more. */
  readonly isBackpressured: () => boolean;
  /**
   * Whether a write may go through for freshness (`VisibilityGate.admit`): `true` now, or a
   * promise held until acknowledged samples would be readable in time again; `false` refuses
   * it with 503, with a short Retry-After — the processor catches up within a second or two,
   * and a sender waiting the stream-lag refusal's 5 s would leave the store idle.
   */
  readonly admitFreshness?: () => boolean | Promise<boolean>;
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
  /** Series definitions of batches prepared on this thread ({@link ingest}). */
  private readonly definitions = new SeriesDefinitions();
  /**
   * Whether stream records may name series by ref (ADR 0010): only when every partition is
   * consumed in full order into one store, which the embedded stream guarantees and Kafka,
   * whose partitions move between processor processes, does not.
   */
  private readonly refsResolvable: boolean;

  constructor(private readonly deps: MetricIngestorDeps) {
    this.now = deps.now ?? Date.now;
    this.rateLimiter = new IngestionRateLimiter();
    this.refsResolvable = deps.producer.kind === 'embedded';
  }

  /** Ingests a decoded batch (prepares it on this thread). */
  ingest(protocol: string, batch: MetricBatch, options: IngestOptions = {}): Promise<IngestOutcome> {
    if (options.stableLabels !== true) return this.ingestPrepared(protocol, prepareBatch(batch, this.deps.partitions));
    const prepared = prepareBatch(batch, this.deps.partitions, this.definitions);
    const ticket = prepared.definitionTicket;
    const definitions = this.definitions;
    return this.ingestPrepared(protocol, ticket === 0 ? prepared : { ...prepared, onDurable: (refused) => definitions.confirm(ticket, refused) });
  }

  /**
   * Applies the tenant's limits to a prepared batch and writes it to the stream; resolves once
   * the stream made it durable. Throws {@link IngestRefusedError} when the request as a whole
   * is refused (backpressure, rate limit).
   */
  async ingestPrepared(protocol: string, prepared: PreparedBatch): Promise<IngestOutcome> {
    const tenant = prepared.tenant;
    const limits = this.deps.limitsFor(tenant);
    const total = prepared.floatSamples + prepared.histogramSamples;
    if (total === 0 && prepared.metadata === 0) {
      return { samplesWritten: 0, histogramsWritten: 0, exemplarsWritten: 0, rejected: {}, messages: [] };
    }
    if (this.deps.isBackpressured()) {
      throw new IngestRefusedError(503, 'ingestion is backpressured: the processor is behind the stream; retry later', 'backpressure', 5);
    }
    const fresh = this.deps.admitFreshness?.() ?? true;
    if (fresh !== true) {
      const heldSince = performance.now();
      const admitted = await fresh;
      this.deps.metrics.ingestFreshnessHold.observe({ outcome: admitted ? 'admitted' : 'refused' }, (performance.now() - heldSince) / 1000);
      if (!admitted) {
        throw new IngestRefusedError(503, 'ingestion is backpressured: samples written now would not be readable within the freshness bound; retry later', 'backpressure', 1);
      }
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
    const { admitted, refused } = this.admitSeries(prepared, limits, rejected, messages);

    const start = performance.now();
    const records = admitted.parts.map((part) => ({ key: tenant, partition: part.partition, value: part.bytes }));
    if (records.length > 0) await this.deps.producer.produce(METRICS_TOPIC, records);
    // Durable now: later batches may name these series by ref (unless refused, so not written).
    if (this.refsResolvable) prepared.onDurable?.(refused);
    this.deps.metrics.streamProduceDuration.observe((performance.now() - start) / 1000);
    if (this.deps.onRecordProduced) for (const r of records) this.deps.onRecordProduced(r.value.byteLength);

    const m = this.deps.metrics;
    m.ingestedSamples.inc({ tenant, protocol }, admitted.floatSamples);
    if (admitted.histogramSamples > 0) m.ingestedHistograms.inc({ tenant, protocol }, admitted.histogramSamples);
    if (admitted.exemplars > 0) m.ingestedExemplars.inc({ tenant, protocol }, admitted.exemplars);
    for (const [reason, count] of Object.entries(rejected)) m.rejectedSamples.inc({ tenant, protocol, reason }, count);
    return {
      samplesWritten: admitted.floatSamples,
      histogramsWritten: admitted.histogramSamples,
      exemplarsWritten: admitted.exemplars,
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

  /** Drops new series beyond the tenant's active-series limit; rewrites parts only when one is dropped. */
  private admitSeries(
    prepared: PreparedBatch,
    limits: TenantLimits,
    rejected: Record<string, number>,
    messages: string[],
  ): { admitted: PreparedBatch; refused: Uint8Array | undefined } {
    let table = this.activeSeries.get(prepared.tenant);
    if (!table) {
      table = new ActiveSeriesTable(ACTIVE_SERIES_WINDOW_MS);
      this.activeSeries.set(prepared.tenant, table);
    }
    const now = this.now();
    const limit = limits.maxActiveSeries;
    const hashes = prepared.seriesHashes;
    let refused: Uint8Array | undefined;
    let refusedSamples = 0;
    for (let i = 0; i < hashes.length; i++) {
      const hash = hashes[i]!;
      if (table.touchIfPresent(hash, now)) continue;
      if (limit > 0 && table.active >= limit) {
        refused ??= new Uint8Array(hashes.length);
        refused[i] = 1;
        refusedSamples += prepared.samplesPerSeries[i]!;
        continue;
      }
      table.add(hash, now);
    }
    if (!refused) return { admitted: prepared, refused };
    rejected['max_active_series'] = (rejected['max_active_series'] ?? 0) + refusedSamples;
    messages.push(
      `tenant "${prepared.tenant}" is at its limit of ${limit} active series: ${refusedSamples} samples of new series refused (limits.max_active_series)`,
    );
    return { admitted: withoutSeries(prepared, refused), refused };
  }
}
