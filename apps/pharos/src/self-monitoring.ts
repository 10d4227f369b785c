import { hostname } from 'node:os';
import type { INestApplicationContext } from '@nestjs/common';
import { METRIC_INGESTOR } from '#apps/collector';
import type { PharosConfig } from '#pharos/config';
import { MetricIngestor } from '#pharos/ingest';
import { METRICS_TOPIC } from '#pharos/metric-model';
import { SELF_MONITORING_PROTOCOL, SelfMonitor, selfMonitoringLabels } from '#pharos/self-monitoring';
import type { Stream } from '#pharos/stream';
import type { Logger, SelfMetrics } from '#pharos/telemetry';
import { ALL_ROLES, type RoleName } from './module-table.js';

export interface SelfMonitoringDeps {
  readonly config: PharosConfig;
  readonly roles: readonly RoleName[];
  readonly app: INestApplicationContext;
  /** The process's stream, if it has one (the platform opens a shared stream in every process for this). */
  readonly stream: Stream | undefined;
  readonly metrics: SelfMetrics;
  readonly logger: Logger;
  /** The HTTP port the process listens on (the `instance` label). */
  readonly port: number;
}

/**
 * Starts writing this process's own metrics to the self-monitoring tenant (ADR 0015). Every
 * write goes through a `MetricIngestor` onto the stream — the collector's own in a process
 * running the collector (same limits, backpressure and counters as any intake, protocol
 * `self_monitoring`), else one over this process's producer — so it is durable and counted
 * like any other write, with no HTTP loopback. A process without a stream (another role's
 * process on the embedded stream) cannot, and says so: docs/dashboards.md shows the scrape job
 * that covers it. Never fails the start; returns undefined when nothing runs.
 */
export async function startSelfMonitoring(deps: SelfMonitoringDeps): Promise<SelfMonitor | undefined> {
  const { config, roles, stream, metrics } = deps;
  const settings = config.selfMonitoring;
  if (!settings.enabled) return undefined;
  const log = deps.logger.child({ component: 'self-monitoring' });
  let ingestor: MetricIngestor;
  if (roles.includes('collector')) {
    ingestor = deps.app.get<MetricIngestor>(METRIC_INGESTOR, { strict: false });
  } else if (stream) {
    try {
      await stream.ensureTopic(METRICS_TOPIC, config.stream.partitions);
    } catch (err) {
      log.error({ err }, 'self-monitoring is off in this process: the metrics topic is not reachable');
      return undefined;
    }
    ingestor = new MetricIngestor({
      producer: stream.producer(),
      partitions: config.stream.partitions,
      limitsFor: (tenant) => config.limits.tenants[tenant] ?? config.limits.defaults,
      metrics,
      // This process has no lag monitor (that is the collector's): a few hundred series per
      // interval are not what backpressure protects against.
      isBackpressured: () => false,
    });
  } else {
    log.warn(
      { roles },
      'self-monitoring: this process has no stream to write its metrics to (the embedded stream belongs to the collector and processor process); scrape its /metrics instead (docs/dashboards.md)',
    );
    return undefined;
  }
  const targetLabels = selfMonitoringLabels(hostname(), deps.port, roles, roles.length === ALL_ROLES.length);
  let lastError = '';
  const monitor = new SelfMonitor({
    tenant: settings.tenant,
    targetLabels,
    intervalMs: settings.intervalMs,
    collect: () => metrics.collect(),
    write: async (batch) => {
      await ingestor.ingest(SELF_MONITORING_PROTOCOL, batch, { stableLabels: true });
    },
    onError: (err) => {
      // Once per distinct failure, not every interval while the stream is backpressured.
      const message = err instanceof Error ? err.message : String(err);
      if (message !== lastError) log.warn({ err }, 'self-monitoring write failed; retrying at the next interval');
      lastError = message;
    },
    onCollected: () => {
      if (lastError !== '') log.info('self-monitoring writes again');
      lastError = '';
    },
  });
  monitor.start();
  log.info({ tenant: settings.tenant, intervalMs: settings.intervalMs, labels: targetLabels }, 'self-monitoring started');
  return monitor;
}
