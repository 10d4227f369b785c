import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '#pharos/config';
import { MetricIngestor, REDEFINE_AFTER_MS, SeriesDefinitions, prepareBatch, withReceipt } from '#pharos/ingest';
import {
  METRICS_TOPIC,
  MetricBatchBuilder,
  encodeMetricBatch,
  labelsFromRecord,
  seriesRefsOf,
  type Labels,
  type MetricBatch,
} from '#pharos/metric-model';
import { MessageChannel } from 'node:worker_threads';
import { MetricsProcessor, appendRecords } from '#pharos/processor';
import { DuckDBMetricStore, StoreHost, ThreadedMetricStore, type MessageEndpoint, type MetricStore } from '#pharos/storage';
import { EmbeddedStream } from '#pharos/stream';
import { createLogger, SelfMetrics } from '#pharos/telemetry';

const T = 'tenant-a';
const BASE = Date.now() - 3_600_000;
const SERIES: Labels[] = Array.from({ length: 40 }, (_, i) => labelsFromRecord({ __name__: 'node_thing', host: `h${i % 4}`, i: String(i) }));

function scrape(step: number, series: readonly Labels[] = SERIES): MetricBatch {
  const b = new MetricBatchBuilder(T);
  series.forEach((labels, i) => {
    b.addSeries(labels);
    b.addSample(BASE + step * 15_000, step * 100 + i);
  });
  return b.build();
}

interface Node {
  stream: EmbeddedStream;
  store: MetricStore;
  processor: MetricsProcessor;
  ingestor: MetricIngestor;
  metrics: SelfMetrics;
  logs: string[];
}

/**
 * The store as the processor meets it: in process (it resolves refs for the processor), or
 * served over the store-thread protocol (ADR 0018; host and proxy on this thread, over a real
 * MessagePort), where the processor hands records over whole and they are decoded and
 * resolved beside the store.
 */
const STORES: [string, (dir: string) => Promise<MetricStore>][] = [
  ['in process', (dir) => DuckDBMetricStore.open({ dir, threads: 1 })],
  [
    'over the store-thread protocol',
    async (dir) => {
      const store = await DuckDBMetricStore.open({ dir, threads: 1 });
      const { port1, port2 } = new MessageChannel();
      const ready = ThreadedMetricStore.connect(port1 as unknown as MessageEndpoint, async () => port1.close());
      new StoreHost(store, port2 as unknown as MessageEndpoint, appendRecords);
      return ready;
    },
  ],
];

describe.each(STORES)('processor: series named by ref, store %s', (_name, openStore) => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function start(storeDir = 'metrics', reports?: number[]): Promise<Node> {
    const config = loadConfig({ env: {} });
    const stream = await EmbeddedStream.open({ dir: join(dir, 'stream'), fsync: 'group' });
    await stream.ensureTopic(METRICS_TOPIC, 2);
    const store = await openStore(join(dir, storeDir));
    const metrics = new SelfMetrics('test');
    const logs: string[] = [];
    const logger = createLogger({
      level: 'error',
      format: 'json',
      destination: new Writable({ write: (chunk: Buffer, _e, done) => (logs.push(chunk.toString()), done()) }),
    });
    const processor = new MetricsProcessor({
      stream,
      store,
      metrics,
      logger,
      batchMaxSamples: 1_000,
      batchMaxWaitMs: 10,
      flushIntervalMs: 60_000,
      ...(reports === undefined ? {} : { onVisibilityDelay: (ms: number) => reports.push(ms) }),
    });
    await processor.start();
    const ingestor = new MetricIngestor({ producer: stream.producer(), partitions: 2, limitsFor: () => config.limits.defaults, metrics, isBackpressured: () => false });
    return { stream, store, processor, ingestor, metrics, logs };
  }

  async function appended(n: Node): Promise<number> {
    let total = 0;
    for (const v of (await n.metrics.processorAppendedSamples.get()).values) total += v.value;
    return total;
  }

  async function waitAppended(n: Node, target: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    while ((await appended(n)) < target) {
      if (Date.now() > deadline) throw new Error(`appended ${await appended(n)} of ${target}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** The scrape engine's path: prepared with its own thread's definitions, written, settled. */
  async function writeStable(n: Node, defs: SeriesDefinitions, batch: MetricBatch): Promise<void> {
    const prepared = prepareBatch(batch, 2, defs);
    const w = withReceipt(prepared);
    try {
      await n.ingestor.ingestPrepared('scrape', w.prepared);
    } finally {
      defs.settle(prepared.definitionTicket, w.receipt());
    }
  }

  /** The OTLP / line-protocol path: label arrays built afresh for every request. */
  function fresh(series: readonly Labels[]): Labels[] {
    return series.map((l) => [...l]);
  }

  async function dropped(n: Node): Promise<number> {
    return (await n.metrics.processorDroppedSamples.get()).values.find((v) => v.labels['reason'] === 'unresolved_series')?.value ?? 0;
  }

  async function samplesOf(store: MetricStore, i: number): Promise<number[]> {
    const out: number[] = [];
    for await (const s of store.select({ tenant: T, matchers: [{ name: 'i', type: '=', value: String(i) }], start: BASE - 1, end: BASE + 3_600_000 })) {
      out.push(...s.values);
    }
    return out;
  }

  it('stores every sample of records that name their series by ref, also across a restart', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pharos-processor-refs-'));
    const a = await start();
    await a.ingestor.ingest('test', scrape(0), { stableLabels: true });
    await a.ingestor.ingest('test', scrape(1), { stableLabels: true });
    await waitAppended(a, 80);
    // Appended, flushed and committed; the next records name every series by ref.
    await a.processor.flushAndCommit();
    await a.processor.stop();
    await a.ingestor.ingest('test', scrape(2), { stableLabels: true });
    // In process, the store resolves refs itself (over the protocol it does so on its side).
    if (a.store.resolveSeriesRef !== undefined) {
      expect(a.store.resolveSeriesRef(T, seriesRefsOf(T, [SERIES[7]!]), 0)).toEqual(SERIES[7]);
      expect(a.store.resolveSeriesRef('other', seriesRefsOf('other', [SERIES[7]!]), 0)).toBeUndefined();
    }
    await a.store.close();
    await a.stream.close();

    // A new process: the stream replays the ref-only records, the store resolves them.
    const b = await start();
    await waitAppended(b, 40);
    await b.processor.stop();
    expect(await samplesOf(b.store, 7)).toEqual([7, 107, 207]);
    expect(b.logs).toEqual([]);
    await b.store.close();
    await b.stream.close();
  });

  it('observes the delay from a record entering the stream to its samples being readable', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pharos-processor-refs-'));
    const reports: number[] = [];
    const n = await start('metrics', reports);
    const delay = async (): Promise<{ count: number; sum: number }> => {
      const values = (await n.metrics.processorVisibilityDelay.get()).values;
      return { count: values.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0, sum: values.find((v) => v.metricName?.endsWith('_sum'))?.value ?? 0 };
    };
    // A record that entered the stream 3 s ago (as one waiting behind a backlog would have).
    await n.stream.producer().produce(METRICS_TOPIC, [{ key: T, partition: 0, value: encodeMetricBatch(scrape(0)), timestamp: Date.now() - 3_000 }]);
    await waitAppended(n, 40);
    const old = await delay();
    expect(old.count).toBe(1);
    expect(old.sum).toBeGreaterThanOrEqual(3);
    expect(old.sum).toBeLessThan(13);
    // Written before the processor started (its timestamp says so): a backlog's delay, which
    // says nothing of ingestion now, so the collector's freshness gate does not hear it.
    expect(reports).toEqual([]);
    await n.ingestor.ingest('test', scrape(1), { stableLabels: true });
    await waitAppended(n, 80);
    const both = await delay();
    expect(both.count).toBeGreaterThan(1);
    // The fresh records' delays are those of this process (well under the 10 s wait limit).
    expect(both.sum - old.sum).toBeLessThan(10 * (both.count - old.count));
    expect(reports.length).toBe(both.count - old.count);
    for (const ms of reports) expect(ms).toBeLessThan(10_000);
    await n.processor.stop();
    await n.store.close();
    await n.stream.close();
  });

  it('resolves a ref defined earlier in the same delivery, before the store has it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pharos-processor-refs-'));
    const n = await start();
    await n.processor.stop();
    // Written while no processor runs: definition and refs end up in one delivery.
    await n.ingestor.ingest('test', scrape(0), { stableLabels: true });
    await n.ingestor.ingest('test', scrape(1), { stableLabels: true });
    await n.store.close();
    await n.stream.close();
    const m = await start();
    await waitAppended(m, 80);
    expect(await samplesOf(m.store, 3)).toEqual([3, 103]);
    await m.processor.stop();
    await m.store.close();
    await m.stream.close();
  });

  it('drops, counts and logs samples of series whose ref nothing resolves', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pharos-processor-refs-'));
    const n = await start();
    const batch = scrape(0, SERIES.slice(0, 3));
    const omit = Uint8Array.from([0, 1, 0]);
    // Series 1 by ref without any definition: what a lost definition would look like.
    await n.stream.producer().produce(METRICS_TOPIC, [{ key: T, partition: 0, value: encodeMetricBatch(batch, { refs: seriesRefsOf(T, batch.series), omitLabels: omit }) }]);
    await waitAppended(n, 2);
    const dropped = (await n.metrics.processorDroppedSamples.get()).values.find((v) => v.labels['reason'] === 'unresolved_series');
    expect(dropped?.value).toBe(1);
    expect(n.logs.join('')).toMatch(/no definition resolves/);
    expect(await samplesOf(n.store, 0)).toEqual([0]);
    expect(await samplesOf(n.store, 1)).toEqual([]);
    await n.processor.stop();
    await n.store.close();
    await n.stream.close();
  });

  it('stores mixed traffic right: series by ref from one producer, fresh labels from another, the same series from both, across a restart', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pharos-processor-refs-'));
    const stable = SERIES.slice(0, 20);
    const both = SERIES.slice(0, 5);
    const labelsOnly = SERIES.slice(20);
    // Values say who wrote what: step * 100 + i from the ref producer and for fresh series,
    // 5000 + step * 100 + i (5 s later) for the second producer of series 0–4.
    const otherWriter = (step: number): MetricBatch => {
      const b = new MetricBatchBuilder(T);
      fresh(both).forEach((labels, i) => {
        b.addSeries(labels);
        b.addSample(BASE + step * 15_000 + 5_000, 5000 + step * 100 + i);
      });
      return b.build();
    };
    const freshBatch = (step: number): MetricBatch => {
      const b = scrape(step, fresh(labelsOnly));
      // scrape() numbers values by position; shift them to the series' own index.
      for (let k = 0; k < b.values.length; k++) b.values[k]! += 20;
      return b;
    };
    const a = await start();
    const defs = new SeriesDefinitions();
    for (const step of [0, 1]) {
      await writeStable(a, defs, scrape(step, stable));
      await a.ingestor.ingest('test', freshBatch(step));
      await a.ingestor.ingest('test', otherWriter(step));
    }
    await waitAppended(a, 2 * 45);
    await a.processor.flushAndCommit();
    await a.processor.stop();
    // Written while the processor is down, replayed by the next process: refs and labels mixed.
    await writeStable(a, defs, scrape(2, stable));
    await a.ingestor.ingest('test', freshBatch(2));
    await a.ingestor.ingest('test', otherWriter(2));
    await a.store.close();
    await a.stream.close();

    const b = await start();
    await waitAppended(b, 45);
    // A new collector knows no definitions: labels first, then refs again.
    const defsB = new SeriesDefinitions();
    for (const step of [3, 4]) {
      await writeStable(b, defsB, scrape(step, stable));
      await b.ingestor.ingest('test', freshBatch(step));
      await b.ingestor.ingest('test', otherWriter(step));
    }
    await waitAppended(b, 45 + 2 * 45);
    expect(await dropped(b)).toBe(0);
    expect(b.logs).toEqual([]);
    const steps = [0, 1, 2, 3, 4];
    expect(await samplesOf(b.store, 7)).toEqual(steps.map((s) => s * 100 + 7));
    expect(await samplesOf(b.store, 33)).toEqual(steps.map((s) => s * 100 + 33));
    expect(await samplesOf(b.store, 2)).toEqual(steps.flatMap((s) => [s * 100 + 2, 5000 + s * 100 + 2]));
    await b.processor.stop();
    await b.store.close();
    await b.stream.close();
  });

  it('drops and counts refs that a replaced store cannot resolve, keeps labelled traffic, and recovers on re-definition', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pharos-processor-refs-'));
    let now = Date.now();
    const defs = new SeriesDefinitions(() => now);
    const stable = SERIES.slice(0, 20);
    const a = await start();
    await writeStable(a, defs, scrape(0, stable));
    await waitAppended(a, 20);
    await a.processor.flushAndCommit();
    await a.processor.stop();
    await a.store.close();
    await a.stream.close();

    // The store's files replaced under a live stream (restored from elsewhere, or lost): the
    // collector still holds the series as defined, but this store never saw them.
    const b = await start('metrics-replaced');
    await writeStable(b, defs, scrape(1, stable));
    await b.ingestor.ingest('test', scrape(1, fresh(SERIES.slice(20))));
    await waitAppended(b, 20);
    const deadline = Date.now() + 10_000;
    while ((await dropped(b)) < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(await dropped(b)).toBe(20);
    expect(b.logs.join('')).toMatch(/no definition resolves/);
    expect(await samplesOf(b.store, 3)).toEqual([]);
    // Labelled traffic is untouched; scrape() numbers values by position in the batch.
    expect(await samplesOf(b.store, 25)).toEqual([105]);
    // The periodic re-definition brings the series back.
    now += REDEFINE_AFTER_MS + 1;
    await writeStable(b, defs, scrape(2, stable));
    await waitAppended(b, 40);
    expect(await samplesOf(b.store, 3)).toEqual([203]);
    await b.processor.stop();
    await b.store.close();
    await b.stream.close();
  });

  it('refuses a store that claims series refs without the lookup (every record by ref would be dropped)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pharos-proc-refs-claim-'));
    const stream = await EmbeddedStream.open({ dir: join(dir, 'stream'), fsync: 'group' });
    const real = await DuckDBMetricStore.open({ dir: join(dir, 'metrics'), threads: 1 });
    // A wrapper that forwards the capability but forgot the optional method.
    const broken = Object.create(real, { resolveSeriesRef: { value: undefined } }) as DuckDBMetricStore;
    const logger = createLogger({ level: 'error', format: 'json', destination: new Writable({ write: (_c, _e, done) => done() }) });
    expect(
      () => new MetricsProcessor({ stream, store: broken, metrics: new SelfMetrics('test'), logger, batchMaxSamples: 1_000, batchMaxWaitMs: 10, flushIntervalMs: 60_000 }),
    ).toThrow(/capabilities.seriesRefs but has no resolveSeriesRef/);
    await real.close();
    await stream.close();
  });
});
