import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLLUP_FIELDS } from '../port.js';
import { forEachRow, openWriter, ROLLUP_TYPES, SCHEMA, writeRollupRow } from './duckdb-io.js';
import { readSeriesRollups } from './rollup-reader.js';
import { SPAN_MS } from './rollup-span-codec.js';
import { packRollupRows, unpackRollupSpans, type PackPass } from './rollup-span-table.js';
import type { RollupRow } from './rollups.js';

const RES = 300_000;
const DAY0 = 20_000 * SPAN_MS;
const HOUR = 3_600_000;

/** A counter's bucket: min the first value, max the last, increase their difference (coded against each other). */
function row(id: number, bucket: number): RollupRow {
  const k = (bucket - DAY0) / RES;
  const first = 1000 * id + 20 * k;
  return { bucket, count: 20, sum: 20 * first + 190, min: first, max: first + 19, firstTs: bucket + 1_234, firstValue: first, lastTs: bucket + 286_234, lastValue: first + 19, increase: 19 };
}

describe('packRollupRows', () => {
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;

  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    conn = await instance.connect();
    for (const sql of SCHEMA) await conn.run(sql);
  });
  afterAll(() => {
    conn.closeSync();
    instance.closeSync();
  });

  async function addRows(ids: readonly number[], from: number, to: number): Promise<void> {
    const w = await openWriter(conn, 'rollups', ROLLUP_TYPES);
    for (const id of ids) for (let b = from; b < to; b += RES) writeRollupRow(w, RES, id, row(id, b));
    w.close();
  }

  async function counts(): Promise<{ spans: number; rows: number; spansPerDay: number }> {
    let out = { spans: 0, rows: 0, spansPerDay: 0 };
    await forEachRow(
      conn,
      `SELECT (SELECT count(*) FROM rollup_spans)::DOUBLE, (SELECT count(*) FROM rollups)::DOUBLE,
         (SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM rollup_spans GROUP BY resolution_ms, series_id, span_start))::DOUBLE`,
      (get) => (out = { spans: get(0) as number, rows: get(1) as number, spansPerDay: get(2) as number }),
    );
    return out;
  }

  /** Every bucket of `ids` in `[from, to)` reads back as written. */
  async function expectAnswers(ids: readonly number[], to: number, from = DAY0): Promise<void> {
    const got = await readSeriesRollups(conn, RES, ids, from - SPAN_MS, from + 3 * SPAN_MS, ROLLUP_FIELDS, new Map(), (id) => ['s', String(id)]);
    expect(got.map((r) => r.labels[1])).toEqual(ids.map(String));
    for (const [i, r] of got.entries()) {
      const want = Array.from({ length: (to - from) / RES }, (_, k) => row(ids[i]!, from + k * RES));
      expect(Array.from(r.bucketStarts)).toEqual(want.map((w) => w.bucket));
      expect(Array.from(r.increase)).toEqual(want.map((w) => w.increase));
      expect(Array.from(r.min)).toEqual(want.map((w) => w.min));
      expect(Array.from(r.lastTimestamp)).toEqual(want.map((w) => w.lastTs));
    }
  }

  /** Calls until nothing is left before `below`; returns the rows each call packed. */
  async function packAll(below: number, budget: number): Promise<number[]> {
    const packed: number[] = [];
    let pass: PackPass | null = null;
    for (;;) {
      const r = await packRollupRows(conn, RES, below, pass, budget);
      if (r.rows === 0 && r.pass === null) return packed;
      packed.push(r.rows);
      pass = r.pass;
    }
  }

  it('packs a day in parts, a range of series ids per call, each part a span until the day is complete', async () => {
    const ids = [3, 4, 5, 6, 7];
    await addRows(ids, DAY0, DAY0 + 6 * HOUR);
    // 72 buckets in the slice, 144 rows a call: two series a call, 3–4, then 5–6, then 7.
    const first = await packRollupRows(conn, RES, DAY0 + 6 * HOUR, null, 144);
    expect(first).toEqual({ rows: 2 * 72, pass: { from: DAY0, to: DAY0 + 6 * HOUR, afterId: 4, lastId: 7 } });
    const second = await packRollupRows(conn, RES, DAY0 + 6 * HOUR, first.pass, 144);
    expect(second.rows).toBe(2 * 72);
    // Rows below a later boundary appear for series 3, behind the pass: it still goes on to 7,
    // then (budget left) a new pass takes them, a second part of series 3's day.
    await addRows([3], DAY0 + 6 * HOUR, DAY0 + 7 * HOUR);
    expect(await packRollupRows(conn, RES, DAY0 + 7 * HOUR, second.pass, 144)).toEqual({ rows: 72 + 12, pass: null });
    expect(await packRollupRows(conn, RES, DAY0 + 7 * HOUR, null, 144)).toEqual({ rows: 0, pass: null });
    expect(await counts()).toEqual({ spans: 6, rows: 0, spansPerDay: 2 });

    // Rows for series 4 and 6 only: series 5, between them, keeps its part as it was (7 too).
    await addRows([4, 6], DAY0 + 6 * HOUR, DAY0 + 7 * HOUR);
    expect(await packAll(DAY0 + 7 * HOUR, 144)).toEqual([2 * 12]);
    expect(await counts()).toEqual({ spans: 8, rows: 0, spansPerDay: 2 });
    const lastBuckets: number[] = [];
    await forEachRow(conn, `SELECT series_id, max(last_bucket)::DOUBLE FROM rollup_spans GROUP BY series_id ORDER BY series_id`, (get) => lastBuckets.push(((get(1) as number) - DAY0) / HOUR));
    expect(lastBuckets).toEqual([7, 7, 6, 7, 6].map((h) => h - RES / HOUR));

    // The rest of the day and the next one's start, for every series: the day complete, its
    // parts and rows merged into one span; a part of the next day. A pass never crosses the end of a day: the first packs
    // the 17 (series 5 and 7: 18) hours left of the day one series a call (more buckets than
    // the budget), the second the next day's hour, all of it in one call.
    await addRows([5, 7], DAY0 + 6 * HOUR, DAY0 + 7 * HOUR);
    await addRows(ids, DAY0 + 7 * HOUR, DAY0 + SPAN_MS + 2 * HOUR);
    await expectAnswers(ids, DAY0 + SPAN_MS + 2 * HOUR);
    expect(await packAll(DAY0 + SPAN_MS + HOUR, 144)).toEqual([204, 204, 216, 204, 216, 5 * 12]);
    // One row of the day left for each series beyond the boundary: an hour of the next day.
    expect(await counts()).toEqual({ spans: 10, rows: 5 * 12, spansPerDay: 1 });
    await expectAnswers(ids, DAY0 + SPAN_MS + 2 * HOUR);
    let bytes = 0;
    await forEachRow(conn, `SELECT sum(octet_length(buckets) + octet_length(count) + octet_length(sum) + octet_length(min) + octet_length(max) + octet_length(first_ts) + octet_length(first_value) + octet_length(last_ts) + octet_length(last_value) + octet_length(increase))::DOUBLE FROM rollup_spans WHERE span_start = ${DAY0}`, (get) => (bytes = get(0) as number));
    // 288 buckets of five series: first and last value and sum one byte a bucket each (steady
    // deltas), the rest constant or derived (a few bytes a span).
    expect(bytes / (5 * 288)).toBeGreaterThan(3);
    expect(bytes / (5 * 288)).toBeLessThan(3.5);
  });

  it('skips id ranges without rows, and starts again when the boundary moves back behind the pass', async () => {
    await conn.run('DELETE FROM rollups');
    await conn.run('DELETE FROM rollup_spans');
    const day = DAY0 + 3 * SPAN_MS;
    await addRows([10, 500, 501], day, day + 6 * HOUR);
    // Two series a call: 10 alone in (9, 11], then nothing in (11, 13], so on from 500.
    const first = await packRollupRows(conn, RES, day + 6 * HOUR, null, 144);
    expect(first).toEqual({ rows: 72, pass: { from: day, to: day + 6 * HOUR, afterId: 11, lastId: 501 } });
    expect(await packRollupRows(conn, RES, day + 6 * HOUR, first.pass, 144)).toEqual({ rows: 144, pass: null });
    expect(await counts()).toEqual({ spans: 3, rows: 0, spansPerDay: 1 });

    await addRows([20, 21], day + 6 * HOUR, day + 12 * HOUR);
    const pass = (await packRollupRows(conn, RES, day + 12 * HOUR, null, 72)).pass;
    expect(pass).toEqual({ from: day + 6 * HOUR, to: day + 12 * HOUR, afterId: 20, lastId: 21 });
    // The watermark moved back (a series started in the past): a new pass, below the new boundary only.
    expect(await packRollupRows(conn, RES, day + 9 * HOUR, pass, 72)).toEqual({ rows: 36, pass: null });
    expect(await counts()).toEqual({ spans: 5, rows: 36, spansPerDay: 1 });
    expect(await packAll(day + 12 * HOUR, 72)).toEqual([36]);
    // Series 20 was packed 6–12 h by the pass that stopped; 21 in two parts, 6–9 h and 9–12 h.
    expect(await counts()).toEqual({ spans: 6, rows: 0, spansPerDay: 2 });
  });

  it('merges the parts that rows overlap, and every part of a series once its day is complete', async () => {
    await conn.run('DELETE FROM rollups');
    await conn.run('DELETE FROM rollup_spans');
    const day = DAY0 + 5 * SPAN_MS;
    await addRows([1, 2, 3], day, day + 3 * HOUR);
    // An hour a pass: a part a series each, the parts before left as they are.
    for (const h of [1, 2, 3]) expect(await packAll(day + h * HOUR, 1000)).toEqual([3 * 12]);
    expect(await counts()).toEqual({ spans: 9, rows: 0, spansPerDay: 3 });

    // Series 1's second part back in rows (as a late bucket's recomputation leaves it), and an
    // hour more of series 1 and 3 (2 stopped): series 1's rows, 1:00–1:55 and 3:00–3:55, span its
    // third part, so its parts and rows are merged into one span (a day's parts never overlap);
    // series 3 gets a fourth part.
    await unpackRollupSpans(conn, `series_id = 1 AND first_bucket = ${day + HOUR}`);
    await addRows([1, 3], day + 3 * HOUR, day + 4 * HOUR);
    expect(await packAll(day + 4 * HOUR, 1000)).toEqual([12 + 12 + 12]);
    const parts: string[] = [];
    await forEachRow(conn, `SELECT series_id, first_bucket::DOUBLE, last_bucket::DOUBLE FROM rollup_spans ORDER BY ALL`, (get) =>
      parts.push(`${get(0)}: ${((get(1) as number) - day) / RES}–${((get(2) as number) - day) / RES}`),
    );
    expect(parts).toEqual(['1: 0–47', '2: 0–11', '2: 12–23', '2: 24–35', '3: 0–11', '3: 12–23', '3: 24–35', '3: 36–47']);
    await expectAnswers([1, 3], day + 4 * HOUR, day);
    await expectAnswers([2], day + 3 * HOUR, day);

    // The rest of the day for 1 and 3: the pass completing it merges every series' parts in its
    // id range, series 2's (no rows in it) too.
    await addRows([1, 3], day + 4 * HOUR, day + SPAN_MS);
    expect(await packAll(day + SPAN_MS, 1000)).toEqual([2 * 240]);
    expect(await counts()).toEqual({ spans: 3, rows: 0, spansPerDay: 1 });
    await expectAnswers([1, 3], day + SPAN_MS, day);
    await expectAnswers([2], day + 3 * HOUR, day);
  });

  it('refuses a boundary that is not a bucket boundary', async () => {
    await expect(packRollupRows(conn, RES, DAY0 + 1)).rejects.toThrow('bucket boundary');
  });
});
