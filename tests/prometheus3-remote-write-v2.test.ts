import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStaleNaN, type NativeHistogram } from '#pharos/metric-model';
import { DuckDBMetricStore } from '#pharos/storage';
import { removeDir, startPharos, tempDir, type PharosProcess } from './support/pharos-process.js';
import { startPrometheus, type PrometheusProcess } from './support/prometheus-process.js';
import {
  apiShape,
  histogramDifference,
  prometheus3Binary,
  prometheusRawSeries,
  scrapeSums,
  startRecordingProxy,
  type Prometheus3Binary,
  type RecordingProxy,
  type StaticTarget,
  startStaticTarget,
} from './support/prometheus3.js';

const V2_CONTENT_TYPE = 'application/x-protobuf;proto=io.prometheus.write.v2.Request';

/**
 * Real Prometheus 3.x (built from source by scripts/engines/prometheus3.sh and cached) scrapes
 * itself and Pharos every second and remote-writes everything to Pharos with Remote-Write 2.0
 * (`protobuf_message: io.prometheus.write.v2.Request`). Prometheus' own /metrics is scraped in
 * the protobuf format with native histograms on, so exponential native histograms flow; Pharos'
 * classic histograms are converted to custom-bucket native histograms (NHCB, schema -53). A
 * proxy in front of Pharos records each request's Content-Type and Pharos' 2.0 "written"
 * response headers. A third, static target exposes OpenMetrics with exemplars (stored by
 * Prometheus with exemplar-storage and sent as 2.0 exemplars), UTF-8 metric and label names
 * and special float values. Every float and histogram sample Prometheus stored must be in
 * Pharos' store, equal, and nothing else.
 */
describe('Prometheus 3.x remote_write 2.0 into Pharos', () => {
  let binary: Prometheus3Binary;
  let pharos: PharosProcess | undefined;
  let prometheus: PrometheusProcess | undefined;
  let proxy: RecordingProxy | undefined;
  let target: StaticTarget | undefined;
  const dir = tempDir('prom3-e2e');

  beforeAll(async () => {
    // A first build compiles Prometheus from source: minutes on two shared cores. Cached after.
    binary = await prometheus3Binary();
  }, 30 * 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    await pharos?.stop();
    await proxy?.close();
    await target?.close();
    removeDir(dir);
  });

  it('stores every float and native histogram sample Prometheus scraped, received as remote write 2.0', async () => {
    expect(binary.major).toBe(3);
    pharos = await startPharos({ dataDir: join(dir, 'pharos') });
    const pharosPort = pharos.port;
    proxy = await startRecordingProxy(pharos.url);
    target = await startStaticTarget();
    const targetPort = target.port;
    const writeUrl = `${proxy.url}/api/v1/write`;
    // Prometheus >= 3.8 turns native-histogram scraping on per config (the feature flag became a
    // no-op); older 3.x need the flag. Only 3.16 (the script's first choice) has been run here;
    // the branches for older 3.x are for the script's fallback versions.
    const perConfig = binary.minor >= 8;
    const nhcb = binary.minor >= 4;
    prometheus = await startPrometheus(
      (selfPort) => `
global:
  scrape_interval: 1s
${perConfig ? '  scrape_native_histograms: true\n' : ''}scrape_configs:
  - job_name: prometheus
    scrape_protocols: [PrometheusProto, OpenMetricsText1.0.0, PrometheusText0.0.4]
    static_configs: [{ targets: ['127.0.0.1:${selfPort}'] }]
  - job_name: pharos
${nhcb ? '    convert_classic_histograms_to_nhcb: true\n' : ''}    static_configs: [{ targets: ['127.0.0.1:${pharosPort}'] }]
  - job_name: static
    static_configs: [{ targets: ['127.0.0.1:${targetPort}'] }]
remote_write:
  - url: ${writeUrl}
    protobuf_message: io.prometheus.write.v2.Request
    send_native_histograms: true
    send_exemplars: true
    queue_config: { batch_send_deadline: 500ms, max_samples_per_send: 500, min_backoff: 50ms }
`,
      ['--enable-feature=exemplar-storage', ...(perConfig ? [] : ['--enable-feature=native-histograms'])],
      binary.path,
    );

    // Wait until all three targets were scraped several times and native histograms are stored.
    const waitUntil = Date.now() + 90_000;
    let cutSeconds = 0;
    for (;;) {
      // Two seconds back: a sample is stamped when its scrape starts and appended when it ends.
      cutSeconds = Math.floor(Date.now() / 1000) - 2;
      const up = await prometheusRawSeries(prometheus.url, cutSeconds, 600, 'up');
      const nh = await prometheusRawSeries(prometheus.url, cutSeconds, 600, '{__name__=~"prometheus_http_request_duration_seconds|pharos_http_request_duration_seconds"}');
      const histogramSeries = [...nh.values()].filter((s) => s.histograms.size >= 3).length;
      // Up now (the last scrape succeeded) and scraped several times.
      const upOk = [...up.values()].filter((s) => s.floats.size >= 6 && [...s.floats.entries()].sort(([a], [b]) => a - b).at(-1)![1] === 1).length;
      if (upOk === 3 && histogramSeries >= 2) break;
      if (Date.now() > waitUntil) {
        const targets = await (await fetch(`${prometheus.url}/api/v1/targets`)).text();
        throw new Error(`prometheus did not scrape all three targets with native histograms:\n${targets}\n${prometheus.output()}`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    const expected = await prometheusRawSeries(prometheus.url, cutSeconds, 600);
    // Let remote_write deliver what was scraped before the cut.
    await new Promise((r) => setTimeout(r, 4000));

    // Prometheus' side: it sent floats and histograms and counted nothing as failed; a 2.0
    // sender counts as failed whatever the receiver's X-Prometheus-Remote-Write-*-Written
    // headers do not confirm, so zero failures means Pharos confirmed every sample.
    const sent = await scrapeSums(prometheus.url, [
      'prometheus_remote_storage_samples_total',
      'prometheus_remote_storage_histograms_total',
      'prometheus_remote_storage_exemplars_total',
      'prometheus_remote_storage_samples_failed_total',
      'prometheus_remote_storage_histograms_failed_total',
      'prometheus_remote_storage_exemplars_failed_total',
      'prometheus_remote_storage_samples_dropped_total',
      'prometheus_remote_storage_histograms_dropped_total',
    ]);
    // Stop both gracefully: Prometheus flushes its queue, Pharos drains and flushes its store.
    await prometheus.stop();
    prometheus = undefined;
    // Pharos' side, from its own /metrics, once nothing more can arrive.
    const ingested = await scrapeSums(
      pharos.url,
      [
        'pharos_ingest_samples_total',
        'pharos_ingest_histograms_total',
        'pharos_ingest_exemplars_total',
        'pharos_ingest_rejected_samples_total',
        'pharos_ingest_rejected_requests_total',
      ],
      'prometheus_remote_write',
    );
    expect(await pharos.stop()).toBe(0);
    pharos = undefined;
    await proxy.close();

    expect(sent.prometheus_remote_storage_samples_total).toBeGreaterThan(1000);
    expect(sent.prometheus_remote_storage_histograms_total).toBeGreaterThan(10);
    expect(sent.prometheus_remote_storage_exemplars_total).toBeGreaterThan(3);
    expect({
      samplesFailed: sent.prometheus_remote_storage_samples_failed_total,
      histogramsFailed: sent.prometheus_remote_storage_histograms_failed_total,
      exemplarsFailed: sent.prometheus_remote_storage_exemplars_failed_total,
      samplesDropped: sent.prometheus_remote_storage_samples_dropped_total,
      histogramsDropped: sent.prometheus_remote_storage_histograms_dropped_total,
    }).toEqual({ samplesFailed: 0, histogramsFailed: 0, exemplarsFailed: 0, samplesDropped: 0, histogramsDropped: 0 });
    expect(ingested.pharos_ingest_samples_total).toBeGreaterThanOrEqual(sent.prometheus_remote_storage_samples_total!);
    expect(ingested.pharos_ingest_histograms_total).toBeGreaterThanOrEqual(sent.prometheus_remote_storage_histograms_total!);
    expect(ingested.pharos_ingest_exemplars_total).toBeGreaterThanOrEqual(sent.prometheus_remote_storage_exemplars_total!);
    expect(ingested.pharos_ingest_rejected_samples_total).toBe(0);
    expect(ingested.pharos_ingest_rejected_requests_total).toBe(0);

    // The wire: every request was 2.0 and every answer a 2.0 success with the written counts.
    const requests = proxy.requests;
    expect(requests.length).toBeGreaterThan(5);
    expect(requests.filter((r) => r.contentType !== V2_CONTENT_TYPE).map((r) => r.contentType)).toEqual([]);
    expect(requests.filter((r) => !r.remoteWriteVersion?.startsWith('2.0')).map((r) => r.remoteWriteVersion)).toEqual([]);
    expect(requests.filter((r) => r.contentEncoding !== 'snappy').map((r) => r.contentEncoding)).toEqual([]);
    expect(requests.filter((r) => r.status !== 204).map((r) => `${r.status}: ${r.error}`)).toEqual([]);
    expect(requests.filter((r) => r.samplesWritten === undefined || r.histogramsWritten === undefined || r.exemplarsWritten === undefined)).toEqual([]);
    // What Pharos' headers confirmed is exactly what it counted as ingested.
    expect(requests.reduce((n, r) => n + r.samplesWritten!, 0)).toBe(ingested.pharos_ingest_samples_total);
    expect(requests.reduce((n, r) => n + r.histogramsWritten!, 0)).toBe(ingested.pharos_ingest_histograms_total);
    expect(requests.reduce((n, r) => n + r.exemplarsWritten!, 0)).toBe(ingested.pharos_ingest_exemplars_total);

    let expectedFloats = 0;
    let expectedHistograms = 0;
    const nhcbSeries = new Set<string>();
    for (const [key, s] of expected) {
      expectedFloats += s.floats.size;
      expectedHistograms += s.histograms.size;
      if (key.includes('"pharos_http_request_duration_seconds"') && s.histograms.size > 0) nhcbSeries.add(key);
    }
    expect(expected.size).toBeGreaterThan(200);
    expect(expectedFloats).toBeGreaterThan(1000);
    expect(expectedHistograms).toBeGreaterThan(10);
    if (nhcb) expect(nhcbSeries.size).toBeGreaterThan(0);
    // The static target's special values and UTF-8 names made it into Prometheus.
    for (const kind of ['nan', 'inf', 'neginf', 'tiny', 'big', 'negzero']) {
      expect([...expected.keys()].some((k) => k.includes('"pharos_test_special"') && k.includes(`"${kind}"`)), kind).toBe(true);
    }
    expect([...expected.keys()].some((k) => k.includes('"pharos.test.utf8"'))).toBe(true);

    const store = await DuckDBMetricStore.open({ dir: join(dir, 'pharos', 'metrics') });
    try {
      const actual = new Map<string, { floats: Map<number, number>; histograms: Map<number, NativeHistogram> }>();
      for await (const s of store.select({ tenant: 'default', matchers: [{ name: '__name__', type: '=~', value: '.+' }], start: 0, end: cutSeconds * 1000 })) {
        const pairs: [string, string][] = [];
        for (let i = 0; i < s.labels.length; i += 2) pairs.push([s.labels[i]!, s.labels[i + 1]!]);
        const floats = new Map<number, number>();
        for (let i = 0; i < s.timestamps.length; i++) if (!isStaleNaN(s.values[i]!)) floats.set(s.timestamps[i]!, s.values[i]!);
        const histograms = new Map<number, NativeHistogram>();
        for (let i = 0; i < s.histogramTimestamps.length; i++) histograms.set(s.histogramTimestamps[i]!, s.histograms[i]!);
        actual.set(JSON.stringify(pairs), { floats, histograms });
      }
      const missing: string[] = [];
      const different: string[] = [];
      let histogramsCompared = 0;
      let customBucketHistograms = 0;
      for (const [key, want] of expected) {
        const got = actual.get(key);
        if (!got) {
          missing.push(key);
          continue;
        }
        for (const [ts, v] of want.floats) {
          const g = got.floats.get(ts);
          if (g === undefined) missing.push(`${key}@${ts}`);
          else if (!(g === v || (Number.isNaN(g) && Number.isNaN(v)))) different.push(`${key}@${ts}: ${g} != ${v}`);
        }
        for (const [ts, h] of want.histograms) {
          const g = got.histograms.get(ts);
          if (g === undefined) {
            missing.push(`${key}@${ts} (histogram)`);
            continue;
          }
          const why = histogramDifference(apiShape(g), h);
          if (why) different.push(`${key}@${ts} (histogram, schema ${g.schema}): ${why}`);
          histogramsCompared++;
          if (g.schema === -53) customBucketHistograms++;
        }
      }
      // And nothing Prometheus does not have (stale markers aside: its API hides them).
      const extra: string[] = [];
      for (const [key, got] of actual) {
        const want = expected.get(key);
        for (const ts of got.floats.keys()) if (!want?.floats.has(ts)) extra.push(`${key}@${ts}`);
        for (const ts of got.histograms.keys()) if (!want?.histograms.has(ts)) extra.push(`${key}@${ts} (histogram)`);
      }
      expect(missing.slice(0, 10)).toEqual([]);
      expect(different.slice(0, 10)).toEqual([]);
      expect(extra.slice(0, 10)).toEqual([]);
      expect(histogramsCompared).toBe(expectedHistograms);
      if (nhcb) expect(customBucketHistograms).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  });
});
