import { CUSTOM_BUCKETS_SCHEMA, type NativeHistogram } from '#pharos/metric-model';
import { formatGoFloat, parseGoNumber } from './go-syntax.js';
import { almostEqual } from './float-compare.js';

/**
 * The native histogram notation of promqltest scripts, `{{schema:0 sum:5 count:4 buckets:[1 2 1]}}`
 * (Prometheus' series-description grammar, `promql/parser/generated_parser.y`), and the
 * histogram arithmetic the notation `{{a}}+{{b}}x3` needs. This is the test harness's own,
 * deliberately independent of the engine's histogram code: expected values must not come from
 * the code under test.
 */

/** A histogram from a script, with whether `counter_reset_hint` was written explicitly. */
export interface NotatedHistogram {
  readonly histogram: NativeHistogram;
  /** Prometheus compares the reset hint only when the expected histogram names one. */
  readonly hintSet: boolean;
}

const RESET_HINTS: Readonly<Record<string, number>> = { unknown: 0, reset: 1, not_reset: 2, gauge: 3 };
const RESET_HINT_NAMES = ['unknown', 'reset', 'not_reset', 'gauge'];

const KEYS = new Set([
  'schema',
  'sum',
  'count',
  'z_bucket',
  'z_bucket_w',
  'custom_values',
  'buckets',
  'offset',
  'n_buckets',
  'n_offset',
  'counter_reset_hint',
]);

/** Parses the inside of `{{ … }}`; throws an Error naming the problem. */
export function parseHistogramDescription(body: string): NotatedHistogram {
  const fields = new Map<string, string>();
  let i = 0;
  while (i < body.length) {
    if (/\s/.test(body[i]!)) {
      i++;
      continue;
    }
    const key = /^([A-Za-z_]+)\s*:\s*/.exec(body.slice(i));
    if (!key) throw new Error(`bad histogram descriptor at ${JSON.stringify(body.slice(i))}`);
    const name = key[1]!.toLowerCase();
    if (!KEYS.has(name)) throw new Error(`bad histogram descriptor found: "${key[1]}"`);
    if (fields.has(name)) throw new Error(`duplicate key "${name}" in histogram`);
    i += key[0].length;
    let value: string;
    if (body[i] === '[') {
      const close = body.indexOf(']', i);
      if (close < 0) throw new Error(`unterminated bucket list in histogram "${body}"`);
      value = body.slice(i, close + 1);
      i = close + 1;
    } else {
      const m = /^\S+/.exec(body.slice(i));
      if (!m) throw new Error(`missing value for histogram descriptor "${name}"`);
      value = m[0];
      i += value.length;
    }
    fields.set(name, value);
  }

  const num = (name: string, integer = false): number => {
    const text = fields.get(name);
    if (text === undefined) return 0;
    const v = parseGoNumber(text);
    if (v === undefined || (integer && !Number.isInteger(v))) throw new Error(`error parsing ${name} number: ${text}`);
    return v;
  };
  const list = (name: string): number[] => {
    const text = fields.get(name);
    if (text === undefined) return [];
    if (!text.startsWith('[') || !text.endsWith(']')) throw new Error(`error parsing ${name} float array: ${text}`);
    const items = text.slice(1, -1).trim().split(/\s+/).filter((s) => s !== '');
    if (items.length === 0) throw new Error(`empty bucket list for ${name}`);
    return items.map((s) => {
      const v = parseGoNumber(s);
      if (v === undefined) throw new Error(`invalid number ${s} in ${name}`);
      return v;
    });
  };
  const hintText = fields.get('counter_reset_hint');
  let resetHint = 0;
  if (hintText !== undefined) {
    const hint = RESET_HINTS[hintText.toLowerCase()];
    if (hint === undefined) throw new Error(`error parsing counter_reset_hint: unknown value ${hintText}`);
    resetHint = hint;
  }
  const positive = list('buckets');
  const negative = list('n_buckets');
  const histogram: NativeHistogram = {
    isInteger: false,
    schema: num('schema', true),
    zeroThreshold: num('z_bucket_w'),
    zeroCount: num('z_bucket'),
    count: num('count'),
    sum: num('sum'),
    positiveSpans: positive.length > 0 ? Int32Array.of(num('offset', true), positive.length) : new Int32Array(0),
    positiveCounts: Float64Array.from(positive),
    negativeSpans: negative.length > 0 ? Int32Array.of(num('n_offset', true), negative.length) : new Int32Array(0),
    negativeCounts: Float64Array.from(negative),
    resetHint,
    customValues: Float64Array.from(list('custom_values')),
  };
  return { histogram, hintSet: hintText !== undefined };
}

/** Absolute bucket indexes and counts of one side of a histogram, in index order. */
interface SparseBuckets {
  readonly indexes: number[];
  readonly counts: number[];
}

function sparse(spans: Int32Array, counts: Float64Array, dropZeros: boolean): SparseBuckets {
  const out: SparseBuckets = { indexes: [], counts: [] };
  let index = 0;
  let k = 0;
  for (let s = 0; s + 1 < spans.length; s += 2) {
    index += spans[s]!;
    for (let j = 0; j < spans[s + 1]!; j++, index++, k++) {
      const c = counts[k]!;
      if (dropZeros && c === 0) continue;
      out.indexes.push(index);
      out.counts.push(c);
    }
  }
  return out;
}

function toSpans(b: SparseBuckets): { spans: Int32Array; counts: Float64Array } {
  const spans: number[] = [];
  let prev = 0;
  for (let i = 0; i < b.indexes.length; i++) {
    const index = b.indexes[i]!;
    if (i > 0 && index === prev + 1) spans[spans.length - 1]!++;
    else spans.push(i === 0 ? index : index - prev - 1, 1);
    prev = index;
  }
  return { spans: Int32Array.from(spans), counts: Float64Array.from(b.counts) };
}

/** Bucket index at a lower exponential schema (Prometheus' `targetIdx`). */
function reducedIndex(index: number, from: number, to: number): number {
  return Math.floor((index - 1) / 2 ** (from - to)) + 1;
}

function merge(a: SparseBuckets, b: SparseBuckets, bFrom: number, to: number, sign: 1 | -1): SparseBuckets {
  const byIndex = new Map<number, number>();
  for (let i = 0; i < a.indexes.length; i++) byIndex.set(a.indexes[i]!, a.counts[i]!);
  for (let i = 0; i < b.indexes.length; i++) {
    const index = bFrom === to ? b.indexes[i]! : reducedIndex(b.indexes[i]!, bFrom, to);
    byIndex.set(index, (byIndex.get(index) ?? 0) + sign * b.counts[i]!);
  }
  const indexes = [...byIndex.keys()].sort((x, y) => x - y);
  return { indexes, counts: indexes.map((i) => byIndex.get(i)!) };
}

/** Counter-reset hint of a sum, as `FloatHistogram.adjustCounterReset`. */
function combinedHint(a: number, b: number): number {
  if (a === b) return a;
  if (a === 3 || b === 3) return 3;
  return 0;
}

/**
 * `a + b` or `a - b` as Prometheus' `FloatHistogram.Add`/`Sub` for the cases scripts use:
 * `b`'s buckets are brought down to `a`'s schema (a lower schema in `b` is an error, as in the
 * series grammar), custom-bucket histograms need equal bounds, zero thresholds must match.
 */
export function combineHistograms(a: NativeHistogram, b: NativeHistogram, sign: 1 | -1): NativeHistogram {
  const aCustom = a.schema === CUSTOM_BUCKETS_SCHEMA;
  if (aCustom !== (b.schema === CUSTOM_BUCKETS_SCHEMA)) {
    throw new Error('cannot apply this operation on histograms with a mix of exponential and custom bucket schemas');
  }
  if (a.schema > b.schema) throw new Error(`error combining histograms: cannot merge from schema ${b.schema} to ${a.schema}`);
  if (aCustom && !floatArraysEqual(a.customValues, b.customValues)) {
    throw new Error('combining custom-bucket histograms with different bounds is not supported by the promqltest notation here');
  }
  if (a.zeroThreshold !== b.zeroThreshold) {
    throw new Error('combining histograms with different zero thresholds is not supported by the promqltest notation here');
  }
  const positive = toSpans(merge(sparse(a.positiveSpans, a.positiveCounts, false), sparse(b.positiveSpans, b.positiveCounts, false), b.schema, a.schema, sign));
  const negative = toSpans(merge(sparse(a.negativeSpans, a.negativeCounts, false), sparse(b.negativeSpans, b.negativeCounts, false), b.schema, a.schema, sign));
  return {
    ...a,
    isInteger: false,
    zeroCount: a.zeroCount + sign * b.zeroCount,
    count: a.count + sign * b.count,
    sum: a.sum + sign * b.sum,
    positiveSpans: positive.spans,
    positiveCounts: positive.counts,
    negativeSpans: negative.spans,
    negativeCounts: negative.counts,
    resetHint: combinedHint(a.resetHint, b.resetHint),
  };
}

/** `{{a}}+{{b}}xN` and `{{a}}-{{b}}xN`: N+1 histograms, a first. */
export function histogramSeries(base: NotatedHistogram, step: NotatedHistogram, times: number, sign: 1 | -1): NotatedHistogram[] {
  // Prometheus records the hint flag of the histogram parsed last, the increment.
  const hintSet = step.hintSet;
  const out: NotatedHistogram[] = [{ histogram: base.histogram, hintSet }];
  let current = base.histogram;
  for (let i = 1; i <= times; i++) {
    current = combineHistograms(current, step.histogram, sign);
    out.push({ histogram: current, hintSet });
  }
  return out;
}

function floatArraysEqual(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function bucketsMatch(a: SparseBuckets, b: SparseBuckets): boolean {
  if (a.indexes.length !== b.indexes.length) return false;
  for (let i = 0; i < a.indexes.length; i++) {
    if (a.indexes[i] !== b.indexes[i] || !almostEqual(a.counts[i]!, b.counts[i]!)) return false;
  }
  return true;
}

/**
 * Prometheus' `compareNativeHistogram` on compacted histograms: schema, custom bounds (when
 * expected uses them) and zero threshold exactly, counts and sums with the float tolerance,
 * the same non-empty buckets; the reset hint only when `checkHint`.
 */
export function histogramsMatch(expected: NativeHistogram, actual: NativeHistogram, checkHint: boolean): boolean {
  if (expected.schema !== actual.schema) return false;
  if (!almostEqual(expected.count, actual.count) || !almostEqual(expected.sum, actual.sum)) return false;
  if (expected.schema === CUSTOM_BUCKETS_SCHEMA && !floatArraysEqual(expected.customValues, actual.customValues)) return false;
  if (expected.zeroThreshold !== actual.zeroThreshold || !almostEqual(expected.zeroCount, actual.zeroCount)) return false;
  if (!bucketsMatch(sparse(expected.negativeSpans, expected.negativeCounts, true), sparse(actual.negativeSpans, actual.negativeCounts, true))) return false;
  if (!bucketsMatch(sparse(expected.positiveSpans, expected.positiveCounts, true), sparse(actual.positiveSpans, actual.positiveCounts, true))) return false;
  return !checkHint || expected.resetHint === actual.resetHint;
}

/** The histogram in script notation, as Prometheus' `TestExpression` writes it (one span per side). */
export function formatHistogram(h: NativeHistogram): string {
  const parts: string[] = [];
  if (h.schema !== 0) parts.push(`schema:${h.schema}`);
  if (h.count !== 0) parts.push(`count:${formatGoFloat(h.count)}`);
  if (h.sum !== 0) parts.push(`sum:${formatGoFloat(h.sum)}`);
  if (h.zeroCount !== 0) parts.push(`z_bucket:${formatGoFloat(h.zeroCount)}`);
  if (h.zeroThreshold !== 0) parts.push(`z_bucket_w:${formatGoFloat(h.zeroThreshold)}`);
  if (h.schema === CUSTOM_BUCKETS_SCHEMA) parts.push(`custom_values:[${[...h.customValues].map(formatGoFloat).join(' ')}]`);
  if (h.resetHint > 0) parts.push(`counter_reset_hint:${RESET_HINT_NAMES[h.resetHint] ?? h.resetHint}`);
  const side = (bucketsKey: string, offsetKey: string, spans: Int32Array, counts: Float64Array): void => {
    const b = sparse(spans, counts, true);
    if (b.indexes.length === 0) return;
    const first = b.indexes[0]!;
    const last = b.indexes[b.indexes.length - 1]!;
    const dense = new Array<number>(last - first + 1).fill(0);
    for (let i = 0; i < b.indexes.length; i++) dense[b.indexes[i]! - first] = b.counts[i]!;
    if (first !== 0) parts.push(`${offsetKey}:${first}`);
    parts.push(`${bucketsKey}:[${dense.map(formatGoFloat).join(' ')}]`);
  };
  side('buckets', 'offset', h.positiveSpans, h.positiveCounts);
  side('n_buckets', 'n_offset', h.negativeSpans, h.negativeCounts);
  return `{{${parts.join(' ')}}}`;
}
