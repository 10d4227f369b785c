import { join } from 'node:path';
import type { IdentityServices } from '#apps/common';
import type { PharosConfig } from '#pharos/config';
import { FirstStartBootstrap } from '#pharos/identity';
import { MetadataStore } from '#pharos/metadata';
import { startStoreThread } from '#pharos/processor';
import { DuckDBMetricStore, WriteTrackingStore, type MetricStore } from '#pharos/storage';
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
  const memoryLimit = config.storage.metrics.memoryLimitBytes;
  const options = { dir: path, defaultRetentionMs: config.storage.metrics.retentionMs, ...(memoryLimit > 0 ? { memoryLimit: `${memoryLimit}B` } : {}) };
  const duckdb: MetricStore = config.storage.metrics.thread
    ? await startStoreThread(options, (err) => {
        // Acknowledged writes are in the stream and replay at the next start; a process
        // without its store cannot answer or ingest, so it stops rather than limp on.
        logger.error({ err }, 'metric store thread died; stopping');
        process.exit(1);
      })
    : await DuckDBMetricStore.open(options);
  for (const [tenant, limits] of Object.entries(config.limits.tenants)) duckdb.setRetention(tenant, limits.retentionMs);
  // One instance for the processor and the query API: the query result cache learns from its
  // write log which cached steps a late write, a delete or a retention change touched.
  const store = new WriteTrackingStore(duckdb);
  metrics.refreshBeforeCollect(async () => {
    const stats = await store.stats();
    metrics.storeSeries.set(stats.series);
    metrics.storeBytesOnDisk.set(stats.bytesOnDisk);
    if (stats.rollupRows !== undefined) metrics.storeRollupRows.set(stats.rollupRows);
    for (const [kind, bytes] of Object.entries(stats.memory ?? {})) metrics.storeMemory.set({ kind: snakeCase(kind) }, bytes);
    const delay = stats.threadLoopDelay;
    if (delay !== undefined) {
      metrics.storeThreadLoopDelay.set({ quantile: '0.5' }, delay.p50);
      metrics.storeThreadLoopDelay.set({ quantile: '0.99' }, delay.p99);
      metrics.storeThreadLoopDelay.set({ quantile: '1' }, delay.max);
    }
  });
  return store;
}

/** Opens the metadata store (SQLite under the data directory, or PostgreSQL), running migrations. */
export async function openMetadataStore(config: PharosConfig, logger: Logger): Promise<MetadataStore> {
  const store = await MetadataStore.open({ url: config.metadata.url, dataDir: config.dataDir, poolSize: config.metadata.poolSize });
  const log = logger.child({ component: 'metadata' });
  log.info({ location: store.describe(), appliedMigrations: store.appliedMigrations }, 'metadata store open');
  return store;
}

/**
 * On the first start with auth on, creates the `default` tenant and the server admin. A
 * generated password is written once to stderr, outside the structured log, so it does not
 * end up in log storage; it must be changed at the first login either way.
 */
export async function bootstrapIdentity(
  config: PharosConfig,
  identity: Pick<IdentityServices, 'store' | 'hasher' | 'passwordPolicy'>,
  logger: Logger,
): Promise<void> {
  const { store, hasher, passwordPolicy } = identity;
  const outcome = await new FirstStartBootstrap(store.tenants, store.users, store.memberships, hasher, passwordPolicy).run({
    adminLogin: config.auth.initialAdminLogin,
    adminPassword: config.auth.initialAdminPassword,
  });
  if (!outcome.created) return;
  logger.info({ login: outcome.login }, 'first start: created the server admin and the default tenant; the password must be changed at the first login');
  if (outcome.generatedPassword !== undefined) {
    process.stderr.write(
      `\n  Pharos first start: log in as "${outcome.login}" with the password\n\n      ${outcome.generatedPassword}\n\n` +
        '  It is shown only this once and must be changed at the first login.\n' +
        '  (Set PHAROS_ADMIN_PASSWORD before the first start to choose it instead.)\n\n',
    );
  }
}

/** `heapUsed` → `heap_used`: the label values of `pharos_store_memory_bytes`. */
function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
