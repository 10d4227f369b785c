import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLLUP_FIELDS } from '../port.js';
import { forEachRow, openWriter, ROLLUP_TYPES, SCHEMA, writeRollupRow } from './duckdb-io.js';
import { readSeriesRollups } from './rollup-reader.js';
import { SPAN_MS } from './rollup-span-codec.js';
import { packRollupRows } from './rollup-span-table.js';
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

  async function expectAnswers(ids: readonly number[], to: number): Promise<void> {
    const got = await readSeriesRollups(conn, RES, ids, DAY0 - SPAN_MS, DAY0 + 3 * SPAN_MS, ROLLUP_FIELDS, new Map(), (id) => ['s', String(id)]);
    expect(got.map((r) => r.labels[1])).toEqual(ids.map(String));
    for (const [i, r] of got.entries()) {
      const want = Array.from({ length: (to - DAY0) / RES }, (_, k) => row(ids[i]!, DAY0 + k * RES));
      expect(Array.from(r.bucketStarts)).toEqual(want.map((w) => w.bucket));
      expect(Array.from(r.increase)).toEqual(want.map((w) => w.increase));
      expect(Array.from(r.min)).toEqual(want.map((w) => w.min));
      expect(Array.from(r.lastTimestamp)).toEqual(want.map((w) => w.lastTs));
    }
  }

  it('packs a day in parts, merging each part into the day span, and takes series after the cursor first', async () => {
    const ids = [3, 4, 5, 6, 7];
    await addRows(ids, DAY0, DAY0 + 6 * HOUR);
    // Two series a call: 3–4, then 5–6, then 7, then from the first again (nothing left).
    const first = await packRollupRows(conn, RES, DAY0 + 6 * HOUR, -1, 2);
    expect(first).toEqual({ rows: 2 * 72, lastId: 4 });
    expect(await packRollupRows(conn, RES, DAY0 + 6 * HOUR, first.lastId, 2)).toEqual({ rows: 2 * 72, lastId: 6 });
    // Rows below the boundary appear for series 3 meanwhile: the cursor still goes on to 7 first.
    await addRows([3], DAY0 + 6 * HOUR, DAY0 + 7 * HOUR);
    expect(await packRollupRows(conn, RES, DAY0 + 7 * HOUR, 6, 2)).toEqual({ rows: 72, lastId: 7 });
    expect(await packRollupRows(conn, RES, DAY0 + 7 * HOUR, 7, 2)).toEqual({ rows: 12, lastId: 3 });
    expect(await packRollupRows(conn, RES, DAY0 + 7 * HOUR, 3, 2)).toEqual({ rows: 0, lastId: -1 });
    expect(await counts()).toEqual({ spans: 5, rows: 0, spansPerDay: 1 });

    // Rows for series 4 and 6 only: series 5, between them, keeps its span as it was (7 too).
    await addRows([4, 6], DAY0 + 6 * HOUR, DAY0 + 7 * HOUR);
    expect(await packRollupRows(conn, RES, DAY0 + 7 * HOUR, -1, 2)).toEqual({ rows: 2 * 12, lastId: 6 });
    expect(await counts()).toEqual({ spans: 5, rows: 0, spansPerDay: 1 });
    const lastBuckets: number[] = [];
    await forEachRow(conn, `SELECT series_id, last_bucket::DOUBLE FROM rollup_spans ORDER BY series_id`, (get) => lastBuckets.push(((get(1) as number) - DAY0) / HOUR));
    expect(lastBuckets).toEqual([7, 7, 6, 7, 6].map((h) => h - RES / HOUR));

    // The rest of the day and the next one's start, for every series: merged into the day's span, a new span for the next day.
    await addRows([5, 7], DAY0 + 6 * HOUR, DAY0 + 7 * HOUR);
    await addRows(ids, DAY0 + 7 * HOUR, DAY0 + SPAN_MS + 2 * HOUR);
    await expectAnswers(ids, DAY0 + SPAN_MS + 2 * HOUR);
    let cursor = -1;
    for (let k = 0; k < 3; k++) cursor = (await packRollupRows(conn, RES, DAY0 + SPAN_MS + HOUR, cursor, 2)).lastId;
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

  it('refuses a boundary that is not a bucket boundary', async () => {
    await expect(packRollupRows(conn, RES, DAY0 + 1, -1)).rejects.toThrow('bucket boundary');
  });
});
