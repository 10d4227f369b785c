import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Pharos' own metrics, declared in one place so names and labels stay consistent across
 * roles. Components take the instruments they update; `/metrics` serves the registry.
 */
export class SelfMetrics {
  readonly registry = new Registry();

  readonly buildInfo = new Gauge({
    name: 'pharos_build_info',
    help: 'Constant 1, labelled with the running version.',
    labelNames: ['version', 'node_version'],
    registers: [this.registry],
  });

  readonly httpRequestDuration = new Histogram({
    name: 'pharos_http_request_duration_seconds',
    help: 'HTTP request latency by route and status code.',
    labelNames: ['method', 'route', 'code'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly ingestedSamples = new Counter({
    name: 'pharos_ingest_samples_total',
    help: 'Samples accepted and durably written to the stream, by tenant and protocol.',
    labelNames: ['tenant', 'protocol'],
    registers: [this.registry],
  });

  readonly ingestedHistograms = new Counter({
    name: 'pharos_ingest_histograms_total',
    help: 'Native histogram samples accepted, by tenant and protocol.',
    labelNames: ['tenant', 'protocol'],
    registers: [this.registry],
  });

  readonly ingestedExemplars = new Counter({
    name: 'pharos_ingest_exemplars_total',
    help: 'Exemplars accepted, by tenant and protocol.',
    labelNames: ['tenant', 'protocol'],
    registers: [this.registry],
  });

  readonly rejectedSamples = new Counter({
    name: 'pharos_ingest_rejected_samples_total',
    help: 'Samples refused at ingestion, by tenant, protocol and reason.',
    labelNames: ['tenant', 'protocol', 'reason'],
    registers: [this.registry],
  });

  readonly rejectedRequests = new Counter({
    name: 'pharos_ingest_rejected_requests_total',
    help: 'Whole requests refused at ingestion, by protocol and reason.',
    labelNames: ['protocol', 'reason'],
    registers: [this.registry],
  });

  readonly activeSeries = new Gauge({
    name: 'pharos_ingest_active_series',
    help: 'Series seen by this collector in the active-series window, by tenant.',
    labelNames: ['tenant'],
    registers: [this.registry],
  });

  readonly streamProduceDuration = new Histogram({
    name: 'pharos_stream_produce_duration_seconds',
    help: 'Time for the stream to acknowledge a produce (durable write).',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [this.registry],
  });

  readonly streamLagRecords = new Gauge({
    name: 'pharos_stream_lag_records',
    help: 'Records produced but not yet committed by a consumer group, per partition.',
    labelNames: ['topic', 'group', 'partition'],
    registers: [this.registry],
  });

  readonly streamBytesOnDisk = new Gauge({
    name: 'pharos_stream_bytes_on_disk',
    help: 'Bytes of embedded stream segments on disk, per topic.',
    labelNames: ['topic'],
    registers: [this.registry],
  });

  readonly streamRetentionDropped = new Counter({
    name: 'pharos_stream_retention_dropped_total',
    help: 'Segments deleted by size/age retention before a consumer group committed past them (data that group never read).',
    labelNames: ['topic', 'group'],
    registers: [this.registry],
  });

  readonly processorAppendedSamples = new Counter({
    name: 'pharos_processor_appended_samples_total',
    help: 'Samples appended to the metric store by the processor, by tenant.',
    labelNames: ['tenant'],
    registers: [this.registry],
  });

  readonly processorDroppedSamples = new Counter({
    name: 'pharos_processor_dropped_samples_total',
    help: 'Samples the processor could not store, by reason (for example too old for retention when finally processed).',
    labelNames: ['tenant', 'reason'],
    registers: [this.registry],
  });

  readonly processorUndecodableRecords = new Counter({
    name: 'pharos_processor_undecodable_records_total',
    help: 'Stream records the processor could not decode and skipped (logged with partition and offset).',
    labelNames: ['topic'],
    registers: [this.registry],
  });

  readonly processorQueuedSamples = new Gauge({
    name: 'pharos_processor_queued_samples',
    help: 'Samples decoded from the stream and waiting for a store append.',
    registers: [this.registry],
  });

  readonly processorAppendDuration = new Histogram({
    name: 'pharos_processor_append_duration_seconds',
    help: 'Time of one store append by the processor.',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly processorVisibilityDelay = new Histogram({
    name: 'pharos_processor_visibility_delay_seconds',
    help: 'Time from a metrics record entering the stream (its write acknowledged) to its samples being readable, per stream batch (its oldest record).',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [this.registry],
  });

  readonly storeFlushDuration = new Histogram({
    name: 'pharos_store_flush_duration_seconds',
    help: 'Time to make the metric store durable before committing stream offsets.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly storeSeries = new Gauge({
    name: 'pharos_store_series',
    help: 'Series known to the metric store.',
    registers: [this.registry],
  });

  readonly storeBytesOnDisk = new Gauge({
    name: 'pharos_store_bytes_on_disk',
    help: 'Bytes of the metric store on disk.',
    registers: [this.registry],
  });

  readonly storeRollupRows = new Gauge({
    name: 'pharos_store_rollup_rows',
    help: 'Rollup buckets held as rows, not yet packed into day spans: bounded while packing keeps up, growing while it falls behind.',
    registers: [this.registry],
  });

  readonly storeMemory = new Gauge({
    name: 'pharos_store_memory_bytes',
    help: "Memory of the metric store by kind: engine (DuckDB's buffer manager); heap_used, heap_total, external, array_buffers of the store thread's V8 isolate when it runs on a thread of its own (the main thread's are the nodejs_* metrics).",
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly storeThreadLoopDelay = new Gauge({
    name: 'pharos_store_thread_event_loop_delay_seconds',
    help: "How late the metric store thread's event loop ran since the previous scrape, by quantile (0.5, 0.99, 1 = the longest): appends queue behind the store's synchronous steps, so this is the stall a new sample can meet before it is readable. Absent when the store runs on the main thread (see nodejs_eventloop_lag_*).",
    labelNames: ['quantile'] as const,
    registers: [this.registry],
  });

  readonly ingestFreshnessHold = new Histogram({
    name: 'pharos_ingest_freshness_hold_seconds',
    help: 'Time writes were held before the stream write because samples acknowledged then would not have been readable within the freshness bound (collector.max_visibility_delay), by outcome: admitted once the processor caught up, or refused with 503 after the longest hold.',
    labelNames: ['outcome'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2],
    registers: [this.registry],
  });

  readonly ingestHeldWrites = new Gauge({
    name: 'pharos_ingest_held_writes',
    help: 'Writes held by the freshness gate at the time of the scrape (see pharos_ingest_freshness_hold_seconds).',
    registers: [this.registry],
  });

  readonly decodeWorkersMemory = new Gauge({
    name: 'pharos_ingest_decode_workers_memory_bytes',
    help: "Memory of the ingest decode workers' V8 isolates, summed over workers, by kind: heap_used, heap_total, external (ArrayBuffers, mostly). The decoders' label caches live there.",
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  private readonly refreshers: Array<() => void | Promise<void>> = [];

  /**
   * Registers a function that brings gauges up to date (disk usage, store size); it runs at
   * each scrape rather than on a timer, so idle processes do no work and values are fresh.
   */
  refreshBeforeCollect(refresh: () => void | Promise<void>): void {
    this.refreshers.push(refresh);
  }

  /** The exposition text, after running the refreshers (a failing one leaves its gauges stale). */
  async collect(): Promise<string> {
    await Promise.allSettled(this.refreshers.map(async (r) => r()));
    return this.registry.metrics();
  }

  constructor(version: string) {
    collectDefaultMetrics({ register: this.registry, prefix: 'pharos_' });
    this.buildInfo.set({ version, node_version: process.version }, 1);
  }
}
