import { Inject, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { CONFIG, LOGGER, METRIC_STORE, READINESS, type Readiness, SELF_METRICS, STREAM, VISIBILITY_GATE } from '#apps/common';
import type { VisibilityGate } from '#pharos/ingest';
import type { PharosConfig } from '#pharos/config';
import { METRICS_TOPIC } from '#pharos/metric-model';
import { MetricsProcessor } from '#pharos/processor';
import type { MetricStore } from '#pharos/storage';
import type { Stream } from '#pharos/stream';
import type { Logger, SelfMetrics } from '#pharos/telemetry';

const METRICS_PROCESSOR = Symbol('MetricsProcessor');

/** Stream processing: consumes the metrics topic into the metric store. */
@Module({
  providers: [
    {
      provide: METRICS_PROCESSOR,
      inject: [STREAM, METRIC_STORE, CONFIG, SELF_METRICS, LOGGER, VISIBILITY_GATE],
      useFactory: (stream: Stream, store: MetricStore, config: PharosConfig, metrics: SelfMetrics, logger: Logger, gate: VisibilityGate) => {
        const processor = new MetricsProcessor({
          stream,
          store,
          metrics,
          logger: logger.child({ component: 'processor' }),
          batchMaxSamples: config.processor.batchMaxSamples,
          batchMaxWaitMs: config.processor.batchMaxWaitMs,
          flushIntervalMs: config.processor.flushIntervalMs,
          onVisibilityDelay: (delayMs) => gate.report(delayMs),
        });
        gate.watchAppending(() => processor.oldestAppendingSince());
        return processor;
      },
    },
  ],
})
export class ProcessorModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(METRICS_PROCESSOR) private readonly processor: MetricsProcessor,
    @Inject(STREAM) private readonly stream: Stream,
    @Inject(CONFIG) private readonly config: PharosConfig,
    @Inject(READINESS) private readonly readiness: Readiness,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.readiness.require('processor: stream replay done', () => this.processor.isCaughtUp);
    await this.stream.ensureTopic(METRICS_TOPIC, this.config.stream.partitions);
    await this.processor.start();
    void this.processor.caughtUpPromise.then(() => this.logger.info('processor caught up with the stream'));
  }

  /** Drains on SIGTERM: buffered samples are appended, made durable and committed. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.processor.stop();
  }
}
