import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricBatchBuilder, type LabelMatcher } from '#pharos/metric-model';
import { DuckDBMetricStore } from '#pharos/storage';
import { POOL_MIN_SAMPLES } from './sample-read.js';

// Selects sent together share table scans (ChunkScanner) and large ones are assembled on
// worker threads (SampleRead on the assembly pool): every answer must still be exactly the
// samples appended in its range, whatever else was read with it.

const TENANT = 't';
const SCRAPE = 15_000;
const T0 = Date.UTC(2026, 10, 27, 0, 0, 0);
const SERIES = 160;
const SCRAPES = 2400;

function valueOf(i: number, k: number): number {
  // Full-precision values on a third of the series: XOR-coded, short chunks, many rows.
  return i % 3 === 0 ? Math.sin(k * 0.77 + i) * 1e9 + k / 7 : k * 10 + i;
}

function labelsOf(i: number): string[] {
  return ['__name__', i % 2 === 0 ? 'even' : 'odd', 'group', String(i % 5), 'i', String(i).padStart(3, '0')];
}

type Answer = Map<string, [number[], number[]]>;

function expected(matchers: (labels: string[]) => boolean, start: number, end: number): Answer {
  const out: Answer = new Map();
  for (let i = 0; i < SERIES; i++) {
    const labels = labelsOf(i);
    if (!matchers(labels)) continue;
    const ts: number[] = [];
    const vs: number[] = [];
    for (let k = 0; k < SCRAPES; k++) {
      const t = T0 + k * SCRAPE + (i % 7) * 1000;
      if (t < start || t > end) continue;
      ts.push(t);
      vs.push(valueOf(i, k));
    }
    if (ts.length > 0) out.set(labels.join(','), [ts, vs]);
  }
  return out;
}

async function select(store: DuckDBMetricStore, matchers: LabelMatcher[], start: number, end: number): Promise<Answer> {
  const out: Answer = new Map();
  for await (const s of store.select({ tenant: TENANT, matchers, start, end })) out.set(s.labels.join(','), [Array.from(s.timestamps), Array.from(s.values)]);
  return out;
}

describe('concurrent selects', () => {
  let dir: string;
  let store: DuckDBMetricStore;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pharos-concurrent-selects-'));
    store = await DuckDBMetricStore.open({ dir, now: () => T0 + SCRAPES * SCRAPE });
    for (let from = 0; from < SCRAPES; from += 200) {
      const b = new MetricBatchBuilder(TENANT, SERIES, SERIES * 200);
      for (let i = 0; i < SERIES; i++) {
        b.addSeries(labelsOf(i));
        for (let k = from; k < from + 200; k++) b.addSample(T0 + k * SCRAPE + (i % 7) * 1000, valueOf(i, k));
      }
      await store.append(b.build());
      await store.flush();
    }
  }, 60_000);

  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers every read exactly, small and large, overlapping and identical, sent at once', async () => {
    const eq = (name: string, value: string): LabelMatcher => ({ name, type: '=', value });
    const reads: { matchers: LabelMatcher[]; test: (l: string[]) => boolean; start: number; end: number }[] = [
      // Large: every series, the whole range and a middle cut.
      { matchers: [{ name: '__name__', type: '=~', value: 'even|odd' }], test: () => true, start: 0, end: Infinity },
      { matchers: [{ name: '__name__', type: '=~', value: 'even|odd' }], test: () => true, start: T0 + 301 * SCRAPE + 1, end: T0 + 2002 * SCRAPE - 1 },
      { matchers: [eq('__name__', 'even')], test: (l) => l[1] === 'even', start: T0 + 7 * SCRAPE, end: T0 + 2390 * SCRAPE },
      { matchers: [eq('__name__', 'even')], test: (l) => l[1] === 'even', start: T0 + 7 * SCRAPE, end: T0 + 2390 * SCRAPE },
      // Small: a group or one series, short and long ranges.
      { matchers: [eq('__name__', 'odd'), eq('group', '3')], test: (l) => l[1] === 'odd' && l[3] === '3', start: T0 + 1000 * SCRAPE, end: T0 + 1100 * SCRAPE },
      { matchers: [eq('i', '042')], test: (l) => l[5] === '042', start: 0, end: Infinity },
      { matchers: [eq('i', '043')], test: (l) => l[5] === '043', start: T0 + 2399 * SCRAPE, end: Infinity },
      { matchers: [eq('i', '999')], test: () => false, start: 0, end: Infinity },
    ];
    // The whole-range reads are large enough for the worker pool (384 k samples).
    expect(SERIES * SCRAPES).toBeGreaterThan(POOL_MIN_SAMPLES);
    for (let round = 0; round < 2; round++) {
      const answers = await Promise.all(reads.map((r) => select(store, r.matchers, r.start, r.end)));
      answers.forEach((got, k) => {
        const r = reads[k]!;
        expect(got, `read ${k}`).toEqual(expected(r.test, r.start, r.end));
      });
    }
    // One at a time, the same.
    for (const r of reads) expect(await select(store, r.matchers, r.start, r.end)).toEqual(expected(r.test, r.start, r.end));
  }, 60_000);
});
