import { describe, expect, it } from 'vitest';
import { decodeSpanBuckets, decodeSpanField, encodeSpanBuckets, SPAN_FIELDS, SPAN_MS } from './rollup-span-codec.js';
import { decodeSpanFields, encodeSpanFields, planSpanDecode } from './rollup-span-fields.js';
import { computeRollups } from './rollups.js';
import { xorshift32 } from './test-random.js';

const RES = 300_000;
const DAY0 = 20_000 * SPAN_MS;
const ALL = SPAN_FIELDS.map((_, f) => f);
const [COUNT, SUM, MIN, MAX, FIRST_TS, FIRST, LAST_TS, LAST, INCREASE] = ALL as [number, number, number, number, number, number, number, number, number];

function bits(v: number): string {
  const u = new Uint32Array(Float64Array.of(v).buffer);
  return `${u[1]!.toString(16)}:${u[0]!.toString(16)}`;
}

/** A span's rows as columns: bucket starts, then the fields in `SPAN_FIELDS` order. */
interface Rows {
  readonly buckets: Float64Array;
  readonly fields: Float64Array[];
}

/** Rollup rows of raw samples, as the maintainer computes them. */
function rollupsOf(ts: readonly number[], vs: readonly number[]): Rows {
  const rows = computeRollups(Float64Array.from(ts), Float64Array.from(vs), ts.length, RES);
  const key = ['count', 'sum', 'min', 'max', 'firstTs', 'firstValue', 'lastTs', 'lastValue', 'increase'] as const;
  return { buckets: Float64Array.from(rows, (r) => r.bucket), fields: key.map((k) => Float64Array.from(rows, (r) => r[k])) };
}

/** A day of 15 s scrapes of `value(i)` (scrape i at `DAY0 + offset + 15 s × i`), skipping `skip`. */
function scraped(value: (i: number) => number, offset = 4_321, skip: (i: number) => boolean = () => false): Rows {
  const ts: number[] = [];
  const vs: number[] = [];
  for (let i = 0; i < SPAN_MS / 15_000; i++) {
    const t = DAY0 + offset + 15_000 * i;
    if (t >= DAY0 + SPAN_MS || skip(i)) continue;
    ts.push(t);
    vs.push(value(i));
  }
  return rollupsOf(ts, vs);
}

function encode(rows: Rows): { buckets: Uint8Array; fields: Uint8Array[] } {
  const n = rows.buckets.length;
  return { buckets: encodeSpanBuckets(DAY0, RES, rows.buckets, 0, n), fields: encodeSpanFields(rows.fields, 0, n, rows.buckets) };
}

/** Decodes `asked` of the buckets in `[first, last]` as a read does, and checks them bit for bit. */
function expectExact(rows: Rows, asked: readonly number[], first = -Infinity, last = Infinity): void {
  const blobs = encode(rows);
  const plan = planSpanDecode(asked);
  const n = rows.buckets.length;
  const bucketCol = new Float64Array(n + 3).fill(-7);
  const into = asked.map(() => new Float64Array(n + 3).fill(-7));
  const range = new Int32Array(2);
  const got = decodeSpanBuckets(blobs.buckets, DAY0, RES, bucketCol, 2, first, last, range);
  // Only the BLOBs of the plan are fetched, and they come after the bucket BLOB (as a read's row holds them).
  decodeSpanFields(plan, [blobs.buckets, ...plan.fields.map((f) => blobs.fields[f]!)], 1, range[0]!, range[1]!, into, 2, bucketCol);
  const keep = Array.from(rows.buckets.keys()).filter((i) => rows.buckets[i]! >= first && rows.buckets[i]! <= last);
  expect(got).toBe(keep.length);
  asked.forEach((f, c) => {
    expect(Array.from(into[c]!.subarray(2, 2 + got), bits), SPAN_FIELDS[f]).toEqual(keep.map((i) => bits(rows.fields[f]![i]!)));
    expect([into[c]![0], into[c]![1], into[c]![2 + got]]).toEqual([-7, -7, -7]);
  });
}

/** A counter in hundredths with jitter, as bench/ingest/series.ts models node_exporter's CPU seconds. */
function counter(rate: number, seed: number): (i: number) => number {
  const next = xorshift32(seed);
  const jitter = Array.from({ length: 6000 }, () => next() % 7);
  return (i) => Math.round((7_654_321 + i * rate + jitter[i]!) * 100) / 100;
}

describe('rollup span fields coded against each other', () => {
  it('codes a reset-free counter in a few bytes a bucket: min, max and increase from the values, count and offsets constant', () => {
    const rows = scraped(counter(31.7, 5));
    const n = rows.buckets.length;
    expect(n).toBe(288);
    const { fields } = encode(rows);
    const mode = (f: number): number[] => [fields[f]![0]!, fields[f]![0] === 7 ? fields[f]![1]! : -1];
    // Derived (7): min = first value (op 1, field 5), max = last value (op 1, field 7), increase = last − first (op 2), no exceptions.
    expect([mode(MIN), mode(MAX), mode(INCREASE)]).toEqual([[7, 1], [7, 1], [7, 2]]);
    expect([fields[MIN]![2], fields[MAX]![2], fields[INCREASE]![2], fields[INCREASE]![3]]).toEqual([FIRST, LAST, LAST, FIRST]);
    for (const f of [MIN, MAX]) expect(fields[f]!.length).toBe(5);
    expect(fields[INCREASE]!.length).toBe(6);
    for (const f of [COUNT, FIRST_TS, LAST_TS]) expect(fields[f]!.length).toBe(9);
    // The values: second-order decimals (jitter of ±6 hundredths: two bytes); the sum near-decimal.
    const total = fields.reduce((s, b) => s + b.length, 0);
    expect(total / n).toBeLessThan(8);
    expectExact(rows, ALL);
    expectExact(rows, [INCREASE]);
    expectExact(rows, [FIRST_TS, FIRST, LAST, INCREASE], DAY0 + 100 * RES, DAY0 + 200 * RES);
    expectExact(rows, [MAX, MIN], DAY0 + 287 * RES, Infinity);
    expectExact(rows, [SUM, COUNT], DAY0 + 3 * RES, DAY0 + 3 * RES);
  });

  it('lists resets, missed scrapes and a late start as exceptions and stays bit-exact', () => {
    const base = counter(13.7, 9);
    // Resets at scrapes 1,000 and 4,000 (4,000 falls on a bucket's first scrape), scrapes 30–41 missed.
    const value = (i: number): number => (i >= 4000 ? base(i - 4000) - 7_654_300 : i >= 1000 ? base(i - 1000) - 7_654_000 : base(i));
    const rows = scraped(value, 4_321, (i) => (i >= 30 && i < 42) || i < 3);
    const { fields } = encode(rows);
    expect(fields[INCREASE]![0]).toBe(7);
    expect(fields[COUNT]![0]).toBe(7);
    expectExact(rows, ALL);
    for (const f of ALL) expectExact(rows, [f], DAY0 + 40 * RES, DAY0 + 60 * RES);
    expectExact(rows, [MIN, INCREASE], DAY0 + 1 * RES, DAY0 + 2 * RES);
  });

  it('round-trips random mixes bit-exact for any fields asked and any range', () => {
    const next = xorshift32(77);
    const specials = [Number.NaN, -0, 0, Infinity, -Infinity, 5e-324, 1.7976931348623157e308];
    for (let round = 0; round < 60; round++) {
      const n = 1 + (next() % 288);
      const indexes = Array.from({ length: 288 }, (_, k) => k)
        .filter(() => next() % 288 < n)
        .slice(0, n);
      if (indexes.length === 0) indexes.push(next() % 288);
      const m = indexes.length;
      const buckets = Float64Array.from(indexes, (k) => DAY0 + k * RES);
      const kind = round % 4;
      const first = Float64Array.from({ length: m }, (_, i) => (kind === 0 ? 100 + i * 3.5 : kind === 1 ? (next() % 1000) / 100 : next() / 3));
      const last = Float64Array.from(first, (v, i) => (kind === 3 ? next() / 7 : v + (i % 5) * 0.01));
      const pick = (i: number, usual: number): number => (next() % 10 === 0 ? specials[next() % specials.length]! : next() % 13 === 0 ? next() / 11 : usual);
      const fields = [
        Float64Array.from({ length: m }, (_, i) => pick(i, 20)),
        Float64Array.from({ length: m }, (_, i) => pick(i, (first[i]! + last[i]!) * 10)),
        Float64Array.from({ length: m }, (_, i) => pick(i, Math.min(first[i]!, last[i]!))),
        Float64Array.from({ length: m }, (_, i) => pick(i, Math.max(first[i]!, last[i]!))),
        Float64Array.from({ length: m }, (_, i) => buckets[i]! + (next() % 3 === 0 ? next() % RES : 1_000)),
        Float64Array.from({ length: m }, (_, i) => (next() % 17 === 0 ? specials[next() % specials.length]! : first[i]!)),
        Float64Array.from({ length: m }, (_, i) => buckets[i]! + RES - 1 - (next() % 2)),
        Float64Array.from({ length: m }, (_, i) => (next() % 17 === 0 ? specials[next() % specials.length]! : last[i]!)),
        Float64Array.from({ length: m }, (_, i) => pick(i, last[i]! - first[i]!)),
      ];
      const rows: Rows = { buckets, fields };
      const asked = ALL.filter(() => next() % 2 === 0);
      const lo = DAY0 + (next() % 300) * RES;
      const hi = lo + (next() % 300) * RES;
      expectExact(rows, ALL);
      expectExact(rows, asked, lo, hi);
      expectExact(rows, asked.reverse());
    }
  });

  it('still decodes BLOBs written before these modes (constant, decimal, raw, near-decimal)', () => {
    // Hand-built in the 2026-11-27 11:15 format: three buckets.
    const f64 = (v: number): number[] => Array.from(new Uint8Array(Float64Array.of(v).buffer));
    const constant = Uint8Array.from([0, ...f64(20)]);
    const decimal = Uint8Array.from([1, 2, 0xe8, 0x07, 2, 1]); // m 500, 501, 500 at e = 2: zigzags 1000, 2, 1
    const raw = Uint8Array.from([2, ...f64(Math.PI), ...f64(-0), ...f64(Number.NaN)]);
    const near = Uint8Array.from([3, 1, 0xcc, 0xff, 2, 2, 2, 1, 2, 0]); // e = 1, k = -52: m 1, 2, 3; c 1 × 2^-52, then -1, then 0
    const plan = planSpanDecode(ALL);
    const order = plan.fields;
    const byField = [constant, near, decimal, raw, constant, decimal, constant, raw, decimal];
    const into = ALL.map(() => new Float64Array(3));
    const buckets = Float64Array.of(DAY0, DAY0 + RES, DAY0 + 2 * RES);
    decodeSpanFields(plan, order.map((f) => byField[f]!), 0, 0, 3, into, 0, buckets);
    expect(Array.from(into[COUNT]!)).toEqual([20, 20, 20]);
    expect(Array.from(into[MIN]!)).toEqual([5, 5.01, 5]);
    expect(Array.from(into[MAX]!, bits)).toEqual([Math.PI, -0, Number.NaN].map(bits));
    expect(Array.from(into[SUM]!, bits)).toEqual([0.1 + 2 ** -52, 0.2 - 2 ** -52, 0.3].map((v, i) => bits(i === 2 ? 3 * 0.1 : v)));
    expect(Array.from(into[FIRST_TS]!)).toEqual(Array.from(buckets, (b) => b + 20));
  });

  it('refuses a referencing BLOB decoded without the field it names, and unknown ops', () => {
    const rows = scraped(counter(31.7, 5));
    const { fields } = encode(rows);
    expect(() => decodeSpanField(fields[INCREASE]!, 0, 10, new Float64Array(10), 0)).toThrow('references field 7 (lastValue), which was not decoded before it');
    const bad = fields[MIN]!.slice();
    bad[1] = 9;
    const refs = ALL.map(() => new Float64Array(288));
    expect(() => decodeSpanField(bad, 0, 10, new Float64Array(10), 0, undefined, refs)).toThrow('derived field op 9');
    expect(() => planSpanDecode([9])).toThrow('field 9 is not known');
    expect(planSpanDecode([MIN]).fields).toEqual([LAST, FIRST, MIN]);
    expect(planSpanDecode([MAX]).fields).toEqual([LAST, MAX]);
    expect(planSpanDecode([SUM, COUNT]).fields).toEqual([COUNT, SUM]);
  });
});
