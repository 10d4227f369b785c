import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricBatchBuilder, type NativeHistogram } from '#pharos/metric-model';
import { DuckDBMetricStore } from '#pharos/storage';
import { ChunkHead } from './chunk-head.js';

// Reads that the head answers alone (recent committed chunks kept in memory, the disk skipped
// when it holds nothing newer than the window) must return exactly what a read of the disk
// returns: checked against the appended samples over windows at every distance from the
// newest sample, across flushes, chunk cuts, out-of-order data, deletes and a reopen.

const TENANT = 't';
const SCRAPE = 15_000;
const T0 = Date.UTC(2026, 10, 27, 0, 0, 0);

interface Ref {
  readonly labels: string[];
  readonly samples: Map<number, number>;
}

/** Series whose chunks are cut by sample count (a counter) and, far more often, by bytes (random doubles). */
function makeSeries(): Ref[] {
  const out: Ref[] = [];
  for (let i = 0; i < 6; i++) out.push({ labels: ['__name__', 'm', 'i', String(i)], samples: new Map() });
  return out;
}

function valueOf(i: number, k: number): number {
  if (i % 2 === 0) return k * 10 + i;
  // Full-precision values: XOR-coded, ~10 bytes a sample, so a chunk holds only ~20 samples.
  return Math.sin(k * 0.77 + i) * 1e9 + k / 7;
}

async function appendScrapes(store: DuckDBMetricStore, series: Ref[], from: number, to: number): Promise<void> {
  const b = new MetricBatchBuilder(TENANT, series.length, series.length * (to - from));
  series.forEach((s, i) => {
    b.addSeries(s.labels);
    for (let k = from; k < to; k++) {
      const t = T0 + k * SCRAPE;
      const v = valueOf(i, k);
      b.addSample(t, v);
      s.samples.set(t, v);
    }
  });
  await store.append(b.build());
}

async function read(store: DuckDBMetricStore, start: number, end: number): Promise<Map<string, [number[], number[]]>> {
  const out = new Map<string, [number[], number[]]>();
  for await (const s of store.select({ tenant: TENANT, matchers: [{ name: '__name__', type: '=', value: 'm' }], start, end })) {
    out.set(s.labels[3]!, [Array.from(s.timestamps), Array.from(s.values)]);
  }
  return out;
}

function expected(series: Ref[], start: number, end: number): Map<string, [number[], number[]]> {
  const out = new Map<string, [number[], number[]]>();
  for (const s of series) {
    const ts = [...s.samples.keys()].filter((t) => t >= start && t <= end).sort((a, b) => a - b);
    if (ts.length > 0) out.set(s.labels[3]!, [ts, ts.map((t) => s.samples.get(t)!)]);
  }
  return out;
}

/** Windows ending at the newest sample and before it, of a refresh's sizes and a whole hour. */
async function checkWindows(store: DuckDBMetricStore, series: Ref[], newest: number): Promise<void> {
  for (const back of [0, 30_000, 120_000, 400_000, 1_000_000]) {
    for (const span of [75_000, 300_000, 360_000, 3_600_000]) {
      const end = newest - back;
      const start = end - span;
      expect(await read(store, start, end), `window [${start - T0}, ${end - T0}]`).toEqual(expected(series, start, end));
    }
  }
}

describe('DuckDB store: reads answered from the head', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });

  async function open(dir?: string): Promise<[DuckDBMetricStore, string]> {
    const d = dir ?? (await mkdtemp(join(tmpdir(), 'pharos-head-reads-')));
    if (dir === undefined) dirs.push(d);
    return [await DuckDBMetricStore.open({ dir: d, threads: 1, now: () => T0 + 86_400_000 }), d];
  }

  it('match the appended samples at every distance from the newest, across flushes, cuts, out-of-order data and a reopen', async () => {
    const series = makeSeries();
    let [store, dir] = await open();
    let k = 0;
    // 2 h in steps of a minute, a flush every five: chunks are cut, committed and kept or aged out.
    for (let minute = 0; minute < 120; minute++) {
      await appendScrapes(store, series, k, k + 4);
      k += 4;
      if (minute % 5 === 4) await store.flush();
      if (minute % 7 === 6) await checkWindows(store, series, T0 + (k - 1) * SCRAPE);
      if (minute === 60) {
        // Out-of-order samples between scrapes, some minutes back: flushed as their own chunks.
        const b = new MetricBatchBuilder(TENANT, 2, 4);
        for (const i of [1, 2]) {
          b.addSeries(series[i]!.labels);
          for (const back of [3, 11]) {
            const t = T0 + (k - back) * SCRAPE + 7_000;
            b.addSample(t, -back - i);
            series[i]!.samples.set(t, -back - i);
          }
        }
        await store.append(b.build());
      }
      if (minute === 90) {
        await store.flush();
        await store.close();
        [store] = await open(dir);
      }
    }
    await checkWindows(store, series, T0 + (k - 1) * SCRAPE);
    await store.flush();
    await checkWindows(store, series, T0 + (k - 1) * SCRAPE);

    // A delete near the newest samples: kept chunks holding them must not answer any more.
    const delStart = T0 + (k - 30) * SCRAPE;
    const delEnd = T0 + (k - 10) * SCRAPE;
    await store.deleteSeries({ tenant: TENANT, matchers: [{ name: 'i', type: '=~', value: '[135]' }], start: delStart, end: delEnd });
    for (const i of [1, 3, 5]) for (const t of [...series[i]!.samples.keys()]) if (t >= delStart && t <= delEnd) series[i]!.samples.delete(t);
    await checkWindows(store, series, T0 + (k - 1) * SCRAPE);
    await store.close();
  });

  it('return native histograms of series that have them, appended or found on disk at open, next to float-only series', async () => {
    let [store, dir] = await open();
    const h = (n: number): NativeHistogram => ({
      isInteger: true,
      schema: 0,
      zeroThreshold: 0,
      zeroCount: 0,
      count: n,
      sum: n * 2,
      positiveSpans: Int32Array.from([0, 1]),
      positiveCounts: Float64Array.from([n]),
      negativeSpans: new Int32Array(0),
      negativeCounts: new Float64Array(0),
      resetHint: 0,
      customValues: new Float64Array(0),
    });
    const b = new MetricBatchBuilder(TENANT, 2, 2);
    b.addSeries(['__name__', 'm', 'i', 'float']);
    b.addSample(T0, 1);
    const hi = b.addSeries(['__name__', 'm', 'i', 'hist']);
    b.addHistogram(hi, T0, h(3));
    await store.append(b.build());
    const counts = async (): Promise<Record<string, [number, number]>> => {
      const out: Record<string, [number, number]> = {};
      for await (const s of store.select({ tenant: TENANT, matchers: [{ name: '__name__', type: '=', value: 'm' }], start: T0 - 1, end: T0 + 1 })) {
        out[s.labels[3]!] = [s.timestamps.length, s.histograms.length];
      }
      return out;
    };
    expect(await counts()).toEqual({ float: [1, 0], hist: [0, 1] });
    await store.flush();
    await store.close();
    [store] = await open(dir);
    expect(await counts()).toEqual({ float: [1, 0], hist: [0, 1] });
    await store.close();
  });
});

describe('ChunkHead: committed chunks kept for reads', () => {
  it('keeps the newest committed chunks out of diskMaxT, hands them to reads that skip the disk, and ages them out', () => {
    const head = new ChunkHead();
    // Random doubles fill a chunk's slot in a few dozen samples.
    let t = 0;
    while (!head.closed.has(0)) head.append(0, (t += SCRAPE), Math.sin(t));
    const [cut] = head.closedChunks();
    head.releaseClosed([cut!]);
    expect(head.closed.has(0)).toBe(false);
    // Kept: the disk holds nothing the head lacks.
    expect(head.diskMaxT(0)).toBe(-Infinity);
    const withRecent: [Float64Array, Float64Array, number][] = [];
    head.collect(0, cut!.minT, t, withRecent, true);
    const without: [Float64Array, Float64Array, number][] = [];
    head.collect(0, cut!.minT, t, without, false);
    const total = (runs: [Float64Array, Float64Array, number][]): number => runs.reduce((n, r) => n + r[2], 0);
    expect(total(withRecent)).toBe(total(without) + cut!.count);

    // Once the series has moved on by more than the kept span, the next release ages it out.
    const later = cut!.maxT + 16 * 60_000;
    while (t < later) head.append(0, (t += SCRAPE), Math.sin(t));
    head.releaseClosed(head.closedChunks());
    expect(head.diskMaxT(0)).toBeGreaterThanOrEqual(cut!.maxT);
    const after: [Float64Array, Float64Array, number][] = [];
    head.collect(0, cut!.minT, cut!.maxT, after, true);
    expect(total(after)).toBe(0);
  });

  it('ages out the kept chunks of a series that stopped once others have moved on, so they do not hold the budget', () => {
    const head = new ChunkHead();
    let t = 0;
    while (!head.closed.has(1)) head.append(1, (t += SCRAPE), Math.cos(t));
    const [stopped] = head.closedChunks();
    head.releaseClosed([stopped!]);
    expect(head.diskMaxT(1)).toBe(-Infinity);
    // Series 1 gets nothing more; series 0 runs on past the kept span and cuts chunks.
    let u = t;
    const newestCut = (): number => Math.max(-Infinity, ...(head.closed.get(0) ?? []).map((c) => c.maxT));
    while (newestCut() < stopped!.maxT + 16 * 60_000) head.append(0, (u += SCRAPE), Math.sin(u));
    head.releaseClosed(head.closedChunks());
    expect(head.diskMaxT(1)).toBe(stopped!.maxT);
  });
});
