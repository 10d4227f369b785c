import { describe, expect, it } from 'vitest';
import { formatPromDuration, parsePromDuration } from './duration.js';
import { acceptHeader } from './exposition/content-type.js';
import { parseScrapeConfigs, parseScrapeJob } from './scrape-config.js';
import { offsetFor } from './scrape-pool.js';
import { populateTarget } from './target.js';
import { goTime } from './targets-api.js';

const defaults = { scrapeIntervalMs: 60_000, scrapeTimeoutMs: 10_000 };

describe('targets from discovery (PopulateLabels)', () => {
  it('builds labels and URL from the job, params and relabeling', () => {
    const job = parseScrapeJob(
      {
        job_name: 'blackbox',
        metrics_path: '/probe',
        params: { module: ['http_2xx'] },
        scrape_interval: '30s',
        relabel_configs: [
          { source_labels: ['__address__'], target_label: '__param_target' },
          { source_labels: ['__param_target'], target_label: 'instance' },
          { target_label: '__address__', replacement: 'exporter:9115' },
        ],
      },
      defaults,
      'test',
    );
    const t = populateTarget(job, { __address__: 'example.org', __meta_x: 'm' }, { env: 'prod' });
    expect(t).toMatchObject({
      kind: 'active',
      labels: ['env', 'prod', 'instance', 'example.org', 'job', 'blackbox'],
      url: 'http://exporter:9115/probe?module=http_2xx&target=example.org',
      intervalMs: 30_000,
      timeoutMs: 10_000,
    });
    expect(t.discovered).toMatchObject({ __address__: 'example.org', __meta_x: 'm', __scrape_interval__: '30s', __scrape_timeout__: '10s', __param_module: 'http_2xx' });
  });

  it('drops, errs and honours per-target interval overrides', () => {
    const job = parseScrapeJob({ job_name: 'j', relabel_configs: [{ source_labels: ['drop'], regex: 'yes', action: 'drop' }] }, defaults, 'test');
    expect(populateTarget(job, { __address__: 'a:1', drop: 'yes' }, {}).kind).toBe('dropped');
    expect(populateTarget(job, { __address__: 'a:1', __scrape_timeout__: '2m' }, {})).toMatchObject({ kind: 'error', message: /scrape timeout cannot be greater than scrape interval/ });
    expect(populateTarget(job, { __address__: 'a:1', __scrape_interval__: '5m', __scrape_timeout__: '1m' }, {})).toMatchObject({ kind: 'active', intervalMs: 300_000, timeoutMs: 60_000 });
  });

  it('validates scrape_configs with Prometheus\' defaults and messages', () => {
    const [job] = parseScrapeConfigs([{ job_name: 'x', scrape_interval: '5s' }], defaults, 'f.yaml');
    expect(job).toMatchObject({ tenant: 'default', scrapeIntervalMs: 5000, scrapeTimeoutMs: 5000, metricsPath: '/metrics', scheme: 'http', honorTimestamps: true, honorLabels: false });
    expect(() => parseScrapeConfigs([{ job_name: 'x' }, { job_name: 'x' }], defaults, 'f.yaml')).toThrow(/multiple scrape configs with job name "x"/);
    expect(() => parseScrapeConfigs([{ job_name: 'x', scrape_timeout: '2m' }], defaults, 'f.yaml')).toThrow(/scrape timeout greater than scrape interval/);
    expect(() => parseScrapeConfigs([{ job_name: 'x', scrape_intervall: '1m' }], defaults, 'f.yaml')).toThrow(/unknown key "scrape_intervall"/);
    expect(() => parseScrapeConfigs([{ job_name: 'x', tenant: 'a b' }], defaults, 'f.yaml')).toThrow(/tenant id must match/);
    expect(() => parseScrapeConfigs([{ job_name: 'x', static_configs: [{ targets: ['http://a:1/x'] }] }], defaults, 'f.yaml')).toThrow(/not a valid hostname/);
    expect(() => parseScrapeConfigs([{ job_name: 'x', basic_auth: { username: 'u' }, authorization: { credentials: 'c' } }], defaults, 'f.yaml')).toThrow(/at most one of basic_auth and authorization/);
    expect(() => parseScrapeConfigs([{ job_name: 'x', proxy_url: 'http://p' }], defaults, 'f.yaml')).toThrow(/not supported by Pharos/);
  });

  it('spreads targets over the interval by a seeded hash', () => {
    const now = 1_000_000;
    const offsets = Array.from({ length: 1000 }, (_, i) => offsetFor(`target-${i}`, 15_000, 7, now));
    expect(Math.min(...offsets)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...offsets)).toBeLessThanOrEqual(15_000);
    // Evenly spread: every 1.5 s slice of the interval gets between 5 % and 15 % of the targets.
    const buckets = new Array(10).fill(0);
    for (const o of offsets) buckets[Math.min(9, Math.floor(o / 1500))]++;
    for (const b of buckets) expect(b).toBeGreaterThan(50), expect(b).toBeLessThan(150);
    // Same target, other seed: another phase.
    expect(offsetFor('target-1', 15_000, 8, now)).not.toBe(offsetFor('target-1', 15_000, 7, now));
  });

  it('formats durations, times and Accept as Prometheus', () => {
    expect(formatPromDuration(90_000)).toBe('1m30s');
    expect(formatPromDuration(86_400_000 * 14)).toBe('2w');
    expect(formatPromDuration(86_400_000 * 8)).toBe('8d');
    expect(formatPromDuration(1500)).toBe('1s500ms');
    expect(parsePromDuration('1h30m')).toBe(5_400_000);
    expect(parsePromDuration('30m1h')).toBeUndefined();
    expect(goTime(0)).toBe('0001-01-01T00:00:00Z');
    expect(goTime(Date.UTC(2024, 0, 2, 3, 4, 5, 120))).toBe('2024-01-02T03:04:05.12Z');
    expect(goTime(Date.UTC(2024, 0, 2, 3, 4, 5, 0))).toBe('2024-01-02T03:04:05Z');
    expect(acceptHeader(['PrometheusText0.0.4'])).toBe('text/plain;version=0.0.4;q=0.7,*/*;q=0.6');
  });
});
