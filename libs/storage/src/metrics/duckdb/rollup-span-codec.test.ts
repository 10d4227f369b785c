import { describe, expect, it } from 'vitest';
import { decodeSpanBuckets, decodeSpanField, encodeSpanBuckets, isTimestampField, SPAN_FIELDS, SPAN_MS, spanBucketCount } from './rollup-span-codec.js';
import { encodeSpanField } from './rollup-span-encode.js';
import { xorshift32 } from './test-random.js';

const RES = 300_000;
const DAY0 = 20_000 * SPAN_MS;

/** Bit pattern of a float, so -0 and NaN payloads compare exactly. */
function bits(v: number): string {
  const f = new Float64Array([v]);
  const u = new Uint32Array(f.buffer);
  return `${u[1]!.toString(16)}:${u[0]!.toString(16)}`;
}

interface Span {
  readonly buckets: Float64Array;
  readonly fields: Float64Array[];
}

function span(indexes: readonly number[], value: (f: number, i: number) => number): Span {
  const buckets = Float64Array.from(indexes, (k) => DAY0 + k * RES);
  const fields = SPAN_FIELDS.map((name, f) =>
    Float64Array.from(indexes, (_, i) => (name === 'firstTimestamp' || name === 'lastTimestamp' ? buckets[i]! + value(f, i) : value(f, i))),
  );
  return { buckets, fields };
}

function encode(s: Span): { buckets: Uint8Array; fields: Uint8Array[] } {
  const n = s.buckets.length;
  return { buckets: encodeSpanBuckets(DAY0, RES, s.buckets, 0, n), fields: s.fields.map((col, f) => encodeSpanField(col, 0, n, isTimestampField(f) ? s.buckets : undefined)) };
}

function roundTrip(s: Span, fields: readonly number[], first = -Infinity, last = Infinity): { n: number; out: Float64Array[] } {
  const blobs = encode(s);
  expect(spanBucketCount(blobs.buckets)).toBe(s.buckets.length);
  const out = Array.from({ length: fields.length + 1 }, () => new Float64Array(s.buckets.length + 3).fill(-7));
  const range = new Int32Array(2);
  const n = decodeSpanBuckets(blobs.buckets, DAY0, RES, out[0]!, 2, first, last, range);
  expect(range[1]! - range[0]!).toBe(n);
  fields.forEach((f, c) => decodeSpanField(blobs.fields[f]!, range[0]!, range[1]!, out[c + 1]!, 2, isTimestampField(f) ? out[0] : undefined));
  return { n, out };
}

function expectExact(s: Span, fields: readonly number[], first = -Infinity, last = Infinity): void {
  const { n, out } = roundTrip(s, fields, first, last);
  const keep = Array.from(s.buckets.keys()).filter((i) => s.buckets[i]! >= first && s.buckets[i]! <= last);
  expect(n).toBe(keep.length);
  expect(Array.from(out[0]!.subarray(2, 2 + n))).toEqual(keep.map((i) => s.buckets[i]!));
  fields.forEach((f, c) => expect(Array.from(out[c + 1]!.subarray(2, 2 + n), bits)).toEqual(keep.map((i) => bits(s.fields[f]![i]!))));
  // Nothing written outside the rows decoded.
  for (const col of out) expect([col[0], col[1], col[2 + n]]).toEqual([-7, -7, -7]);
}

const ALL = SPAN_FIELDS.map((_, f) => f);

describe('rollup span codec', () => {
  it('round-trips every field bit-exact in each column mode, whole and in part', () => {
    const next = xorshift32(7);
    const values = (f: number, i: number): number => {
      switch (f) {
        case 0:
          return 20; // constant
        case 1:
          return (next() / 2 ** 32) * 1e6; // raw
        case 2:
          return Math.round(next() / 1e3) / 100; // decimal, 2 digits
        case 3:
          return i % 5 === 0 ? -0 : 1e300 * i; // raw: -0 and huge values
        case 4:
          return (next() % 15_000) + 0; // decimal offsets
        case 5:
          return i === 3 ? Number.NaN : i === 4 ? Infinity : i; // raw
        case 6:
          return RES - 1 - (i % 3);
        case 7:
          return -i * 1.5;
        default:
          return 2 ** 51 - i * 2 ** 40; // large decimal deltas: multi-byte varints
      }
    };
    const dense = span(Array.from({ length: 288 }, (_, k) => k), values);
    expectExact(dense, ALL);
    expectExact(dense, [8, 0, 5]);
    expectExact(dense, [], DAY0 + 10 * RES, DAY0 + 20 * RES + 1);
    expectExact(dense, ALL, DAY0 + 287 * RES, Infinity);
    expectExact(dense, [1, 4], DAY0 + 500 * RES, Infinity);
    const gaps = span([0, 1, 5, 6, 7, 100, 287], values);
    expectExact(gaps, ALL);
    expectExact(gaps, [2, 6, 7], DAY0 + 2 * RES, DAY0 + 100 * RES);
    expectExact(gaps, [3], DAY0 + 8 * RES, DAY0 + 99 * RES);
    expectExact(span([200], values), ALL);
  });

  it('takes a few bytes a bucket for steady scrapes of an integer counter', () => {
    const s = span(
      Array.from({ length: 288 }, (_, k) => k),
      (f, i) => [20, 20 * (1e6 + 20 * i) + 190, 1e6 + 20 * i, 1e6 + 20 * i + 19, 1_234, 1e6 + 20 * i, 1_234 + 19 * 15_000, 1e6 + 20 * i + 19, 19][f]!,
    );
    const { buckets, fields } = encode(s);
    expect(buckets.length).toBe(5);
    // Each field on its own (rollup-span-fields.test.ts codes them against each other): count,
    // timestamps and increase constant (9 bytes); the values one byte a bucket (delta 20) after
    // the first; the sum one after the first two (second order: its delta, 8,000, is steady).
    expect(fields.map((b) => b.length)).toEqual([9, 2 + 4 + 2 + 286, 2 + 3 + 287, 2 + 3 + 287, 9, 2 + 3 + 287, 9, 2 + 3 + 287, 9]);
    expect(fields.map((b) => b[0])).toEqual([0, 4, 1, 1, 0, 1, 0, 1, 0]);
  });

  it('codes values a few ULPs off a decimal in a few bytes and decodes them bit-exact, across binades too', () => {
    const next = xorshift32(11);
    const n = 288;
    // Counters accumulated from hundredths in floating point, as scrapers' sums are.
    let total = 1000;
    const accumulated = Float64Array.from({ length: n }, () => (total += (next() % 2000) / 100));
    // Crossing 2048 and 4096 (the ULP doubles) and a value at zero.
    let t = 1900.3;
    const binades = Float64Array.from({ length: n }, (_, i) => (i === 5 ? 0 : (t += 7.77)));
    // Sums of three-decimal gauges.
    const sums = Float64Array.from({ length: n }, () => {
      let sum = 0;
      for (let k = 0; k < 20; k++) sum += (50_000 + (next() % 30_000)) / 1000;
      return sum;
    });
    const noise = Float64Array.from({ length: n }, () => next() / 7 + next() / 2 ** 32);
    // Near-decimal of the first or second order (3 or 5), whichever is shorter.
    for (const [values, modes, maxBytes] of [
      [accumulated, [3, 5], 3 * n],
      [binades, [3, 5], 5 * n],
      [sums, [3, 5], 4 * n],
      [noise, [2], 8 * n],
    ] as const) {
      const blob = encodeSpanField(values, 0, n);
      expect(modes).toContain(blob[0]);
      expect(blob.length).toBeLessThanOrEqual(4 + maxBytes);
      const out = new Float64Array(n);
      decodeSpanField(blob, 0, n, out, 0);
      expect(Array.from(out, bits)).toEqual(Array.from(values, bits));
      const part = new Float64Array(10);
      decodeSpanField(blob, 100, 110, part, 0);
      expect(Array.from(part, bits)).toEqual(Array.from(values.subarray(100, 110), bits));
    }
  });

  it('refuses rows that do not make a span', () => {
    expect(() => encodeSpanBuckets(DAY0, RES, Float64Array.of(DAY0 + RES, DAY0), 0, 2)).toThrow('must ascend');
    expect(() => encodeSpanBuckets(DAY0, RES, Float64Array.of(DAY0 + SPAN_MS, DAY0), 0, 2)).toThrow('is not a bucket of the span');
    expect(() => encodeSpanBuckets(DAY0, RES, Float64Array.of(DAY0 + 7), 0, 1)).toThrow('is not a bucket of the span');
    expect(() => encodeSpanBuckets(DAY0, RES, Float64Array.of(DAY0), 0, 0)).toThrow('1 to 1440 buckets');
    const field = encodeSpanField(Float64Array.of(1, 2), 0, 2);
    field[0] = 9;
    expect(() => decodeSpanField(field, 0, 2, new Float64Array(2), 0)).toThrow('mode 9');
    const truncated = encodeSpanField(Float64Array.of(0.5, Math.PI), 0, 2).subarray(0, 10);
    expect(() => decodeSpanField(truncated, 0, 2, new Float64Array(2), 0)).toThrow('fewer than 2 values');
  });
});
