import { seriesKey } from '#pharos/metric-model';
import { formatPromDuration, parsePromDuration } from './duration.js';
import { mapToLabels, relabel } from './relabel/relabel.js';
import type { ScrapeJobConfig } from './scrape-config.js';

export type TargetHealth = 'up' | 'down' | 'unknown';

/** What discovery and relabeling made of one discovered target. */
export type PopulateResult =
  | { readonly kind: 'active'; readonly labels: string[]; readonly discovered: Record<string, string>; readonly url: string; readonly intervalMs: number; readonly timeoutMs: number }
  | { readonly kind: 'dropped'; readonly discovered: Record<string, string> }
  | { readonly kind: 'error'; readonly discovered: Record<string, string>; readonly message: string };

/**
 * Prometheus' `PopulateLabels`: target labels over group labels, the job's scrape settings as
 * `__`-labels (so relabeling can change them), `relabel_configs`, then checks; `__meta_*`
 * labels go, `instance` defaults to the address, and labels starting with `__` are not part
 * of the series labels (the URL is built from them).
 */
export function populateTarget(job: ScrapeJobConfig, target: Readonly<Record<string, string>>, groupLabels: Readonly<Record<string, string>>): PopulateResult {
  const lb = new Map<string, string>();
  for (const [k, v] of Object.entries(target)) if (v !== '') lb.set(k, v);
  for (const [k, v] of Object.entries(groupLabels)) if (!(k in target) && v !== '') lb.set(k, v);
  const defaults: Array<[string, string]> = [
    ['job', job.jobName],
    ['__scrape_interval__', formatPromDuration(job.scrapeIntervalMs)],
    ['__scrape_timeout__', formatPromDuration(job.scrapeTimeoutMs)],
    ['__metrics_path__', job.metricsPath],
    ['__scheme__', job.scheme],
  ];
  for (const [k, v] of defaults) if (!lb.get(k)) lb.set(k, v);
  for (const [k, values] of Object.entries(job.params)) {
    const name = `__param_${k}`;
    if (values.length > 0 && !lb.get(name) && values[0] !== '') lb.set(name, values[0]!);
  }
  const discovered = Object.fromEntries(lb);
  if (!relabel(lb, job.relabelConfigs)) return { kind: 'dropped', discovered };
  const address = lb.get('__address__');
  if (!address) return { kind: 'error', discovered, message: 'no address' };
  if (address.includes('/')) return { kind: 'error', discovered, message: `${JSON.stringify(address)} is not a valid hostname` };
  const interval = parsePromDuration(lb.get('__scrape_interval__') ?? '');
  if (interval === undefined) return { kind: 'error', discovered, message: `error parsing scrape interval: not a valid duration string: ${JSON.stringify(lb.get('__scrape_interval__'))}` };
  if (interval === 0) return { kind: 'error', discovered, message: 'scrape interval cannot be 0' };
  const timeout = parsePromDuration(lb.get('__scrape_timeout__') ?? '');
  if (timeout === undefined) return { kind: 'error', discovered, message: `error parsing scrape timeout: not a valid duration string: ${JSON.stringify(lb.get('__scrape_timeout__'))}` };
  if (timeout === 0) return { kind: 'error', discovered, message: 'scrape timeout cannot be 0' };
  if (timeout > interval) {
    return { kind: 'error', discovered, message: `scrape timeout cannot be greater than scrape interval (${JSON.stringify(lb.get('__scrape_timeout__'))} > ${JSON.stringify(lb.get('__scrape_interval__'))})` };
  }
  for (const k of [...lb.keys()]) if (k.startsWith('__meta_')) lb.delete(k);
  if (!lb.get('instance')) lb.set('instance', address);

  const scheme = lb.get('__scheme__') ?? job.scheme;
  const path = lb.get('__metrics_path__') ?? job.metricsPath;
  const query = new URLSearchParams();
  for (const [k, values] of Object.entries(job.params)) for (const v of values) query.append(k, v);
  for (const [k, v] of lb) {
    if (!k.startsWith('__param_')) continue;
    const name = k.slice('__param_'.length);
    query.delete(name);
    query.set(name, v);
  }
  const qs = query.toString();
  const url = `${scheme}://${address}${path.startsWith('/') ? '' : '/'}${path}${qs ? `?${qs}` : ''}`;
  const visible = new Map<string, string>();
  for (const [k, v] of lb) if (!k.startsWith('__')) visible.set(k, v);
  return { kind: 'active', labels: mapToLabels(visible), discovered, url, intervalMs: interval, timeoutMs: timeout };
}

/** Identity of a target within its job: its labels and URL, as Prometheus' `Target.hash`. */
export function targetIdentity(labels: readonly string[], url: string): string {
  return seriesKey(labels) + '\u0002' + url;
}
