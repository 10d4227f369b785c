import { hostname } from 'node:os';
import { join } from 'node:path';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit, type Provider } from '@nestjs/common';
import { CONFIG, LOGGER, SELF_METRICS } from '#apps/common';
import { loadConfig, type PharosConfig, type TenantLimits } from '#pharos/config';
import { withReceipt, type MetricIngestor } from '#pharos/ingest';
import { fnv1a32 } from '#pharos/metric-model';
import { parseScrapeConfigs, type ScrapeDefaults, type SeriesLimits } from '#pharos/scrape';
import type { Logger, SelfMetrics } from '#pharos/telemetry';
import { METRIC_INGESTOR } from './collector.tokens.js';
import { ScrapeEngine, type ScrapeEngineApi, type ScrapeEngineHost } from './scrape-engine.js';
import { SCRAPE_PROTOCOL, ScrapeTelemetry } from './scrape-telemetry.js';
import { ScrapeWorkerEngine } from './scrape-worker-engine.js';

/** The file, under the data directory, holding targets added through the API. */
export const RUNTIME_TARGETS_FILE = join('scrape', 'api-targets.json');

/**
 * Scraping in the collector role. The scrape engine (scheduler, loops, write preparation)
 * runs in a worker thread — or on the main thread when `collector.decode_workers` is 0 —
 * and every write it prepares goes through the shared `MetricIngestor` here (same limits,
 * same stream; a scrape counts as stored only once the produce resolved). Reloads the
 * configuration file on SIGHUP and `POST /-/reload`.
 */
@Injectable()
export class ScrapeService implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  readonly engine: ScrapeEngineApi;
  private readonly telemetry: ScrapeTelemetry;
  private readonly log: Logger;
  private readonly onSighup = (): void => {
    void this.reload().then((result) => {
      if (!result.ok) this.log.error({ error: result.error }, 'scrape configuration reload (SIGHUP) failed; keeping the previous configuration');
    });
  };
  private targetGaugeTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(CONFIG) private readonly config: PharosConfig,
    @Inject(LOGGER) logger: Logger,
    @Inject(SELF_METRICS) metrics: SelfMetrics,
    @Inject(METRIC_INGESTOR) ingestor: MetricIngestor,
  ) {
    this.log = logger.child({ component: 'scrape' });
    this.telemetry = new ScrapeTelemetry(metrics);
    const limits = (l: TenantLimits): SeriesLimits => ({ maxLabelsPerSeries: l.maxLabelsPerSeries, maxLabelNameLength: l.maxLabelNameLength, maxLabelValueLength: l.maxLabelValueLength });
    const settings = {
      runtimeTargetsFile: join(config.dataDir, RUNTIME_TARGETS_FILE),
      partitions: config.stream.partitions,
      defaultLimits: limits(config.limits.defaults),
      tenantLimits: Object.fromEntries(Object.entries(config.limits.tenants).map(([t, l]) => [t, limits(l)])),
      userAgent: 'Pharos (Prometheus-compatible scraper)',
      offsetSeed: fnv1a32(`${hostname()}\u0000${config.dataDir}`),
    };
    const host: ScrapeEngineHost = {
      write: async (prepared) => {
        // The engine prepared it with series refs on its own thread; tell it what became durable.
        const w = withReceipt(prepared);
        await ingestor.ingestPrepared(SCRAPE_PROTOCOL, w.prepared);
        return w.receipt();
      },
      report: (r) => {
        this.telemetry.record(r);
        if (!r.up) this.log.debug({ job: r.job, error: r.error }, 'scrape failed');
      },
      log: (level, message, err) => this.log[level]({ err }, message),
    };
    this.engine =
      config.collector.decodeWorkers === 0
        ? new ScrapeEngine(settings, host)
        : new ScrapeWorkerEngine(settings, host, (err) => this.log.error({ err }, 'the scrape worker failed; scraping stopped until restart'));
  }

  /** Validates `scrape_configs` before anything listens: an invalid one stops startup with its message. */
  onModuleInit(): void {
    const { defaults } = this.settingsOf(this.config);
    parseScrapeConfigs(this.config.scrape.configs, defaults, this.where());
  }

  /** Starts scraping once every module is initialised (the stream topic exists). */
  async onApplicationBootstrap(): Promise<void> {
    const jobs = await this.engine.apply(this.config.scrape.configs, this.settingsOf(this.config).defaults, this.where());
    process.on('SIGHUP', this.onSighup);
    this.targetGaugeTimer = setInterval(() => void this.refreshTargetGauge(), 15_000);
    this.targetGaugeTimer.unref();
    this.log.info({ jobs }, 'scraping started');
  }

  async onApplicationShutdown(): Promise<void> {
    process.off('SIGHUP', this.onSighup);
    if (this.targetGaugeTimer) clearInterval(this.targetGaugeTimer);
    await this.engine.stop();
  }

  /**
   * Re-reads the configuration file (and environment) and applies its `scrape_configs`; on any
   * problem the running configuration stays and the error is returned.
   */
  async reload(): Promise<{ ok: true } | { ok: false; error: string }> {
    try {
      const fresh = this.config.configFile ? loadConfig({ file: this.config.configFile, env: process.env }) : this.config;
      const jobs = await this.engine.apply(fresh.scrape.configs, this.settingsOf(fresh).defaults, this.where());
      this.telemetry.reloads.inc({ result: 'success' });
      this.log.info({ jobs, file: this.config.configFile }, 'scrape configuration reloaded');
      return { ok: true };
    } catch (err) {
      this.telemetry.reloads.inc({ result: 'failure' });
      return { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  }

  private settingsOf(config: PharosConfig): { defaults: ScrapeDefaults } {
    return { defaults: { scrapeIntervalMs: config.scrape.intervalMs, scrapeTimeoutMs: config.scrape.timeoutMs } };
  }

  private where(): string {
    return this.config.configFile ?? 'config';
  }

  private async refreshTargetGauge(): Promise<void> {
    try {
      const t = await this.engine.targets(undefined, 'any', undefined);
      this.telemetry.targets.reset();
      for (const a of t.activeTargets ?? []) this.telemetry.targets.inc({ job: a.scrapePool, state: 'active' });
      for (const d of t.droppedTargets ?? []) this.telemetry.targets.inc({ job: d.scrapePool, state: 'dropped' });
    } catch (err) {
      this.log.warn({ err }, 'reading scrape targets for pharos_scrape_targets failed');
    }
  }
}

export const SCRAPE_PROVIDERS: Provider[] = [ScrapeService];
