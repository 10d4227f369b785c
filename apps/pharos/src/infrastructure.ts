import { join } from 'node:path';
import type { PharosConfig } from '#pharos/config';
import { DuckDBMetricStore, type MetricStore } from '#pharos/storage';
import { EmbeddedStream, KafkaStream, parseKafkaUrl, type Stream } from '#pharos/stream';
import type { Logger, SelfMetrics } from '#pharos/telemetry';

/**
 * Opens the stream adapter the configuration names, with its events wired to logs and
 * self-metrics. Opening the embedded stream replays its segments.
 */
export async function openStream(config: PharosConfig, logger: Logger, metrics: SelfMetrics): Promise<Stream> {
  const log = logger.child({ component: 'stream' });
  if (config.stream.url.startsWith('kafka://')) {
    const { brokers } = parseKafkaUrl(config.stream.url);
    log.info({ brokers }, 'connecting to Kafka');
    return KafkaStream.connect({ brokers, clientId: 'pharos' });
  }
  const dir = join(config.dataDir, 'stream');
  log.info({ dir, fsync: config.stream.fsync }, 'opening embedded stream');
  const stream = await EmbeddedStream.open({
    dir,
    fsync: config.stream.fsync,
    fsyncIntervalMs: config.stream.fsyncIntervalMs,
    segmentBytes: config.stream.segmentBytes,
    retention: { maxBytesPerPartition: config.stream.retentionBytes, maxAgeMs: config.stream.retentionMs },
    events: {
      onRecovery: (e) => log.warn(e, 'stream segment tail was torn or corrupt and has been truncated'),
      onRetentionDrop: (e) => {
        log.error(e, 'stream retention deleted records a consumer group had not committed; that group skips them');
        metrics.streamRetentionDropped.inc({ topic: e.topic, group: e.group });
      },
      onHandlerError: (e) => log.warn({ group: e.group, topic: e.topic, partition: e.partition, err: e.error }, 'stream handler failed; redelivering'),
      onError: (e) => log.error({ context: e.context, err: e.error }, 'stream background task failed'),
    },
  });
  metrics.refreshBeforeCollect(() => {
    const byTopic = new Map<string, number>();
    for (const p of stream.diskUsage()) byTopic.set(p.topic, (byTopic.get(p.topic) ?? 0) + p.bytes);
    for (const [topic, bytes] of byTopic) metrics.streamBytesOnDisk.set({ topic }, bytes);
  });
  return stream;
}

/** Opens the metric store (DuckDB under the data directory) with per-tenant retention. */
export async function openMetricStore(config: PharosConfig, logger: Logger, metrics: SelfMetrics): Promise<MetricStore> {
  const path = join(config.dataDir, 'metrics');
  logger.child({ component: 'metric-store' }).info({ path }, 'opening metric store');
  const store = await DuckDBMetricStore.open({ dir: path, defaultRetentionMs: config.storage.metrics.retentionMs });
  for (const [tenant, limits] of Object.entries(config.limits.tenants)) store.setRetention(tenant, limits.retentionMs);
  metrics.refreshBeforeCollect(async () => {
    const stats = await store.stats();
    metrics.storeSeries.set(stats.series);
    metrics.storeBytesOnDisk.set(stats.bytesOnDisk);
  });
  return store;
}
