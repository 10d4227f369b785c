import { earliestTimestamp, type MetricBatch } from '#pharos/metric-model';
import type {
  AppendResult,
  CounterRollupQuery,
  DeleteQuery,
  ExemplarQuery,
  LabelNamesQuery,
  LabelValuesQuery,
  MetadataQuery,
  MetricStore,
  MetricStoreCapabilities,
  MetricStoreStats,
  RecordsAppendResult,
  RollupQuery,
  SelectQuery,
  SeriesCounterRollups,
  SeriesExemplars,
  SeriesQuery,
  SeriesRollups,
  SeriesSamples,
} from './port.js';
import type { Labels, MetricMetadata } from '#pharos/metric-model';
import { WriteLog, type TenantWriteLog } from './write-log.js';

/**
 * A metric store that records, per tenant, the earliest sample time of every change, so the
 * query result cache can tell which cached steps a write touched. It wraps any adapter (the
 * port stays as it is): the process builds one around its store and hands the same instance to
 * the writers (processor) and to the query layer.
 *
 * A change is recorded after the adapter has made it visible: a query that read before the
 * change then sees it as later than its mark and recomputes, never the reverse.
 */
export class WriteTrackingStore implements MetricStore {
  readonly writes: TenantWriteLog;
  private readonly log = new WriteLog();
  /**
   * The adapter's own, when it has one (`capabilities.seriesRefs`): the processor resolves
   * the series refs of stream records through it (ADR 0010), once per series per record, so
   * it is the adapter's function bound, not a wrapper around it. A wrapper that offered the
   * capability without the method would make the processor drop every record by ref.
   */
  readonly resolveSeriesRef?: (tenant: string, refs: Uint32Array, at: number) => Labels | undefined;

  /** The adapter's, when it decodes stream records itself (`capabilities.records`), noting their writes. */
  readonly appendRecords?: (records: readonly Uint8Array[]) => Promise<RecordsAppendResult>;

  /**
   * The adapter's counter aggregate (ADR 0020), when it offers one: a read, so nothing to
   * note; offered exactly when the adapter offers it, so the engine's fallback (reducing the
   * `selectRollups` fields itself) runs only where it must.
   */
  readonly selectCounterRollups?: (query: CounterRollupQuery) => AsyncIterable<SeriesCounterRollups>;

  constructor(readonly inner: MetricStore) {
    this.writes = this.log;
    if (inner.selectCounterRollups) this.selectCounterRollups = inner.selectCounterRollups.bind(inner);
    if (inner.resolveSeriesRef) this.resolveSeriesRef = inner.resolveSeriesRef.bind(inner);
    if (inner.appendRecords) {
      const appendRecords = inner.appendRecords.bind(inner);
      this.appendRecords = async (records) => {
        const result = await appendRecords(records);
        for (const [tenant, t] of Object.entries(result.tenants)) if (t.earliest < Infinity) this.log.noteWrite(tenant, t.earliest);
        return result;
      };
    }
  }

  get capabilities(): MetricStoreCapabilities {
    return this.inner.capabilities;
  }

  async append(batch: MetricBatch): Promise<AppendResult> {
    try {
      return await this.inner.append(batch);
    } finally {
      // Also after a failed append: part of the batch may have been applied.
      const min = earliestTimestamp(batch);
      if (min < Infinity) this.log.noteWrite(batch.tenant, min);
    }
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }

  select(query: SelectQuery): AsyncIterable<SeriesSamples> {
    return this.inner.select(query);
  }

  selectRollups(query: RollupQuery): AsyncIterable<SeriesRollups> {
    return this.inner.selectRollups(query);
  }

  series(query: SeriesQuery): Promise<Labels[]> {
    return this.inner.series(query);
  }

  labelNames(query: LabelNamesQuery): Promise<string[]> {
    return this.inner.labelNames(query);
  }

  labelValues(query: LabelValuesQuery): Promise<string[]> {
    return this.inner.labelValues(query);
  }

  exemplars(query: ExemplarQuery): Promise<SeriesExemplars[]> {
    return this.inner.exemplars(query);
  }

  metadata(query: MetadataQuery): Promise<MetricMetadata[]> {
    return this.inner.metadata(query);
  }

  async deleteSeries(query: DeleteQuery): Promise<number> {
    try {
      return await this.inner.deleteSeries(query);
    } finally {
      this.log.noteWrite(query.tenant, query.start ?? -Infinity);
    }
  }

  setRetention(tenant: string, retentionMs: number): void {
    this.inner.setRetention(tenant, retentionMs);
    this.log.noteUnboundedChange(tenant);
  }

  async enforceRetention(nowMs?: number): Promise<void> {
    try {
      await this.inner.enforceRetention(nowMs);
    } finally {
      this.log.noteUnboundedChangeAll();
    }
  }

  stats(): Promise<MetricStoreStats> {
    return this.inner.stats();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** A store that records its writes (a {@link WriteTrackingStore}, or an adapter doing it itself). */
export interface WriteLoggingStore extends MetricStore {
  readonly writes: TenantWriteLog;
}

/** The store's write log when it keeps one; the result cache needs it. */
export function writeLogOf(store: MetricStore): TenantWriteLog | undefined {
  const writes = (store as Partial<WriteLoggingStore>).writes;
  return writes !== undefined && typeof writes.mark === 'function' && typeof writes.earliestWriteSince === 'function' ? writes : undefined;
}
