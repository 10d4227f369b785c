import { Inject, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { CONFIG, LOGGER, READINESS, type Readiness, SELF_METRICS, STREAM, VISIBILITY_GATE } from '#apps/common';
import type { PharosConfig } from '#pharos/config';
import { IngestDecodePool, MetricIngestor, StreamLagMonitor, type VisibilityGate } from '#pharos/ingest';
import { METRIC_STORE_GROUP, METRICS_TOPIC } from '#pharos/metric-model';
import type { Stream } from '#pharos/stream';
import type { Logger, SelfMetrics } from '#pharos/telemetry';
import { DECODE_POOL, METRIC_INGESTOR } from './collector.tokens.js';
import { OTLP_PROVIDERS } from './otlp-servers.js';
import { RemoteWriteController } from './remote-write.controller.js';
import { ScrapeController } from './scrape.controller.js';
import { SCRAPE_PROVIDERS } from './scrape.service.js';
import { INFLUX_PROVIDERS } from './influx-write.js';

const LAG_MONITOR = Symbol('StreamLagMonitor');

/** The ingestion edge: protocol receivers (remote_write, OTLP) that validate, apply limits and write to the stream. */
@Module({
  controllers: [RemoteWriteController, ScrapeController],
  providers: [
    {
      provide: LAG_MONITOR,
      inject: [STREAM, CONFIG, SELF_METRICS, LOGGER],
      useFactory: (stream: Stream, config: PharosConfig, metrics: SelfMetrics, logger: Logger) =>
        new StreamLagMonitor(stream, METRICS_TOPIC, METRIC_STORE_GROUP, config.stream.maxLagBytes, metrics, (err) =>
          logger.warn({ err }, 'reading stream lag failed'),
        ),
    },
    {
      provide: DECODE_POOL,
      inject: [CONFIG, LOGGER],
      useFactory: (config: PharosConfig, logger: Logger) => {
        const size = config.collector.decodeWorkers < 0 ? IngestDecodePool.defaultSize() : config.collector.decodeWorkers;
        return new IngestDecodePool(size, (err) => logger.error({ err }, 'decode worker failed; replacing it'));
      },
    },
    {
      provide: METRIC_INGESTOR,
      inject: [STREAM, CONFIG, SELF_METRICS, LAG_MONITOR, VISIBILITY_GATE],
      useFactory: (stream: Stream, config: PharosConfig, metrics: SelfMetrics, lag: StreamLagMonitor, gate: VisibilityGate) =>
        new MetricIngestor({
          producer: stream.producer(),
          partitions: config.stream.partitions,
          limitsFor: (tenant) => config.limits.tenants[tenant] ?? config.limits.defaults,
          metrics,
          isBackpressured: () => lag.isBackpressured(),
          // With the processor in this process: its ack-to-readable delay.
          admitFreshness: () => gate.admit(),
          onRecordProduced: (bytes) => lag.recordProduced(bytes),
        }),
    },
    ...OTLP_PROVIDERS,
    ...SCRAPE_PROVIDERS,
    ...INFLUX_PROVIDERS,
  ],
})
export class CollectorModule implements OnModuleInit, OnApplicationShutdown {
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(LAG_MONITOR) private readonly lag: StreamLagMonitor,
    @Inject(METRIC_INGESTOR) private readonly ingestor: MetricIngestor,
    @Inject(STREAM) private readonly stream: Stream,
    @Inject(CONFIG) private readonly config: PharosConfig,
    @Inject(READINESS) private readonly readiness: Readiness,
    @Inject(DECODE_POOL) private readonly decodePool: IngestDecodePool,
    @Inject(SELF_METRICS) private readonly metrics: SelfMetrics,
    @Inject(VISIBILITY_GATE) private readonly gate: VisibilityGate,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.stream.ensureTopic(METRICS_TOPIC, this.config.stream.partitions);
    this.lag.start();
    this.sweepTimer = setInterval(() => this.ingestor.sweepActiveSeries(), 60_000);
    this.sweepTimer.unref();
    this.readiness.require('collector: stream topic ready', () => true);
    this.metrics.refreshBeforeCollect(async () => {
      this.metrics.ingestHeldWrites.set(this.gate.heldWrites);
      const memory = await this.decodePool.memory();
      this.metrics.decodeWorkersMemory.set({ kind: 'heap_used' }, memory.heapUsed);
      this.metrics.decodeWorkersMemory.set({ kind: 'heap_total' }, memory.heapTotal);
      this.metrics.decodeWorkersMemory.set({ kind: 'external' }, memory.external);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.lag.stop();
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await this.decodePool.close();
  }
}
