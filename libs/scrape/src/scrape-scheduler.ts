import { FileDiscovery } from './discovery/file-sd.js';
import { HttpDiscovery } from './discovery/http-sd.js';
import { StaticDiscovery, type DiscoveryProvider } from './discovery/provider.js';
import { ScrapeConfigError } from './errors.js';
import type { RuntimeTargetStore } from './runtime-targets.js';
import { parseScrapeJob, type ScrapeDefaults, type ScrapeJobConfig, type TargetGroup } from './scrape-config.js';
import type { ScrapeAppender, ScrapeReport, SeriesLimits } from './scrape-loop.js';
import { ScrapePool, type ActiveTargetView, type DroppedTargetView } from './scrape-pool.js';

export interface ScrapeSchedulerDeps {
  readonly appender: ScrapeAppender;
  readonly limitsFor: (tenant: string) => SeriesLimits;
  readonly userAgent: string;
  readonly offsetSeed: number;
  readonly runtimeTargets: RuntimeTargetStore;
  readonly onReport?: (report: ScrapeReport) => void;
  readonly onError?: (message: string, err?: unknown) => void;
}

/** Targets added through the API, fed to a pool like any other discovery. */
class RuntimeDiscovery implements DiscoveryProvider {
  private listener: ((groups: readonly TargetGroup[]) => void) | undefined;
  constructor(private groups: readonly TargetGroup[]) {}
  start(onUpdate: (groups: readonly TargetGroup[]) => void): void {
    this.listener = onUpdate;
    onUpdate(this.groups);
  }
  update(groups: readonly TargetGroup[]): void {
    this.groups = groups;
    this.listener?.(groups);
  }
  stop(): void {
    this.listener = undefined;
  }
}

interface PoolEntry {
  readonly pool: ScrapePool;
  readonly runtime: RuntimeDiscovery;
}

export class ScrapeTargetConflictError extends Error {
  override readonly name = 'ScrapeTargetConflictError';
}

/**
 * Runs every scrape job (Prometheus' scrape manager): one {@link ScrapePool} per job, fed by
 * its static, file and HTTP discovery plus the targets added through the API. `apply` is
 * both the start and the reload: unchanged jobs keep running untouched, changed jobs restart,
 * removed jobs stop and mark their series stale.
 */
export class ScrapeScheduler {
  private readonly pools = new Map<string, PoolEntry>();
  private configured: readonly ScrapeJobConfig[] = [];
  private defaults: ScrapeDefaults = { scrapeIntervalMs: 60_000, scrapeTimeoutMs: 10_000 };
  private applying: Promise<void> = Promise.resolve();

  constructor(private readonly deps: ScrapeSchedulerDeps) {}

  /** Starts or reloads with the configured jobs (validated by `parseScrapeConfigs`). */
  apply(jobs: readonly ScrapeJobConfig[], defaults: ScrapeDefaults): Promise<void> {
    this.applying = this.applying.then(() => this.applyNow(jobs, defaults));
    return this.applying;
  }

  private async applyNow(jobs: readonly ScrapeJobConfig[], defaults: ScrapeDefaults): Promise<void> {
    this.configured = jobs;
    this.defaults = defaults;
    const effective = this.effectiveJobs();
    const stopping: Promise<void>[] = [];
    for (const [name, entry] of this.pools) {
      const next = effective.get(name);
      if (!next) {
        stopping.push(entry.pool.stop(true));
        this.pools.delete(name);
      } else if (next.fingerprint !== entry.pool.job.fingerprint) {
        // A changed job restarts; its targets start again with fresh state (no staleness
        // markers: series of targets that remain continue under the new loop).
        stopping.push(entry.pool.stop(false));
        this.pools.delete(name);
      }
    }
    await Promise.all(stopping);
    for (const [name, job] of effective) if (!this.pools.has(name)) this.startPool(job);
  }

  private effectiveJobs(): Map<string, ScrapeJobConfig> {
    const out = new Map<string, ScrapeJobConfig>();
    for (const j of this.configured) out.set(j.jobName, j);
    for (const g of this.deps.runtimeTargets.all()) {
      if (out.has(g.job)) continue;
      out.set(g.job, parseScrapeJob({ job_name: g.job, tenant: g.tenant }, this.defaults, `runtime targets (job ${JSON.stringify(g.job)})`));
    }
    return out;
  }

  private startPool(job: ScrapeJobConfig): void {
    const onError = this.deps.onError ?? (() => undefined);
    const providers: DiscoveryProvider[] = [];
    if (job.staticConfigs.length > 0) providers.push(new StaticDiscovery(job.staticConfigs));
    for (const f of job.fileSdConfigs) providers.push(new FileDiscovery(f, onError));
    for (const h of job.httpSdConfigs) providers.push(new HttpDiscovery(h, this.deps.userAgent, onError));
    const runtime = new RuntimeDiscovery(this.deps.runtimeTargets.groupsFor(job.jobName));
    providers.push(runtime);
    const pool = new ScrapePool(job, providers, {
      appender: this.deps.appender,
      limits: this.deps.limitsFor(job.tenant),
      userAgent: this.deps.userAgent,
      offsetSeed: this.deps.offsetSeed,
      ...(this.deps.onReport ? { onReport: this.deps.onReport } : {}),
      onError,
    });
    this.pools.set(job.jobName, { pool, runtime });
    pool.start();
  }

  /**
   * Adds static targets to a job at run time (persisted). A job of the configuration must
   * belong to the same tenant; an unknown job is created with the global defaults.
   */
  async addTargets(tenant: string, job: string, targets: readonly string[], labels: Readonly<Record<string, string>>): Promise<void> {
    if (job === '') throw new ScrapeConfigError('job must not be empty');
    if (targets.length === 0) throw new ScrapeConfigError('targets must list at least one host:port');
    const existing = this.configured.find((j) => j.jobName === job) ?? this.pools.get(job)?.pool.job;
    if (existing && existing.tenant !== tenant) throw new ScrapeTargetConflictError(`job ${JSON.stringify(job)} belongs to another tenant`);
    await this.applying;
    await this.deps.runtimeTargets.add({ tenant, job, targets, labels });
    await this.refreshRuntime(job);
  }

  /** Removes run-time targets of a job (all when `targets` is undefined); returns how many. */
  async removeTargets(tenant: string, job: string, targets: readonly string[] | undefined): Promise<number> {
    await this.applying;
    const removed = await this.deps.runtimeTargets.remove(tenant, job, targets);
    if (removed > 0) await this.refreshRuntime(job);
    return removed;
  }

  private async refreshRuntime(job: string): Promise<void> {
    const entry = this.pools.get(job);
    const stillWanted = this.configured.some((j) => j.jobName === job) || this.deps.runtimeTargets.all().some((g) => g.job === job);
    if (entry && stillWanted) {
      entry.runtime.update(this.deps.runtimeTargets.groupsFor(job));
      await entry.pool.settled();
      return;
    }
    await this.apply(this.configured, this.defaults);
    await this.pools.get(job)?.pool.settled();
  }

  /** Waits until discovery results seen so far are applied (tests, API answers). */
  async settled(): Promise<void> {
    await this.applying;
    await Promise.all([...this.pools.values()].map((e) => e.pool.settled()));
  }

  activeTargets(tenant: string | undefined): ActiveTargetView[] {
    return [...this.pools.values()].filter((e) => tenant === undefined || e.pool.job.tenant === tenant).flatMap((e) => e.pool.activeTargets());
  }

  droppedTargets(tenant: string | undefined): DroppedTargetView[] {
    return [...this.pools.values()].filter((e) => tenant === undefined || e.pool.job.tenant === tenant).flatMap((e) => [...e.pool.droppedTargets()]);
  }

  /** Jobs and their pool-level errors (target_limit). */
  jobs(tenant: string | undefined): Array<{ readonly job: string; readonly tenant: string; readonly error: string }> {
    return [...this.pools.values()].filter((e) => tenant === undefined || e.pool.job.tenant === tenant).map((e) => ({ job: e.pool.job.jobName, tenant: e.pool.job.tenant, error: e.pool.error() }));
  }

  /** Stops every pool without staleness markers (shutdown: the series did not go away). */
  async stop(): Promise<void> {
    await this.applying;
    await Promise.all([...this.pools.values()].map((e) => e.pool.stop(false)));
    this.pools.clear();
  }
}
