import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blobValue, DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricBatchBuilder } from '#pharos/metric-model';
import { DuckDBMetricStore } from './duckdb-metric-store.js';
import { ROLLUP_FIELDS } from '../port.js';
import { openWriter, ROLLUP_TYPES, SCHEMA, writeRollupRow } from './duckdb-io.js';
import type { SeriesRollups } from '../port.js';
import { normalizeFields, readSeriesRollups, type SeriesOverlay } from './rollup-reader.js';
import { encodeSpanBuckets, SPAN_FIELDS } from './rollup-span-codec.js';
import { encodeSpanFields } from './rollup-span-fields.js';
import type { RollupRow } from './rollups.js';

const RES = 100;

/** A row whose every field is derived from its series, bucket and `tag`, so any misplaced copy shows. */
function row(bucket: number, tag = 0): RollupRow {
  const f = (k: number): number => bucket + k + tag;
  return { bucket, count: f(1), sum: f(2), min: f(3), max: f(4), firstTs: f(5), firstValue: f(6), lastTs: f(7), lastValue: f(8), increase: f(9) };
}

describe('readSeriesRollups', () => {
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;

  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    conn = await instance.connect();
    for (const sql of SCHEMA) await conn.run(sql);
    const w = await openWriter(conn, 'rollups', ROLLUP_TYPES);
    // As the maintainer writes them: buckets interleaved by series in closing order, then a
    // rewritten (dirty) bucket of series 1 appended last, a row of another resolution, and
    // more than a data chunk of rows for series 7.
    for (const b of [100, 200, 400]) for (const id of [1, 2]) if (!(id === 1 && b === 200)) writeRollupRow(w, RES, id, row(b, id * 1000));
    writeRollupRow(w, RES, 1, row(200, 1000));
    writeRollupRow(w, 999, 1, row(300, 0));
    for (let k = 0; k < 5000; k++) writeRollupRow(w, RES, 7, row(k * RES, 7000));
    // A bucket twice and one missing: as many rows as its span, so not placed by bucket.
    for (const b of [300, 100, 100]) writeRollupRow(w, RES, 5, row(b, 5000));
    w.close();
  });
  afterAll(() => {
    conn.closeSync();
    instance.closeSync();
  });

  const read = (ids: number[], fields = ROLLUP_FIELDS, overlays = new Map<number, SeriesOverlay>(), first = 0, last = 1e9) =>
    readSeriesRollups(conn, RES, ids, first, last, fields, overlays, (id) => ['id', String(id)]);

  it('returns each series’ rows sorted by bucket, in the order asked, every field in place', async () => {
    const got = await read([2, 9, 1]);
    expect(got.map((r) => r.labels[1])).toEqual(['2', '1']);
    expect(Array.from(got[0]!.bucketStarts)).toEqual([100, 200, 400]);
    expect(Array.from(got[1]!.bucketStarts)).toEqual([100, 200, 400]);
    expect(Array.from(got[1]!.firstValue)).toEqual([1106, 1206, 1406]);
    expect(Array.from(got[0]!.increase)).toEqual([2109, 2209, 2409]);
    expect(Array.from(got[0]!.lastTimestamp)).toEqual([2107, 2207, 2407]);
    const many = (await read([7]))[0]!;
    expect(many.bucketStarts.length).toBe(5000);
    expect(many.count[4999]).toBe(4999 * RES + 7001);
  });

  it('reads a series holding a bucket twice as the table has it', async () => {
    const [r] = await read([5], ['sum']);
    expect(Array.from(r!.bucketStarts)).toEqual([100, 100, 300]);
    expect(Array.from(r!.sum)).toEqual([5102, 5102, 5302]);
  });

  it('fills only the fields asked for and leaves the others empty', async () => {
    const [r] = await read([1], ['increase', 'firstValue']);
    expect(Array.from(r!.bucketStarts)).toEqual([100, 200, 400]);
    expect(Array.from(r!.increase)).toEqual([1109, 1209, 1409]);
    expect(Array.from(r!.firstValue)).toEqual([1106, 1206, 1406]);
    for (const f of ['count', 'sum', 'min', 'max', 'firstTimestamp', 'lastTimestamp', 'lastValue'] as const) expect(r![f].length).toBe(0);
    const [buckets] = await read([2], []);
    expect(Array.from(buckets!.bucketStarts)).toEqual([100, 200, 400]);
  });

  it('keeps to the bucket range', async () => {
    expect((await read([1, 2], ['sum'], new Map(), 150, 400)).map((r) => Array.from(r.bucketStarts))).toEqual([
      [200, 400],
      [200, 400],
    ]);
  });

  it('merges overlay rows before, between, over and after stored rows, and drops dirty buckets', async () => {
    const overlays = new Map<number, SeriesOverlay>([
      [1, { rows: [row(50, -1), row(200, -2), row(250, -3), row(600, -4)], dropped: new Set([400, 250]) }],
      // The usual case: rows after every stored one.
      [2, { rows: [row(500, -5), row(600, -5)] }],
      // Series without stored rows: the overlay alone; everything dropped: no answer.
      [3, { rows: [row(700, -6)] }],
      [7, { rows: [], dropped: new Set(Array.from({ length: 5000 }, (_, k) => k * RES)) }],
    ]);
    const got = await read([1, 2, 3, 7], ['count', 'lastValue'], overlays);
    expect(got.map((r) => r.labels[1])).toEqual(['1', '2', '3']);
    // 250 is both dropped and in the overlay: the overlay row is the recomputed one and stays.
    expect(Array.from(got[0]!.bucketStarts)).toEqual([50, 100, 200, 250, 600]);
    expect(Array.from(got[0]!.count)).toEqual([50, 1101, 199, 248, 597]);
    expect(Array.from(got[0]!.lastValue)).toEqual([57, 1108, 206, 255, 604]);
    expect(Array.from(got[1]!.bucketStarts)).toEqual([100, 200, 400, 500, 600]);
    expect(Array.from(got[1]!.count)).toEqual([2101, 2201, 2401, 496, 596]);
    expect(Array.from(got[2]!.bucketStarts)).toEqual([700]);
  });

  it('decodes packed spans in bucket order (parts of a day stored out of order), then the rows after them, in range', async () => {
    // A counter-like series: min/max/increase derived from the first and last values, so the
    // BLOBs reference each other (decoded in place, or into scratch for a span cut by the range).
    const counter = (b: number): RollupRow => ({ bucket: b, count: 4, sum: 3 * b + 0.1, min: 10 * b, max: 10 * b + 7, firstTs: b + 3, firstValue: 10 * b, lastTs: b + 90, lastValue: 10 * b + 7, increase: 7 });
    const insert = async (id: number, start: number, rows: RollupRow[]): Promise<void> => {
      const buckets = Float64Array.from(rows, (r) => r.bucket);
      const cols = SPAN_FIELDS.map((f) => Float64Array.from(rows, (r) => r[({ firstTimestamp: 'firstTs', lastTimestamp: 'lastTs' } as Record<string, keyof RollupRow>)[f] ?? (f as keyof RollupRow)]));
      const blobs = [encodeSpanBuckets(start, RES, buckets, 0, rows.length), ...encodeSpanFields(cols, 0, rows.length, buckets)];
      await conn.run(
        `INSERT INTO rollup_spans (resolution_ms, series_id, span_start, first_bucket, last_bucket, buckets, ${['count', 'sum', 'min', 'max', 'first_ts', 'first_value', 'last_ts', 'last_value', 'increase'].join(', ')}) VALUES (${RES}, ${id}, ${start}, ${rows[0]!.bucket}, ${rows[rows.length - 1]!.bucket}, ${blobs.map((_, k) => `$${k + 1}`).join(', ')})`,
        blobs.map((b) => blobValue(b)),
      );
    };
    const range = (from: number, to: number): RollupRow[] => Array.from({ length: (to - from) / RES + 1 }, (_, k) => counter(from + k * RES));
    // Series 20: the day's second part first, then its first part; rows after both.
    await insert(20, 0, range(1000, 1400));
    await insert(20, 0, range(0, 900));
    const w = await openWriter(conn, 'rollups', ROLLUP_TYPES);
    for (const b of [1500, 1600]) writeRollupRow(w, RES, 20, counter(b));
    w.close();
    // Series 21: a span only.
    await insert(21, 0, range(500, 800));
    const all = await read([21, 20], ROLLUP_FIELDS);
    expect(all.map((r) => r.labels[1])).toEqual(['21', '20']);
    const want = (rows: RollupRow[]) => ({
      bucketStarts: rows.map((r) => r.bucket),
      min: rows.map((r) => r.min),
      max: rows.map((r) => r.max),
      firstTimestamp: rows.map((r) => r.firstTs),
      increase: rows.map((r) => r.increase),
      sum: rows.map((r) => r.sum),
    });
    const got = (r: SeriesRollups) => ({
      bucketStarts: Array.from(r.bucketStarts),
      min: Array.from(r.min),
      max: Array.from(r.max),
      firstTimestamp: Array.from(r.firstTimestamp),
      increase: Array.from(r.increase),
      sum: Array.from(r.sum),
    });
    expect(got(all[1]!)).toEqual(want(range(0, 1600)));
    expect(got(all[0]!)).toEqual(want(range(500, 800)));
    // Cut by the range: the first span from its fourth row (its referenced fields go through scratch).
    const counterFields = ['firstTimestamp', 'firstValue', 'lastValue', 'increase'] as const;
    const [cut] = await read([20], counterFields, new Map(), 250, 1450);
    expect(Array.from(cut!.bucketStarts)).toEqual(range(300, 1400).map((r) => r.bucket));
    expect(Array.from(cut!.firstValue)).toEqual(range(300, 1400).map((r) => r.firstValue));
    expect(Array.from(cut!.lastValue)).toEqual(range(300, 1400).map((r) => r.lastValue));
    expect(Array.from(cut!.increase)).toEqual(range(300, 1400).map(() => 7));
    expect(Array.from(cut!.firstTimestamp)).toEqual(range(300, 1400).map((r) => r.firstTs));
    expect(cut!.min.length).toBe(0);
  });

  it('refuses an unknown field by name', () => {
    expect(() => normalizeFields(['sum', 'avg'])).toThrow('unknown rollup field "avg"');
    expect(normalizeFields(['increase', 'count', 'increase'])).toEqual(['count', 'increase']);
    expect(normalizeFields(undefined)).toEqual(ROLLUP_FIELDS);
  });
});

describe('DuckDBMetricStore.selectRollups', () => {
  it('applies limitSeries to series with rollups in the range, not to every matching series', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pharos-rollup-limit-'));
    const store = await DuckDBMetricStore.open({ dir, threads: 1, defaultRetentionMs: 100 * 365 * 86_400_000 });
    try {
      const T = 19_675 * 86_400_000;
      const b = new MetricBatchBuilder('t');
      // a and b (first by labels) only have old data; c has data in the range asked for.
      for (const [name, at] of [['a', T], ['b', T], ['c', T + 86_400_000]] as const) {
        b.addSeries(['__name__', 'm', 'k', name]);
        for (let i = 0; i < 40; i++) b.addSample(at + i * 15_000, i);
      }
      await store.append(b.build());
      await store.flush();
      const got: string[] = [];
      for await (const r of store.selectRollups({ tenant: 't', matchers: [{ name: '__name__', type: '=', value: 'm' }], start: T + 86_400_000, end: T + 2 * 86_400_000, resolutionMs: 300_000, limitSeries: 1 })) {
        got.push(r.labels[3]!);
        expect(Array.from(r.count)).toEqual([20, 20]);
      }
      expect(got).toEqual(['c']);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers a read that runs while a flush writes and rewrites its rows as a read after the flush', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pharos-rollup-concurrent-'));
    const store = await DuckDBMetricStore.open({ dir, threads: 1, defaultRetentionMs: 100 * 365 * 86_400_000 });
    try {
      const T = 19_675 * 86_400_000;
      const matchers = [{ name: '__name__', type: '=' as const, value: 'm' }];
      const plain = (rs: SeriesRollups[]): unknown => rs.map((r) => [[...r.labels], ...[r.bucketStarts, r.count, r.sum, r.increase].map((c) => Array.from(c))]);
      const read = async (): Promise<SeriesRollups[]> => {
        const out: SeriesRollups[] = [];
        for await (const r of store.selectRollups({ tenant: 't', matchers, start: T, end: T + 86_400_000, resolutionMs: 300_000, fields: ['count', 'sum', 'increase'] })) out.push(r);
        return out;
      };
      for (let round = 0; round < 4; round++) {
        const b = new MetricBatchBuilder('t');
        for (let s = 0; s < 20; s++) {
          b.addSeries(['__name__', 'm', 'k', String(s)]);
          for (let i = 0; i < 120; i++) b.addSample(T + (round * 120 + i) * 15_000, round * 1000 + i * (s + 1));
        }
        await store.append(b.build());
        // Late samples in buckets already closed (and, after a flush, written): dirty buckets the next flush rewrites.
        if (round > 0) {
          const late = new MetricBatchBuilder('t');
          for (let s = 0; s < 20; s += 3) {
            late.addSeries(['__name__', 'm', 'k', String(s)]);
            late.addSample(T + (round * 120 - 50) * 15_000 + 7_000, -5);
          }
          await store.append(late.build());
        }
        // The read holds the lock only for its snapshot: the flush commits while it reads (or before).
        const [during] = await Promise.all([read(), store.flush()]);
        expect(plain(during)).toEqual(plain(await read()));
        expect(during.length).toBe(20);
      }
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
