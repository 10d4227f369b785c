import { afterAll, describe, expect, it } from 'vitest';
import { SeriesAssemblyPool } from './assembly-pool.js';
import type { Run } from './chunk-head.js';
import { encodeSamples } from './chunk-codec.js';
import { POOL_MIN_SAMPLES, rowSamples, SampleRead } from './sample-read.js';
import { ChunkRows } from './series-assembly.js';
import { xorshift32 } from './test-random.js';

// Series assembled on the worker pool must be the very samples the main thread assembles:
// edge chunks cut at the range, head runs appended, overlapping chunks merged, series
// without rows in range, and each series' rows scattered across the read as a scan returns them.

const SCRAPE = 15_000;

interface Fixture {
  readonly rows: ChunkRows;
  readonly headRuns: (Run[] | undefined)[];
  readonly slots: number;
}

function build(seed: number, slots: number, samplesPerSeries: number, start: number, end: number): Fixture {
  const rand = xorshift32(seed);
  const perSlot: { minT: number; maxT: number; count: number; data: Uint8Array }[][] = [];
  const headRuns: (Run[] | undefined)[] = [];
  for (let s = 0; s < slots; s++) {
    const n = s % 17 === 5 ? 0 : samplesPerSeries;
    const ts = new Float64Array(n);
    const vs = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      ts[i] = i * SCRAPE + (s % 7) * 1000;
      // Mostly decimal counters, some full-precision doubles (XOR-coded, short chunks), NaNs now and then.
      vs[i] = s % 3 === 0 ? Math.sin(i * 0.37 + s) * 1e6 + i / 7 : rand() % 50 === 0 ? NaN : i * 10 + (rand() % 100) / 100;
    }
    const chunks = encodeSamples(ts, vs, n).map((c) => ({ ...c }));
    // Now and then a chunk written twice (around a crash): the overlap path.
    if (s % 11 === 3 && chunks.length > 2) chunks.push(chunks[1]!);
    perSlot.push(chunks);
    // Head runs: a few newer samples for most series.
    if (s % 4 !== 1 && n > 0) {
      const hn = 1 + (rand() % 8);
      const ht = new Float64Array(hn);
      const hv = new Float64Array(hn);
      for (let i = 0; i < hn; i++) {
        ht[i] = (n + i) * SCRAPE + (s % 7) * 1000;
        hv[i] = i;
      }
      const cut = ht.filter((t) => t >= start && t <= end);
      headRuns.push(cut.length > 0 ? [[cut, hv.subarray(0, cut.length), cut.length]] : undefined);
    } else headRuns.push(undefined);
  }
  // Rows of all series interleaved by time, as flushes write them, keeping only those overlapping the range.
  const rows = new ChunkRows();
  const maxChunks = Math.max(...perSlot.map((c) => c.length));
  for (let k = 0; k < maxChunks; k++) {
    for (let s = 0; s < slots; s++) {
      const c = perSlot[s]![k];
      if (c !== undefined && c.maxT >= start && c.minT <= end) rows.push(s, c.minT, c.maxT, c.count, c.data);
    }
  }
  return { rows, headRuns, slots };
}

function read(f: Fixture, start: number, end: number): SampleRead {
  const { first, order } = f.rows.groupBySlot(f.slots);
  return new SampleRead(f.rows, first, order, f.headRuns.slice(), start, end);
}

function plain(run: Run | undefined): [number[], number[]] | undefined {
  if (run === undefined) return undefined;
  // Bits compared through Object.is: NaN equals NaN, -0 differs from 0.
  return [Array.from(run[0].subarray(0, run[2])), Array.from(run[1].subarray(0, run[2]))];
}

describe('SampleRead on the assembly pool', () => {
  const pool = new SeriesAssemblyPool(2);
  afterAll(async () => {
    await pool.close();
    expect(pool.threads).toBe(0);
  });

  it('assembles every series exactly as the main thread does', async () => {
    const start = 37 * SCRAPE + 500;
    const end = 2300 * SCRAPE - 2000;
    const f = build(7, 320, 2400, start, end);
    expect(rowSamples(f.rows, 0, f.rows.length)).toBeGreaterThanOrEqual(POOL_MIN_SAMPLES);
    const local = read(f, start, end);
    const pooled = read(f, start, end);
    pooled.assembleOn(pool);
    expect(pool.threads).toBeGreaterThan(0);
    let waited = 0;
    for (let s = 0; s < f.slots; s++) {
      const wait = pooled.ready(s);
      if (wait !== undefined) {
        waited++;
        await wait;
      }
      const want = plain(local.take(s));
      const got = plain(pooled.take(s));
      expect(got, `series ${s}`).toEqual(want);
      if (want !== undefined) expect(want[0].every((t) => t >= start && t <= end)).toBe(true);
    }
    // The first part at least was still being decoded when asked for.
    expect(waited).toBeGreaterThan(0);
  });

  it('leaves small reads on the calling thread', () => {
    const f = build(3, 4, 400, 0, 400 * SCRAPE);
    expect(rowSamples(f.rows, 0, f.rows.length)).toBeLessThan(POOL_MIN_SAMPLES);
    const r = read(f, 0, 400 * SCRAPE);
    r.assembleOn(pool);
    for (let s = 0; s < f.slots; s++) expect(r.ready(s)).toBeUndefined();
  });

  it('assembles here what a closed pool cannot', async () => {
    const closed = new SeriesAssemblyPool(1);
    await closed.close();
    const f = build(11, 320, 2400, 0, 2400 * SCRAPE);
    expect(rowSamples(f.rows, 0, f.rows.length)).toBeGreaterThanOrEqual(POOL_MIN_SAMPLES);
    const local = read(f, 0, 2400 * SCRAPE);
    const fallback = read(f, 0, 2400 * SCRAPE);
    fallback.assembleOn(closed);
    for (let s = 0; s < f.slots; s++) {
      const wait = fallback.ready(s);
      if (wait !== undefined) await wait;
      expect(plain(fallback.take(s))).toEqual(plain(local.take(s)));
    }
  });
});
