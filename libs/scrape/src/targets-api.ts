import { hostname } from 'node:os';
import { formatPromDuration } from './duration.js';
import type { ScrapeScheduler } from './scrape-scheduler.js';

/** The `state` parameter: '' or `any` (both lists), `active`, `dropped`; anything else selects neither, as in Prometheus. */
export type TargetState = string;

/** Prometheus' `/api/v1/targets` data object (web/api/v1/api.go `TargetDiscovery`). */
export interface TargetDiscoveryJson {
  activeTargets?: ActiveTargetJson[];
  droppedTargets?: DroppedTargetJson[];
  droppedTargetCounts?: Record<string, number> | null;
}

export interface ActiveTargetJson {
  discoveredLabels: Record<string, string>;
  labels: Record<string, string>;
  scrapePool: string;
  scrapeUrl: string;
  globalUrl: string;
  lastError: string;
  lastScrape: string;
  lastScrapeDuration: number;
  health: string;
  scrapeInterval: string;
  scrapeTimeout: string;
}

export interface DroppedTargetJson {
  discoveredLabels: Record<string, string>;
  scrapePool: string;
}

/**
 * Builds the targets API answer for a tenant (undefined: all tenants) as Prometheus' api.go
 * does: `state` selects the active list, the dropped list or both (an unselected list is
 * empty, and `droppedTargetCounts` null when dropped targets are not shown); `scrapePool`
 * narrows the lists (not the counts) to one job.
 */
export function targetsResponse(scheduler: ScrapeScheduler, tenant: string | undefined, state: TargetState, scrapePool: string | undefined): TargetDiscoveryJson {
  const out: TargetDiscoveryJson = {};
  const st = state.toLowerCase();
  const showActive = st === '' || st === 'any' || st === 'active';
  const showDropped = st === '' || st === 'any' || st === 'dropped';
  const inPool = (p: string) => scrapePool === undefined || scrapePool === '' || p === scrapePool;
  const host = hostname();
  if (showActive) {
    out.activeTargets = scheduler
      .activeTargets(tenant)
      .filter((t) => inPool(t.scrapePool))
      .map((t) => ({
        discoveredLabels: { ...t.discoveredLabels },
        labels: record(t.labels),
        scrapePool: t.scrapePool,
        scrapeUrl: t.scrapeUrl,
        globalUrl: globalUrl(t.scrapeUrl, host),
        lastError: t.lastError,
        lastScrape: goTime(t.lastScrapeMs),
        lastScrapeDuration: t.lastScrapeDurationSeconds,
        health: t.health,
        scrapeInterval: formatPromDuration(t.intervalMs),
        scrapeTimeout: formatPromDuration(t.timeoutMs),
      }))
      .sort((a, b) => (a.scrapePool === b.scrapePool ? a.scrapeUrl.localeCompare(b.scrapeUrl) : a.scrapePool.localeCompare(b.scrapePool)));
  } else {
    out.activeTargets = [];
  }
  if (showDropped) {
    const dropped = scheduler.droppedTargets(tenant);
    out.droppedTargets = dropped.filter((t) => inPool(t.scrapePool)).map((t) => ({ discoveredLabels: { ...t.discoveredLabels }, scrapePool: t.scrapePool }));
    const counts: Record<string, number> = {};
    for (const j of scheduler.jobs(tenant)) counts[j.job] = 0;
    for (const t of dropped) counts[t.scrapePool] = (counts[t.scrapePool] ?? 0) + 1;
    out.droppedTargetCounts = counts;
  } else {
    out.droppedTargets = [];
    out.droppedTargetCounts = null;
  }
  return out;
}

function record(flat: readonly string[]): Record<string, string> {
  const r: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) r[flat[i]!] = flat[i + 1]!;
  return r;
}

/** Prometheus reports the scrape URL with a loopback host replaced by the machine's name. */
function globalUrl(url: string, host: string): string {
  const u = new URL(url);
  if (u.hostname === 'localhost' || u.hostname === '127.0.0.1' || u.hostname === '[::1]') u.hostname = host;
  return u.toString();
}

/** Go's JSON encoding of a time.Time (RFC 3339, fraction without trailing zeros); the zero time when never set. */
export function goTime(ms: number): string {
  if (ms === 0) return '0001-01-01T00:00:00Z';
  const iso = new Date(ms).toISOString();
  return iso.replace(/\.(\d*?)0*Z$/, (_m, frac: string) => (frac ? `.${frac}Z` : 'Z'));
}
