import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '#pharos/config';
import { IngestRefusedError, MetricIngestor, REDEFINE_AFTER_MS, SeriesDefinitions, prepareBatch, withReceipt, withoutSeries } from '#pharos/ingest';
import {
  METRICS_TOPIC,
  MetricBatchBuilder,
  UNRESOLVED_LABELS,
  decodeMetricBatch,
  labelsFromRecord,
  seriesHash,
  seriesRef,
  seriesRefHex,
  type Labels,
  type MetricBatch,
} from '#pharos/metric-model';
import { EmbeddedStream, type StreamProducer } from '#pharos/stream';
import { SelfMetrics } from '#pharos/telemetry';

const SERIES: Labels[] = Array.from({ length: 12 }, (_, i) => labelsFromRecord({ __name__: 'm', i: String(i) }));

function batchAt(ts: number, series: readonly Labels[] = SERIES): MetricBatch {
  const b = new MetricBatchBuilder('t');
  series.forEach((labels, i) => {
    b.addSeries(labels);
    b.addSample(ts, i);
  });
  return b.build();
}

/** Series of every part of a prepared batch: `[labels or 'ref', partition]` by series name. */
function partsOf(prepared: ReturnType<typeof prepareBatch>): Map<string, string> {
  const out = new Map<string, string>();
  const byRef = new Map(SERIES.map((l) => [seriesRefHex(seriesRef('t', l), 0), l[3]!]));
  for (const part of prepared.parts) {
    const d = decodeMetricBatch(part.bytes, { interner: null });
    d.series.forEach((labels, i) => {
      const name = labels === UNRESOLVED_LABELS ? byRef.get(seriesRefHex(d.seriesRefs!, 4 * i))! : labels[3]!;
      expect(seriesHash(SERIES[Number(name)]!) % 3).toBe(part.partition);
      out.set(name, labels === UNRESOLVED_LABELS ? 'ref' : 'labels');
    });
  }
  return out;
}

describe('SeriesDefinitions', () => {
  it('sends labels until a batch carrying them is confirmed, then refs only', () => {
    let now = 1_000_000;
    const defs = new SeriesDefinitions(() => now);
    const first = prepareBatch(batchAt(1), 3, defs);
    expect(first.definitionTicket).toBeGreaterThan(0);
    expect([...partsOf(first).values()].every((v) => v === 'labels')).toBe(true);
    // Not confirmed (say it was refused): the next batch defines the series again.
    const second = prepareBatch(batchAt(2), 3, defs);
    expect([...partsOf(second).values()].every((v) => v === 'labels')).toBe(true);
    defs.confirm(second.definitionTicket);
    const third = prepareBatch(batchAt(3), 3, defs);
    expect(third.definitionTicket).toBe(0);
    expect([...partsOf(third).values()].every((v) => v === 'ref')).toBe(true);
    // An old unconfirmed ticket confirmed late changes nothing wrong; a long silence re-defines.
    defs.confirm(first.definitionTicket);
    now += REDEFINE_AFTER_MS + 1;
    expect([...partsOf(prepareBatch(batchAt(4), 3, defs)).values()].every((v) => v === 'labels')).toBe(true);
  });

  it('does not count refused series as defined, and keeps hashes and partitions as without refs', () => {
    const defs = new SeriesDefinitions();
    const first = prepareBatch(batchAt(1), 3, defs);
    const refused = new Uint8Array(SERIES.length);
    refused[4] = 1;
    defs.confirm(first.definitionTicket, refused);
    const next = partsOf(prepareBatch(batchAt(2), 3, defs));
    expect(next.get('4')).toBe('labels');
    expect(next.get('5')).toBe('ref');
    const plain = prepareBatch(batchAt(2), 3);
    expect(Array.from(first.seriesHashes)).toEqual(Array.from(plain.seriesHashes));
    expect(Array.from(first.partitionOfSeries)).toEqual(Array.from(plain.partitionOfSeries));
  });

  it('is kept per tenant: a label set defined for one tenant is defined again for another', () => {
    const defs = new SeriesDefinitions();
    const a = prepareBatch(batchAt(1), 1, defs);
    defs.confirm(a.definitionTicket);
    const b = new MetricBatchBuilder('other');
    b.addSeries(SERIES[0]!);
    b.addSample(1, 1);
    const other = prepareBatch(b.build(), 1, defs);
    expect(decodeMetricBatch(other.parts[0]!.bytes).series[0]).toEqual(SERIES[0]);
  });

  it('withoutSeries keeps ref-only series by ref and drops the refused ones', () => {
    const defs = new SeriesDefinitions();
    defs.confirm(prepareBatch(batchAt(1, SERIES.slice(0, 6)), 3, defs).definitionTicket);
    // Series 0–5 go by ref, 6–11 with labels.
    const prepared = prepareBatch(batchAt(2), 3, defs);
    const refused = new Uint8Array(SERIES.length);
    refused[1] = refused[7] = 1;
    const kept = withoutSeries(prepared, refused);
    expect(kept.floatSamples).toBe(10);
    const seen = partsOf(kept);
    expect([...seen.keys()].sort()).toEqual(['0', '10', '11', '2', '3', '4', '5', '6', '8', '9']);
    expect(seen.get('3')).toBe('ref');
    expect(seen.get('8')).toBe('labels');
  });
});

describe('MetricIngestor and series refs', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function run(kind: 'embedded' | 'kafka', stableLabels = true): Promise<string[]> {
    dir = await mkdtemp(join(tmpdir(), 'pharos-refs-'));
    const stream = await EmbeddedStream.open({ dir, fsync: 'none' });
    await stream.ensureTopic(METRICS_TOPIC, 2);
    const embedded = stream.producer();
    // The same durable log, presented as another adapter would: only `kind` differs.
    const producer: StreamProducer = kind === 'embedded' ? embedded : { kind, produce: (t, r) => embedded.produce(t, r) };
    const config = loadConfig({ env: {} });
    const ingestor = new MetricIngestor({
      producer,
      partitions: 2,
      limitsFor: () => config.limits.defaults,
      metrics: new SelfMetrics('test'),
      isBackpressured: () => false,
    });
    await ingestor.ingest('test', batchAt(1000), { stableLabels });
    await ingestor.ingest('test', batchAt(2000), { stableLabels });
    const kinds: string[] = [];
    const lag = await stream.lag('g', METRICS_TOPIC);
    const consumer = stream.consumer({ group: 'g', topic: METRICS_TOPIC });
    let records = 0;
    const total = lag.reduce((n, p) => n + p.lagRecords, 0);
    await new Promise<void>((done) => {
      void consumer.run({
        onBatch: async (b) => {
          for (const r of b.records) {
            const d = decodeMetricBatch(r.value, { interner: null });
            const how = d.series.every((l) => l === UNRESOLVED_LABELS) ? 'refs' : d.seriesRefs === undefined ? 'v1' : 'labels';
            kinds.push(`${d.timestamps[0]}:${how}`);
            if (++records === total) done();
          }
        },
      });
    });
    await consumer.stop();
    await stream.close();
    return kinds.sort();
  }

  it('names series by ref once their labels are durable on the embedded stream', async () => {
    expect(await run('embedded')).toEqual(['1000:labels', '1000:labels', '2000:refs', '2000:refs']);
  });

  it('keeps codec-v1 records (labels, no refs) for callers whose label arrays are fresh', async () => {
    expect(await run('embedded', false)).toEqual(['1000:v1', '1000:v1', '2000:v1', '2000:v1']);
  });

  it('always sends labels to a stream whose partitions move between consumers (Kafka)', async () => {
    expect(await run('kafka')).toEqual(['1000:labels', '1000:labels', '2000:labels', '2000:labels']);
  });
});

describe('MetricIngestor: batches prepared on another thread, and labels built afresh', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function setUp(kind: 'embedded' | 'kafka', maxActiveSeries = 0, backpressured = () => false) {
    dir = await mkdtemp(join(tmpdir(), 'pharos-refs-'));
    const stream = await EmbeddedStream.open({ dir, fsync: 'none' });
    await stream.ensureTopic(METRICS_TOPIC, 3);
    const embedded = stream.producer();
    const producer: StreamProducer = kind === 'embedded' ? embedded : { kind, produce: (t, r) => embedded.produce(t, r) };
    const config = loadConfig({ env: {} });
    const ingestor = new MetricIngestor({
      producer,
      partitions: 3,
      limitsFor: () => ({ ...config.limits.defaults, maxActiveSeries }),
      metrics: new SelfMetrics('test'),
      isBackpressured: backpressured,
    });
    return { stream, ingestor };
  }

  /** What the scrape engine and its host do: prepare with this thread's definitions, write, settle. */
  async function write(ingestor: MetricIngestor, defs: SeriesDefinitions, batch: MetricBatch) {
    const prepared = prepareBatch(batch, 3, defs);
    const w = withReceipt(prepared);
    try {
      await ingestor.ingestPrepared('scrape', w.prepared);
    } finally {
      defs.settle(prepared.definitionTicket, w.receipt());
    }
    return { prepared, receipt: w.receipt() };
  }

  it('confirms a batch prepared elsewhere through its receipt: refs on the embedded stream only', async () => {
    const { stream, ingestor } = await setUp('embedded');
    const defs = new SeriesDefinitions();
    const first = await write(ingestor, defs, batchAt(1));
    expect(first.receipt).toEqual({ defined: true, refused: null });
    expect([...partsOf(prepareBatch(batchAt(2), 3, defs)).values()].every((v) => v === 'ref')).toBe(true);
    await stream.close();

    const kafka = await setUp('kafka');
    const kdefs = new SeriesDefinitions();
    expect((await write(kafka.ingestor, kdefs, batchAt(1))).receipt).toEqual({ defined: false, refused: null });
    expect(kdefs.pendingTickets).toBe(0);
    expect([...partsOf(prepareBatch(batchAt(2), 3, kdefs)).values()].every((v) => v === 'labels')).toBe(true);
    await kafka.stream.close();
  });

  it('defines again the series the limits refused, and every series of a refused request', async () => {
    const { stream, ingestor } = await setUp('embedded', 10);
    const defs = new SeriesDefinitions();
    const { receipt } = await write(ingestor, defs, batchAt(1));
    // 12 series, limit 10: the last two are refused, so not written and not defined.
    expect(Array.from(receipt.refused ?? [])).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
    const next = partsOf(prepareBatch(batchAt(2), 3, defs));
    expect(next.get('9')).toBe('ref');
    expect(next.get('10')).toBe('labels');
    expect(next.get('11')).toBe('labels');
    await stream.close();

    let busy = true;
    const refusing = await setUp('embedded', 0, () => busy);
    const rdefs = new SeriesDefinitions();
    await expect(write(refusing.ingestor, rdefs, batchAt(1))).rejects.toBeInstanceOf(IngestRefusedError);
    expect(rdefs.pendingTickets).toBe(0);
    busy = false;
    expect([...partsOf((await write(refusing.ingestor, rdefs, batchAt(2))).prepared).values()].every((v) => v === 'labels')).toBe(true);
    await refusing.stream.close();
  });
});
