import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '#pharos/config';
import { MetricIngestor } from '#pharos/ingest';
import {
  METRICS_TOPIC,
  MetricBatchBuilder,
  encodeMetricBatch,
  labelsFromRecord,
  seriesRefsOf,
  type Labels,
  type MetricBatch,
} from '#pharos/metric-model';
import { MetricsProcessor } from '#pharos/processor';
import { DuckDBMetricStore } from '#pharos/storage';
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
  store: DuckDBMetricStore;
  processor: MetricsProcessor;
  ingestor: MetricIngestor;
  metrics: SelfMetrics;
  logs: string[];
}

describe('processor: series named by ref', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function start(): Promise<Node> {
    const config = loadConfig({ env: {} });
    const stream = await EmbeddedStream.open({ dir: join(dir, 'stream'), fsync: 'group' });
    await stream.ensureTopic(METRICS_TOPIC, 2);
    const store = await DuckDBMetricStore.open({ dir: join(dir, 'metrics'), threads: 1 });
    const metrics = new SelfMetrics('test');
    const logs: string[] = [];
    const logger = createLogger({
      level: 'error',
      format: 'json',
      destination: new Writable({ write: (chunk: Buffer, _e, done) => (logs.push(chunk.toString()), done()) }),
    });
    const processor = new MetricsProcessor({ stream, store, metrics, logger, batchMaxSamples: 1_000, batchMaxWaitMs: 10, flushIntervalMs: 60_000 });
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

  async function samplesOf(store: DuckDBMetricStore, i: number): Promise<number[]> {
    const out: number[] = [];
    for await (const s of store.select({ tenant: T, matchers: [{ name: 'i', type: '=', value: String(i) }], start: BASE - 1, end: BASE + 3_600_000 })) {
      out.push(...s.values);
    }
    return out;
  }

  it('stores every sample of records that name their series by ref, also across a restart', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pharos-processor-refs-'));
    const a = await start();
    await a.ingestor.ingest('test', scrape(0));
    await a.ingestor.ingest('test', scrape(1));
    await waitAppended(a, 80);
    // Appended, flushed and committed; the next records name every series by ref.
    await a.processor.flushAndCommit();
    await a.processor.stop();
    await a.ingestor.ingest('test', scrape(2));
    expect(a.store.resolveSeriesRef(T, seriesRefsOf(T, [SERIES[7]!]), 0)).toEqual(SERIES[7]);
    expect(a.store.resolveSeriesRef('other', seriesRefsOf('other', [SERIES[7]!]), 0)).toBeUndefined();
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

  it('resolves a ref defined earlier in the same delivery, before the store has it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pharos-processor-refs-'));
    const n = await start();
    await n.processor.stop();
    // Written while no processor runs: definition and refs end up in one delivery.
    await n.ingestor.ingest('test', scrape(0));
    await n.ingestor.ingest('test', scrape(1));
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
});
