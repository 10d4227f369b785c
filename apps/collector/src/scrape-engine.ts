import { SeriesDefinitions, prepareBatch, type DefinitionReceipt, type PreparedBatch } from '#pharos/ingest';
import {
  CoalescingAppender,
  RuntimeTargetStore,
  ScrapeConfigError,
  ScrapeScheduler,
  ScrapeTargetConflictError,
  parseScrapeConfigs,
  targetsResponse,
  type ScrapeDefaults,
  type ScrapeReport,
  type SeriesLimits,
  type TargetDiscoveryJson,
} from '#pharos/scrape';

/** What the scrape engine needs to know at start, plain data so it can cross to a worker. */
export interface ScrapeEngineSettings {
  readonly runtimeTargetsFile: string;
  readonly partitions: number;
  readonly defaultLimits: SeriesLimits;
  readonly tenantLimits: Readonly<Record<string, SeriesLimits>>;
  readonly userAgent: string;
  readonly offsetSeed: number;
}

/** What the engine asks of its host: durable writes, telemetry, logs. */
export interface ScrapeEngineHost {
  /**
   * Writes prepared samples; resolves once durable, with whether the batch's series
   * definitions now resolve on the stream ({@link withReceipt}); rejects when refused.
   */
  write(prepared: PreparedBatch): Promise<DefinitionReceipt>;
  report(report: ScrapeReport): void;
  log(level: 'warn' | 'error' | 'debug', message: string, err?: string): void;
}

/** The operations the collector's scrape service drives, whichever thread runs the engine. */
export interface ScrapeEngineApi {
  /** Validates and applies `scrape_configs` (raw YAML value); rejects with the config problem. */
  apply(configs: unknown, defaults: ScrapeDefaults, where: string): Promise<readonly string[]>;
  addTargets(tenant: string, job: string, targets: readonly string[], labels: Readonly<Record<string, string>>): Promise<void>;
  removeTargets(tenant: string, job: string, targets: readonly string[] | undefined): Promise<number>;
  targets(tenant: string | undefined, state: string, scrapePool: string | undefined): Promise<TargetDiscoveryJson>;
  stop(): Promise<void>;
}

/**
 * Scraping itself — scheduler, loops, caches, coalescing and the CPU-heavy preparation of
 * each write (hashing, partitioning, encoding, compression) — so that it can run in a worker
 * thread with its own heap (the host only produces), or in the host's thread.
 */
export class ScrapeEngine implements ScrapeEngineApi {
  private readonly scheduler: ScrapeScheduler;
  private readonly appender: CoalescingAppender;
  /**
   * Which series the stream's consumers already hold, so that writes name them by ref (ADR
   * 0010). Scrape loops cache each series' labels by its raw text, so the same `Labels`
   * object comes back every scrape and is recognised without hashing its text.
   */
  private readonly definitions = new SeriesDefinitions();

  constructor(settings: ScrapeEngineSettings, host: ScrapeEngineHost) {
    this.appender = new CoalescingAppender(
      async (batch) => {
        const prepared = prepareBatch(batch, settings.partitions, this.definitions);
        let receipt: DefinitionReceipt | undefined;
        try {
          receipt = await host.write(prepared);
        } finally {
          // Refused or failed: its series are defined again by the next write.
          this.definitions.settle(prepared.definitionTicket, receipt);
        }
        return { samplesWritten: batch.timestamps.length, rejected: {} };
      },
      { maxDelayMs: 50, maxSamples: 100_000 },
    );
    this.scheduler = new ScrapeScheduler({
      appender: this.appender,
      limitsFor: (tenant) => settings.tenantLimits[tenant] ?? settings.defaultLimits,
      userAgent: settings.userAgent,
      offsetSeed: settings.offsetSeed,
      runtimeTargets: new RuntimeTargetStore(settings.runtimeTargetsFile),
      onReport: (r) => host.report(r),
      onError: (message, err) => host.log('warn', message, err === undefined ? undefined : err instanceof Error ? err.message : String(err)),
    });
  }

  async apply(configs: unknown, defaults: ScrapeDefaults, where: string): Promise<readonly string[]> {
    const jobs = parseScrapeConfigs(configs, defaults, where);
    await this.scheduler.apply(jobs, defaults);
    return jobs.map((j) => j.jobName);
  }

  addTargets(tenant: string, job: string, targets: readonly string[], labels: Readonly<Record<string, string>>): Promise<void> {
    return this.scheduler.addTargets(tenant, job, targets, labels);
  }

  removeTargets(tenant: string, job: string, targets: readonly string[] | undefined): Promise<number> {
    return this.scheduler.removeTargets(tenant, job, targets);
  }

  async targets(tenant: string | undefined, state: string, scrapePool: string | undefined): Promise<TargetDiscoveryJson> {
    await this.scheduler.settled();
    return targetsResponse(this.scheduler, tenant, state, scrapePool);
  }

  async stop(): Promise<void> {
    await Promise.all([this.scheduler.stop(), Promise.resolve().then(() => this.appender.flushAll())]);
  }
}

/** Errors that cross the thread boundary by name, so the controller can tell them apart. */
export const ENGINE_ERRORS: Readonly<Record<string, new (message: string) => Error>> = {
  ScrapeConfigError,
  ScrapeTargetConflictError,
};
