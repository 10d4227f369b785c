import { Counter, Gauge } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { isStaleNaN, labelsToRecord, type MetricBatch } from '#pharos/metric-model';
import { SelfMetrics } from '#pharos/telemetry';
import { SelfMonitor, SelfScraper, selfMonitoringLabels } from '#pharos/self-monitoring';

function setup() {
  const metrics = new SelfMetrics('test');
  const written: MetricBatch[] = [];
  let refuse = false;
  const scraper = new SelfScraper({
    tenant: 'ops',
    targetLabels: { job: 'pharos', instance: 'host-a:9900' },
    collect: () => metrics.collect(),
    write: async (batch) => {
      if (refuse) throw new Error('backpressured');
      written.push(batch);
    },
  });
  return { metrics, written, scraper, refuse: (on: boolean) => (refuse = on) };
}

/** name{labels} → value of every series in a batch. */
function samples(batch: MetricBatch): Map<string, { labels: Record<string, string>; value: number }> {
  const out = new Map<string, { labels: Record<string, string>; value: number }>();
  batch.series.forEach((labels, i) => {
    const rec = labelsToRecord(labels);
    const { __name__: name, ...rest } = rec;
    const key = `${name}${JSON.stringify(Object.fromEntries(Object.entries(rest).sort()))}`;
    out.set(key, { labels: rec, value: batch.values[batch.sampleOffsets[i]!]! });
  });
  return out;
}

describe('SelfScraper', () => {
  it('writes the registry as /metrics shows it: counters, classic histograms, target labels, one timestamp', async () => {
    const { metrics, written, scraper } = setup();
    metrics.ingestedSamples.inc({ tenant: 'default', protocol: 'otlp' }, 42);
    metrics.streamProduceDuration.observe(0.003);
    metrics.streamProduceDuration.observe(0.2);
    const result = await scraper.collectOnce(1_700_000_000_000);
    expect(written).toHaveLength(1);
    const batch = written[0]!;
    expect(batch.tenant).toBe('ops');
    expect(result.samples).toBe(batch.series.length);
    expect([...batch.timestamps.subarray(0, result.samples)].every((t) => t === 1_700_000_000_000)).toBe(true);
    const s = samples(batch);
    expect(s.get('pharos_ingest_samples_total{"instance":"host-a:9900","job":"pharos","protocol":"otlp","tenant":"default"}')?.value).toBe(42);
    expect(s.get('pharos_stream_produce_duration_seconds_bucket{"instance":"host-a:9900","job":"pharos","le":"0.005"}')?.value).toBe(1);
    expect(s.get('pharos_stream_produce_duration_seconds_bucket{"instance":"host-a:9900","job":"pharos","le":"+Inf"}')?.value).toBe(2);
    expect(s.get('pharos_stream_produce_duration_seconds_count{"instance":"host-a:9900","job":"pharos"}')?.value).toBe(2);
    expect(s.get('pharos_stream_produce_duration_seconds_sum{"instance":"host-a:9900","job":"pharos"}')?.value).toBeCloseTo(0.203);
    // Process metrics of prom-client's default collectors are there too (CPU, RSS).
    expect([...s.keys()].some((k) => k.startsWith('pharos_process_cpu_seconds_total{'))).toBe(true);
    expect([...s.keys()].some((k) => k.startsWith('pharos_process_resident_memory_bytes{'))).toBe(true);
    // Every series name in the exposition is written, no more and no fewer.
    const exposed = (await metrics.registry.metrics()).split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
    expect(batch.series.length).toBe(exposed);
    const types = new Map(batch.metadata.map((m) => [m.metricFamilyName, m.type]));
    expect(types.get('pharos_ingest_samples_total')).toBe('counter');
    expect(types.get('pharos_stream_produce_duration_seconds')).toBe('histogram');
    expect(types.get('pharos_store_series')).toBe('gauge');
  });

  it('keeps a series label that clashes with a target label as exported_<name>', async () => {
    const { metrics, written, scraper } = setup();
    const scrapes = new Counter({ name: 'pharos_scrape_scrapes_total', help: 'x', labelNames: ['job', 'result'], registers: [metrics.registry] });
    scrapes.inc({ job: 'node', result: 'success' }, 3);
    await scraper.collectOnce(1000);
    const s = samples(written[0]!);
    expect(s.get('pharos_scrape_scrapes_total{"exported_job":"node","instance":"host-a:9900","job":"pharos","result":"success"}')?.value).toBe(3);
  });

  it('reuses the same label arrays each collection and marks vanished series stale', async () => {
    const { metrics, written, scraper } = setup();
    const targets = new Gauge({ name: 'pharos_scrape_targets', help: 'x', labelNames: ['job', 'state'], registers: [metrics.registry] });
    targets.set({ job: 'a', state: 'active' }, 2);
    targets.set({ job: 'b', state: 'active' }, 1);
    await scraper.collectOnce(1000);
    targets.reset();
    targets.set({ job: 'a', state: 'active' }, 2);
    const second = await scraper.collectOnce(2000);
    expect(second.staleMarkers).toBe(1);
    const [first, next] = written as [MetricBatch, MetricBatch];
    const find = (b: MetricBatch, job: string) =>
      b.series.findIndex((l) => l.includes('pharos_scrape_targets') && labelsToRecord(l)['exported_job'] === job);
    // Identity, not equality: the ingestor recognises series by their Labels object.
    expect(next.series[find(next, 'a')]).toBe(first.series[find(first, 'a')]);
    const staleIndex = next.series.lastIndexOf(first.series[find(first, 'b')]!);
    expect(staleIndex).toBeGreaterThan(-1);
    expect(isStaleNaN(next.values[next.sampleOffsets[staleIndex]!]!)).toBe(true);
    // Metadata went with the first write only.
    expect(first.metadata.length).toBeGreaterThan(10);
    expect(next.metadata).toEqual([]);
  });

  it('sends metadata again after a refused write, and marks everything stale on stop', async () => {
    const { written, scraper, refuse } = setup();
    refuse(true);
    await expect(scraper.collectOnce(1000)).rejects.toThrow('backpressured');
    refuse(false);
    await scraper.collectOnce(2000);
    expect(written[0]!.metadata.length).toBeGreaterThan(10);
    const n = await scraper.markStale(2500);
    expect(n).toBe(written[0]!.series.length);
    const last = written[1]!;
    expect(last.series.length).toBe(n);
    expect([...last.values].slice(0, n).every((v) => isStaleNaN(v))).toBe(true);
  });
});

describe('SelfMonitor', () => {
  it('collects on interval slots and reports refused writes without stopping', async () => {
    const metrics = new SelfMetrics('test');
    const stamps: number[] = [];
    const errors: unknown[] = [];
    let calls = 0;
    const monitor = new SelfMonitor({
      tenant: 't',
      targetLabels: { job: 'pharos' },
      intervalMs: 40,
      collect: () => metrics.collect(),
      write: async (b) => {
        calls++;
        if (calls === 2) throw new Error('refused');
        stamps.push(b.timestamps[0]!);
      },
      onError: (err) => errors.push(err),
    });
    monitor.start();
    const deadline = Date.now() + 10_000;
    while (stamps.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await monitor.stop();
    expect(errors).toHaveLength(1);
    const slots = stamps.slice(0, -1);
    expect(slots.length).toBeGreaterThanOrEqual(3);
    for (const t of slots) expect(t % 40).toBe(0);
  });

  it('refuses a non-positive interval', () => {
    expect(() => new SelfMonitor({ tenant: 't', targetLabels: {}, intervalMs: 0, collect: async () => '', write: async () => undefined, onError: () => undefined })).toThrow(
      /interval must be positive/,
    );
  });
});

describe('selfMonitoringLabels', () => {
  it('adds role only for a process running some roles', () => {
    expect(selfMonitoringLabels('web-1', 9900, ['collector', 'processor'], true)).toEqual({ job: 'pharos', instance: 'web-1:9900' });
    expect(selfMonitoringLabels('web-1', 9900, ['processor', 'query-api'], false)).toEqual({ job: 'pharos', instance: 'web-1:9900', role: 'processor,query-api' });
    expect(selfMonitoringLabels('::1', 9900, [], true).instance).toBe('[::1]:9900');
  });
});
