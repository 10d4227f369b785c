import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isStaleNaN } from '#pharos/metric-model';
import { DuckDBMetricStore } from '#pharos/storage';
import { removeDir, startPharos, tempDir, type PharosProcess } from './support/pharos-process.js';
import { prometheusRawSamples, startPrometheus, type PrometheusProcess } from './support/prometheus-process.js';

/**
 * Real Prometheus (Debian's 2.42, remote-write 1.0) scrapes itself and Pharos every second and
 * remote-writes everything to Pharos. Every sample Prometheus stored must be in Pharos' store
 * with the same value: compared series by series, sample by sample.
 */
describe('Prometheus remote_write into Pharos', () => {
  let pharos: PharosProcess | undefined;
  let prometheus: PrometheusProcess | undefined;
  const dir = tempDir('prom-e2e');
  afterAll(async () => {
    await prometheus?.stop();
    await pharos?.stop();
    removeDir(dir);
  });

  it('stores every sample Prometheus scraped', async () => {
    pharos = await startPharos({ dataDir: join(dir, 'pharos') });
    const pharosPort = pharos.port;
    prometheus = await startPrometheus(
      (selfPort) => `
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: prometheus
    static_configs: [{ targets: ['127.0.0.1:${selfPort}'] }]
  - job_name: pharos
    static_configs: [{ targets: ['127.0.0.1:${pharosPort}'] }]
remote_write:
  - url: http://127.0.0.1:${pharosPort}/api/v1/write
    queue_config: { batch_send_deadline: 500ms, max_samples_per_send: 500, min_backoff: 50ms }
    metadata_config: { send: true, send_interval: 2s }
`,
    );

    // Prometheus starts each scrape loop at a per-target offset within the interval: wait until
    // both targets have been scraped several times.
    const waitUntil = Date.now() + 60_000;
    let cutSeconds = 0;
    for (;;) {
      cutSeconds = Math.floor(Date.now() / 1000) - 1;
      const up = await prometheusRawSamples(prometheus.url, cutSeconds, 600, 'up');
      if ([...up.values()].filter((samples) => samples.size >= 6).length === 2) break;
      if (Date.now() > waitUntil) throw new Error(`prometheus did not scrape both targets:\n${prometheus.output()}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const expected = await prometheusRawSamples(prometheus.url, cutSeconds, 600);
    // Let remote_write deliver what was scraped before the cut, then stop both gracefully:
    // Prometheus flushes its queue, Pharos drains and flushes its store.
    await new Promise((r) => setTimeout(r, 4000));
    await prometheus.stop();
    prometheus = undefined;
    expect(await pharos.stop()).toBe(0);
    pharos = undefined;

    let expectedSamples = 0;
    for (const samples of expected.values()) expectedSamples += samples.size;
    expect(expected.size).toBeGreaterThan(200);
    expect(expectedSamples).toBeGreaterThan(1000);

    const store = await DuckDBMetricStore.open({ dir: join(dir, 'pharos', 'metrics') });
    try {
      const actual = new Map<string, Map<number, number>>();
      for await (const s of store.select({ tenant: 'default', matchers: [{ name: '__name__', type: '=~', value: '.+' }], start: 0, end: cutSeconds * 1000 })) {
        const pairs: [string, string][] = [];
        for (let i = 0; i < s.labels.length; i += 2) pairs.push([s.labels[i]!, s.labels[i + 1]!]);
        const samples = new Map<number, number>();
        for (let i = 0; i < s.timestamps.length; i++) if (!isStaleNaN(s.values[i]!)) samples.set(s.timestamps[i]!, s.values[i]!);
        actual.set(JSON.stringify(pairs), samples);
      }
      const missing: string[] = [];
      const different: string[] = [];
      for (const [key, samples] of expected) {
        const got = actual.get(key);
        if (!got) {
          missing.push(key);
          continue;
        }
        for (const [ts, v] of samples) {
          const g = got.get(ts);
          if (g === undefined) missing.push(`${key}@${ts}`);
          else if (!(g === v || (Number.isNaN(g) && Number.isNaN(v)))) different.push(`${key}@${ts}: ${g} != ${v}`);
        }
      }
      expect(missing.slice(0, 10)).toEqual([]);
      expect(different.slice(0, 10)).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
