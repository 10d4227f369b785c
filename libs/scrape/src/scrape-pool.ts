import { fnv1a32 } from '#pharos/metric-model';
import type { DiscoveryProvider } from './discovery/provider.js';
import { acceptHeader } from './exposition/content-type.js';
import { ScrapeHttpClient } from './http-fetch.js';
import type { ScrapeJobConfig, TargetGroup } from './scrape-config.js';
import { ScrapeLoop, type ScrapeAppender, type ScrapeReport, type SeriesLimits } from './scrape-loop.js';
import { populateTarget, targetIdentity, type TargetHealth } from './target.js';

export interface ScrapePoolDeps {
  readonly appender: ScrapeAppender;
  readonly limits: SeriesLimits;
  readonly userAgent: string;
  /** Mixed into every target's offset so that two Pharos scraping the same targets don't fire together. */
  readonly offsetSeed: number;
  readonly onReport?: (report: ScrapeReport) => void;
  readonly onError?: (message: string, err?: unknown) => void;
}

/** A target as the targets API shows it. */
export interface ActiveTargetView {
  readonly discoveredLabels: Readonly<Record<string, string>>;
  readonly labels: readonly string[];
  readonly scrapePool: string;
  readonly scrapeUrl: string;
  readonly lastError: string;
  readonly lastScrapeMs: number;
  readonly lastScrapeDurationSeconds: number;
  readonly health: TargetHealth;
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

export interface DroppedTargetView {
  readonly discoveredLabels: Readonly<Record<string, string>>;
  readonly scrapePool: string;
}

interface ActiveTarget {
  readonly identity: string;
  readonly discovered: Record<string, string>;
  readonly labels: string[];
  readonly url: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly loop: ScrapeLoop;
}

/**
 * The targets of one job (Prometheus' scrape pool): merges the groups of its discovery
 * providers, turns them into targets (relabeling), and keeps one {@link ScrapeLoop} per
 * target — started when a target appears, stopped with staleness markers when it goes.
 */
export class ScrapePool {
  private readonly client: ScrapeHttpClient;
  private readonly accept: string;
  private readonly groupsByProvider = new Map<number, readonly TargetGroup[]>();
  private active = new Map<string, ActiveTarget>();
  private dropped: DroppedTargetView[] = [];
  private poolError = '';
  private syncing: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    readonly job: ScrapeJobConfig,
    private readonly providers: readonly DiscoveryProvider[],
    private readonly deps: ScrapePoolDeps,
  ) {
    this.client = new ScrapeHttpClient(job.http);
    this.accept = acceptHeader(job.scrapeProtocols);
  }

  start(): void {
    this.providers.forEach((p, i) =>
      p.start((groups) => {
        this.groupsByProvider.set(i, groups);
        this.scheduleSync();
      }),
    );
  }

  /** Resolves once every target change seen so far has been applied. */
  settled(): Promise<void> {
    return this.syncing;
  }

  private scheduleSync(): void {
    this.syncing = this.syncing.then(() => this.sync()).catch((err: unknown) => this.deps.onError?.(`scrape pool ${this.job.jobName}: sync failed`, err));
  }

  private async sync(): Promise<void> {
    if (this.stopped) return;
    const next = new Map<string, Omit<ActiveTarget, 'loop'>>();
    const dropped: DroppedTargetView[] = [];
    for (const groups of this.groupsByProvider.values()) {
      for (const group of groups) {
        for (const t of group.targets) {
          const r = populateTarget(this.job, t, group.labels);
          if (r.kind === 'dropped') dropped.push({ discoveredLabels: r.discovered, scrapePool: this.job.jobName });
          else if (r.kind === 'error') this.deps.onError?.(`scrape pool ${this.job.jobName}: target ${JSON.stringify(r.discovered['__address__'] ?? '')} in group ${group.source}: ${r.message}`);
          else {
            const identity = targetIdentity(r.labels, r.url);
            if (!next.has(identity)) next.set(identity, { identity, discovered: r.discovered, labels: r.labels, url: r.url, intervalMs: r.intervalMs, timeoutMs: r.timeoutMs });
          }
        }
      }
    }
    this.dropped = dropped;
    const limit = this.job.targetLimit;
    this.poolError = limit > 0 && next.size > limit ? `target_limit exceeded (number of targets: ${next.size}, limit: ${limit})` : '';
    const wanted = this.poolError ? new Map<string, Omit<ActiveTarget, 'loop'>>() : next;

    const stopping: Promise<void>[] = [];
    const kept = new Map<string, ActiveTarget>();
    for (const [id, t] of this.active) {
      if (wanted.has(id)) kept.set(id, t);
      else stopping.push(t.loop.stop(true));
    }
    for (const [id, t] of wanted) {
      if (kept.has(id)) continue;
      const loop = new ScrapeLoop({
        job: this.job,
        targetLabels: t.labels,
        url: t.url,
        intervalMs: t.intervalMs,
        timeoutMs: t.timeoutMs,
        client: this.client,
        appender: this.deps.appender,
        limits: this.deps.limits,
        acceptHeader: this.accept,
        userAgent: this.deps.userAgent,
        ...(this.deps.onReport ? { onReport: this.deps.onReport } : {}),
        onError: (err) => this.deps.onError?.(`scrape of ${t.url} failed unexpectedly`, err),
      });
      kept.set(id, { ...t, loop });
      loop.start(offsetFor(id, t.intervalMs, this.deps.offsetSeed, Date.now()));
    }
    this.active = kept;
    await Promise.all(stopping);
  }

  activeTargets(): ActiveTargetView[] {
    const out: ActiveTargetView[] = [];
    for (const t of this.active.values()) {
      out.push({
        discoveredLabels: t.discovered,
        labels: t.labels,
        scrapePool: this.job.jobName,
        scrapeUrl: t.url,
        lastError: t.loop.lastError,
        lastScrapeMs: t.loop.lastScrapeMs,
        lastScrapeDurationSeconds: t.loop.lastScrapeDurationSeconds,
        health: t.loop.health,
        intervalMs: t.intervalMs,
        timeoutMs: t.timeoutMs,
      });
    }
    return out;
  }

  droppedTargets(): readonly DroppedTargetView[] {
    return this.dropped;
  }

  /** Why the whole pool scrapes nothing (target_limit), or ''. */
  error(): string {
    return this.poolError;
  }

  /** Stops discovery and every loop; `markStale` writes staleness markers (the job went away). */
  async stop(markStale: boolean): Promise<void> {
    this.stopped = true;
    for (const p of this.providers) p.stop();
    await this.syncing;
    await Promise.all([...this.active.values()].map((t) => t.loop.stop(markStale)));
    this.active.clear();
    this.client.close();
  }
}

/**
 * Delay before a target's first scrape, as Prometheus' `Target.offset`: every target keeps a
 * fixed phase within the interval, taken from a hash of its identity mixed with a per-instance
 * seed, so a thousand targets spread evenly over the interval instead of firing together.
 */
export function offsetFor(identity: string, intervalMs: number, seed: number, nowMs: number): number {
  const hash = (fnv1a32(identity) ^ seed) >>> 0;
  const phase = hash % intervalMs;
  const base = intervalMs - (nowMs % intervalMs);
  let next = base + phase;
  if (next > intervalMs) next -= intervalMs;
  return next;
}
