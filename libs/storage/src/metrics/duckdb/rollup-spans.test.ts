import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricBatchBuilder, type LabelMatcher } from '#pharos/metric-model';
import { ROLLUP_FIELDS, type RollupField, type SeriesRollups } from '../port.js';
import { DuckDBMetricStore } from './duckdb-metric-store.js';
import { forEachRow } from './duckdb-io.js';
import { computeRollups, ROLLUP_RESOLUTIONS_MS } from './rollups.js';
import { ROW_KEY } from './rollup-reader.js';
import { unpackRollupSpans } from './rollup-span-table.js';

/**
 * Packed rollup spans (rollup-span-table.ts) through the store: every answer must equal the
 * rollups computed from the raw samples the store returns, whatever mix of packed days and rows
 * holds them: after packing, late samples into packed days, deletes, retention, a reopen with
 * the watermark moved back, and a store whose rollups are all rows (written before packing).
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;
const STEP = 60_000;
const SERIES = 4;
const T = 'rollups';
const M: LabelMatcher[] = [{ name: '__name__', type: '=', value: 'c' }];
/** Four days before the test's "now", day-aligned. */
const NOW = Math.floor(Date.now() / DAY) * DAY;
const START = NOW - 4 * DAY;
/**
 * Spans of a series after `load` of all four days: three complete days a span each per
 * resolution, and the last day's parts (eleven of 2 h at 5 m, three of 6 h at 1 h).
 */
const SPANS_OF_4_DAYS = 3 * 2 + 11 + 3;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function value(s: number, i: number): number {
  // A counter with a reset every ~1.3 days at a per-series phase, with two decimals.
  return ((i + 977 * s) % 1_900) * (s + 1) + Math.round(100 * Math.sin(i / 50 + s)) / 100 + 100;
}

async function open(dir: string): Promise<DuckDBMetricStore> {
  return DuckDBMetricStore.open({ dir, threads: 1, defaultRetentionMs: 100 * DAY, rollupGraceMs: 0, rollupIdleMs: 0 });
}

/** Appends `[from, to)` scrapes of every series an hour at a time with a flush after each, as the processor does. */
async function load(store: DuckDBMetricStore, from: number, to: number, skip?: (s: number, i: number) => boolean): Promise<void> {
  const perHour = HOUR / STEP;
  for (let h = from; h < to; h += perHour) {
    const b = new MetricBatchBuilder(T);
    for (let s = 0; s < SERIES; s++) {
      b.addSeries(['__name__', 'c', 's', String(s)]);
      for (let i = h; i < Math.min(to, h + perHour); i++) if (skip === undefined || !skip(s, i)) b.addSample(START + i * STEP, value(s, i));
    }
    await store.append(b.build());
    await store.flush();
  }
}

async function tableCounts(dir: string): Promise<{ spans: number; rows: number }> {
  const instance = await DuckDBInstance.create(join(dir, 'metrics.duckdb'));
  const conn = await instance.connect();
  let spans = 0;
  let rows = 0;
  await forEachRow(conn, `SELECT (SELECT count(*) FROM rollup_spans)::DOUBLE, (SELECT count(*) FROM rollups)::DOUBLE`, (get) => {
    spans = get(0) as number;
    rows = get(1) as number;
  });
  conn.closeSync();
  instance.closeSync();
  return { spans, rows };
}

type Plain = [string, ...number[][]];

function plain(r: SeriesRollups, fields: readonly RollupField[]): Plain {
  return [r.labels[3]!, Array.from(r.bucketStarts), ...fields.map((f) => Array.from(r[f]))];
}

/** The store's answer and the rollups of its raw samples, for one range and resolution. */
async function compare(store: DuckDBMetricStore, res: number, start: number, end: number, fields: readonly RollupField[] = ROLLUP_FIELDS): Promise<void> {
  const got: Plain[] = [];
  for await (const r of store.selectRollups({ tenant: T, matchers: M, resolutionMs: res, start, end, fields })) got.push(plain(r, fields));
  const want: Plain[] = [];
  for await (const s of store.select({ tenant: T, matchers: M, start: Math.ceil(start / res) * res, end: Math.floor(end / res) * res + res - 1 })) {
    const rows = computeRollups(s.timestamps, s.values, s.timestamps.length, res);
    if (rows.length === 0) continue;
    want.push([s.labels[3]!, rows.map((r) => r.bucket), ...fields.map((f) => rows.map((r) => r[ROW_KEY[f]]))]);
  }
  expect(got).toEqual(want);
}

async function compareAll(store: DuckDBMetricStore): Promise<void> {
  for (const res of ROLLUP_RESOLUTIONS_MS) {
    await compare(store, res, START - DAY, NOW + DAY);
    // Ranges starting and ending inside packed days, and fields asked by name.
    await compare(store, res, START + DAY / 3, NOW - DAY - 7 * HOUR, ['count', 'sum']);
    await compare(store, res, START + DAY + 5 * HOUR, NOW, ['firstTimestamp', 'firstValue', 'lastValue', 'increase']);
  }
}

describe('packed rollup spans', () => {
  it('packs days behind the watermark and answers as the raw samples do, through late samples, deletes, retention and reopens', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pharos-rollup-spans-'));
    dirs.push(dir);
    const scrapes = (4 * DAY) / STEP;
    let store = await open(dir);
    // A gap in series 1 (no buckets for two hours) and in series 2's second day.
    await load(store, 0, scrapes, (s, i) => (s === 1 && i >= 1_000 && i < 1_120) || (s === 2 && i >= 1_440 && i < 2_880 && i % 7 === 0));
    await compareAll(store);
    await store.close();
    const packed = await tableCounts(dir);
    // Buckets up to the last step (5 m: 2 h, 1 h: 6 h) at least 15 minutes behind the watermark
    // are packed, both resolutions, four series: three whole days, one span each (a part a
    // step, packed by the hourly flushes of `load`, merged once the day was complete), and the
    // fourth's parts: eleven 2 h steps at 5 m, three 6 h steps at 1 h. Rows: the rest but the
    // still-open last bucket (re-derived on open), 23 five-minute and 5 one-hour buckets.
    expect(packed).toEqual({ spans: SERIES * SPANS_OF_4_DAYS, rows: SERIES * (23 + 5) });
    store = await open(dir);
    await compareAll(store);

    // Late samples into packed days (out of order): their buckets are recomputed, the days unpacked.
    const late = new MetricBatchBuilder(T);
    late.addSeries(['__name__', 'c', 's', '0']);
    late.addSample(START + 30 * STEP + 17_000, 5);
    late.addSample(START + DAY + 90 * STEP + 1_000, 1e6);
    late.addSeries(['__name__', 'c', 's', '1']);
    late.addSample(START + 1_050 * STEP, 42.5);
    // The last day is packed up to 2 h before its end at 5 m and 6 h at 1 h: one into packed parts, one into rows.
    late.addSample(NOW - 10 * HOUR + 7_000, 7);
    late.addSample(NOW - 3 * HOUR + 7_000, 8);
    await store.append(late.build());
    await compareAll(store);
    await store.flush();
    await compareAll(store);
    // The next flush packs the unpacked days again.
    await store.flush();
    await compareAll(store);

    // A delete inside packed days and across a day boundary.
    await store.deleteSeries({ tenant: T, matchers: [{ name: 's', type: '=', value: '2' }], start: START + DAY - 3 * HOUR - 1_234, end: START + DAY + 2 * HOUR });
    await compareAll(store);
    await store.flush();
    await compareAll(store);
    await store.close();
    // Series 1's late samples at 14:00 and 21:00 of the last day unpack its 5 m parts 14–16 h and
    // 20–22 h: the rows then span the parts between, so its day's parts are merged with them into
    // one span (a day's parts never overlap); 1 h unchanged.
    expect((await tableCounts(dir)).spans).toBe(SERIES * SPANS_OF_4_DAYS - 10);

    // A series deleted for all time leaves no span behind.
    store = await open(dir);
    await store.deleteSeries({ tenant: T, matchers: [{ name: 's', type: '=', value: '3' }] });
    await compareAll(store);
    await store.close();
    expect((await tableCounts(dir)).spans).toBe((SERIES - 1) * SPANS_OF_4_DAYS - 10);

    // Retention cutting through the first packed day.
    store = await open(dir);
    // At a bucket boundary of both resolutions: a bucket cut in two is not read (its start is before the cutoff), while `select` would return its rest.
    await store.enforceRetention(START + 100 * DAY + 10 * HOUR);
    await compareAll(store);
    await store.flush();
    await compareAll(store);
    await store.close();
    store = await open(dir);
    await compareAll(store);
    await store.close();
  }, 120_000);

  it('reports the rollup buckets it holds as rows, fewer once a step is packed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pharos-rollup-spans-'));
    dirs.push(dir);
    const store = await open(dir);
    // 30 one-minute scrapes: five closed 5 m buckets a series (the sixth open), no closed hour.
    await load(store, 0, 30);
    expect((await store.stats()).rollupRows).toBe(SERIES * 5);
    // To 8 h (the last flush's watermarks 7:55 and 7:00): buckets before the last step 15
    // minutes behind them are packed, 6 h at both (steps of 2 h and 6 h); left as rows, 6:00–7:50 at 5 m
    // (7:55 open) and 6:00 at 1 h (7:00 open).
    await load(store, 30, (8 * HOUR) / STEP);
    expect((await store.stats()).rollupRows).toBe(SERIES * (23 + 1));
    await store.close();
  });

  it('re-derives packed days from raw when the watermark moved back before a crash, and packs a store written before packing existed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pharos-rollup-spans-'));
    dirs.push(dir);
    let store = await open(dir);
    await load(store, 0, (3 * DAY) / STEP);
    await store.close();
    // Two whole days, a span each, and the third's parts (as in the first test).
    expect((await tableCounts(dir)).spans).toBe(SERIES * (2 * 2 + 11 + 3));

    // As after a crash once a backfilled series had moved the watermark back: spans from it
    // on are re-derived, the others stay packed.
    const edit = async (sql: (conn: import('@duckdb/node-api').DuckDBConnection) => Promise<void>): Promise<void> => {
      const instance = await DuckDBInstance.create(join(dir, 'metrics.duckdb'));
      const conn = await instance.connect();
      await sql(conn);
      conn.closeSync();
      instance.closeSync();
    };
    await edit(async (conn) => {
      await conn.run(`UPDATE meta SET value = ${START + DAY + 5 * HOUR} WHERE key LIKE 'rollup_watermark_%'`);
    });
    store = await open(dir);
    await compareAll(store);
    await store.close();

    // A store whose rollups are all rows: answers unchanged, packed by the next flushes.
    await edit(async (conn) => {
      await conn.run('BEGIN TRANSACTION');
      await unpackRollupSpans(conn, 'true');
      await conn.run('COMMIT');
    });
    expect((await tableCounts(dir)).spans).toBe(0);
    store = await open(dir);
    await compareAll(store);
    await store.flush();
    await compareAll(store);
    await store.close();
    // Rows of a whole step or more go into one part: the third day's 22 hours at 5 m, 18 h at 1 h.
    expect(await tableCounts(dir)).toMatchObject({ spans: 3 * 2 * SERIES });
  }, 120_000);
});
