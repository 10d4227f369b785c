import type { FloatHistogram } from '../engine/values.js';
import { RESET_HINT_GAUGE, RESET_HINT_NO, RESET_HINT_UNKNOWN, RESET_HINT_YES } from '#pharos/metric-model';
import { CUSTOM_BUCKETS_SCHEMA, exponentialBound, isCustomBucketsSchema } from './bounds.js';
import { reconcileZeroBuckets, reduceSide } from './layout.js';
import { cloneSide, collapse, expand, expandSide, type BucketList, type ExpandedHistogram } from './expanded.js';
import { kahanInc } from './kahan.js';

/**
 * Native histogram arithmetic with the semantics of Prometheus' `FloatHistogram`
 * (`model/histogram/float_histogram.go`): sums and differences reduce to the lower schema and
 * reconcile zero buckets; custom-bucket histograms with different bounds are reconciled to the
 * bounds both share. All functions are pure: inputs are never mutated, new objects come out.
 */

/** Thrown when exponential and custom-bucket histograms meet (Prometheus' `ErrHistogramsIncompatibleSchema`). */
export class IncompatibleHistogramSchemaError extends Error {
  override readonly name = 'IncompatibleHistogramSchemaError';
  constructor() {
    super('cannot apply this operation on histograms with a mix of exponential and custom bucket schemas');
  }
}

export interface HistogramCombineResult {
  readonly histogram: FloatHistogram;
  /** One operand was marked as a counter reset and the other as not a reset. */
  readonly counterResetCollision: boolean;
  /** Custom-bucket bounds differed and both operands were mapped onto the bounds they share. */
  readonly boundsReconciled: boolean;
}

/** `a + b`. The result is not compacted (empty buckets may remain), as in Prometheus' `Add`. */
export function addHistograms(a: FloatHistogram, b: FloatHistogram): HistogramCombineResult {
  const h = expand(a);
  const flags = combineInto(h, expand(b), false, undefined);
  return { histogram: collapse(h, false), ...flags };
}

/** `a - b`, as Prometheus' `Sub`. */
export function subHistograms(a: FloatHistogram, b: FloatHistogram): HistogramCombineResult {
  const h = expand(a);
  const flags = combineInto(h, expand(b), true, undefined);
  return { histogram: collapse(h, false), ...flags };
}

/** Multiplies every count, the sum and the zero count by `factor` (Prometheus' `Mul`). */
export function scaleHistogram(h: FloatHistogram, factor: number): FloatHistogram {
  return {
    ...h,
    isInteger: false,
    zeroCount: h.zeroCount * factor,
    count: h.count * factor,
    sum: h.sum * factor,
    positiveCounts: h.positiveCounts.map((c) => c * factor),
    negativeCounts: h.negativeCounts.map((c) => c * factor),
  };
}

/** Divides by `s` (Prometheus' `Div`); dividing by zero removes all buckets. */
export function divHistogramByScalar(h: FloatHistogram, s: number): FloatHistogram {
  if (s === 0) {
    return {
      ...h,
      isInteger: false,
      zeroCount: h.zeroCount / s,
      count: h.count / s,
      sum: h.sum / s,
      positiveSpans: new Int32Array(0),
      positiveCounts: new Float64Array(0),
      negativeSpans: new Int32Array(0),
      negativeCounts: new Float64Array(0),
    };
  }
  return {
    ...h,
    isInteger: false,
    zeroCount: h.zeroCount / s,
    count: h.count / s,
    sum: h.sum / s,
    positiveCounts: h.positiveCounts.map((c) => c / s),
    negativeCounts: h.negativeCounts.map((c) => c / s),
  };
}

/** Removes empty buckets and encodes each run of consecutive buckets as one span (`Compact(0)`). */
export function compactHistogram(h: FloatHistogram): FloatHistogram {
  return collapse(expand(h), true);
}

/** The histogram at a lower resolution `schema` (≤ its own), merging buckets (`CopyToSchema`). */
export function reduceResolution(h: FloatHistogram, schema: number): FloatHistogram {
  if (schema === h.schema) return collapse(expand(h), false);
  if (isCustomBucketsSchema(h.schema) || isCustomBucketsSchema(schema)) {
    throw new RangeError(`cannot change the schema of a custom-bucket histogram (to ${schema})`);
  }
  if (schema > h.schema) {
    throw new RangeError(`cannot reduce resolution from schema ${h.schema} to the higher schema ${schema}`);
  }
  const e = expand(h);
  e.pos = reduceSide(e.pos, h.schema, schema);
  e.neg = reduceSide(e.neg, h.schema, schema);
  e.schema = schema;
  return collapse(e, false);
}

/**
 * Exact equality as Prometheus' `Equals`: same schema, thresholds, bit-identical counts and sum,
 * and the same bucket layout (spans may be split differently, but must describe the same
 * buckets, empty ones included). NaN equals NaN here; 0 and -0 differ.
 */
export function histogramEquals(a: FloatHistogram, b: FloatHistogram): boolean {
  if (a.schema !== b.schema || !Object.is(a.count, b.count) || !Object.is(a.sum, b.sum)) return false;
  if (isCustomBucketsSchema(a.schema) && !floatsMatch(a.customValues, b.customValues)) return false;
  if (a.zeroThreshold !== b.zeroThreshold || !Object.is(a.zeroCount, b.zeroCount)) return false;
  return sidesMatch(a.negativeSpans, a.negativeCounts, b.negativeSpans, b.negativeCounts) &&
    sidesMatch(a.positiveSpans, a.positiveCounts, b.positiveSpans, b.positiveCounts);
}

function sidesMatch(sa: Int32Array, ca: Float64Array, sb: Int32Array, cb: Float64Array): boolean {
  if (!floatsMatch(ca, cb)) return false;
  const a = expandSide(sa, ca).idx;
  const b = expandSide(sb, cb).idx;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function floatsMatch(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** True if any count, the sum or a bucket is infinite (Prometheus' `HasOverflow`). */
export function histogramHasOverflow(h: FloatHistogram): boolean {
  if (!Number.isFinite(h.count) && !Number.isNaN(h.count)) return true;
  if (!Number.isFinite(h.sum) && !Number.isNaN(h.sum)) return true;
  if (!Number.isFinite(h.zeroCount) && !Number.isNaN(h.zeroCount)) return true;
  for (const c of h.positiveCounts) if (c === Infinity || c === -Infinity) return true;
  for (const c of h.negativeCounts) if (c === Infinity || c === -Infinity) return true;
  return false;
}

// Internals shared with the Kahan accumulator.

/** Bounds present in both sorted bound lists. */
export function intersectBounds(a: Float64Array, b: Float64Array): Float64Array {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i]! === b[j]!) {
      out.push(a[i]!);
      i++;
      j++;
    } else if (a[i]! < b[j]!) i++;
    else j++;
  }
  return Float64Array.from(out);
}

/** Re-buckets a custom-bucket side onto `common` ⊆ `bounds`: bucket i goes to the first common bound ≥ its upper bound. */
export function remapCustomSide(side: BucketList, bounds: Float64Array, common: Float64Array): BucketList {
  const idx: number[] = [];
  const cnt: number[] = [];
  let k = 0;
  for (let i = 0; i < side.idx.length; i++) {
    const index = side.idx[i]!;
    const upper = index >= bounds.length ? Infinity : bounds[index]!;
    while (k < common.length && common[k]! < upper) k++;
    if (idx.length > 0 && idx[idx.length - 1] === k) {
      cnt[cnt.length - 1] = cnt[cnt.length - 1]! + side.cnt[i]!;
    } else {
      idx.push(k);
      cnt.push(side.cnt[i]!);
    }
  }
  return { idx, cnt };
}

/** Prometheus' `adjustCounterReset`: the hint of a sum, and whether reset and not-reset collided. */
function adjustResetHint(h: ExpandedHistogram, otherHint: number): boolean {
  const mine = h.resetHint;
  if (otherHint === mine || mine === RESET_HINT_GAUGE) return false;
  if (otherHint === RESET_HINT_GAUGE) {
    h.resetHint = RESET_HINT_GAUGE;
    return false;
  }
  if (mine === RESET_HINT_UNKNOWN) return false;
  if (otherHint === RESET_HINT_UNKNOWN) {
    h.resetHint = RESET_HINT_UNKNOWN;
    return false;
  }
  // CounterReset met NotCounterReset.
  h.resetHint = RESET_HINT_UNKNOWN;
  return mine === RESET_HINT_YES || mine === RESET_HINT_NO;
}

/**
 * `h ±= other` in place (the expanded `h` is the caller's scratch copy; `other` is not
 * modified). With `comp`, additions are Kahan-compensated into `comp`, which must have `h`'s
 * layout (Prometheus' `KahanAdd`).
 */
export function combineInto(
  h: ExpandedHistogram,
  otherIn: ExpandedHistogram,
  negate: boolean,
  comp: ExpandedHistogram | undefined,
): { counterResetCollision: boolean; boundsReconciled: boolean } {
  const hCustom = isCustomBucketsSchema(h.schema);
  if (hCustom !== isCustomBucketsSchema(otherIn.schema)) throw new IncompatibleHistogramSchemaError();
  let other = otherIn;
  let boundsReconciled = false;
  if (hCustom && !floatsMatch(h.customValues, other.customValues)) {
    const common = intersectBounds(h.customValues, other.customValues);
    h.pos = remapCustomSide(h.pos, h.customValues, common);
    if (comp) comp.pos = remapCustomSide(comp.pos, h.customValues, common);
    h.customValues = common;
    if (comp) comp.customValues = common;
    other = { ...other, pos: remapCustomSide(other.pos, other.customValues, common), customValues: common };
    boundsReconciled = true;
  }
  const counterResetCollision = adjustResetHint(h, other.resetHint);
  const sign = negate ? -1 : 1;

  if (!hCustom) {
    const otherZeroCount = reconcileZeroBuckets(h, other, comp);
    h.zeroCount = addTerm(h.zeroCount, sign * otherZeroCount, comp, 'zeroCount');
  }
  h.count = addTerm(h.count, sign * other.count, comp, 'count');
  h.sum = addTerm(h.sum, sign * other.sum, comp, 'sum');

  if (hCustom) {
    mergeSide(h, 'pos', other.pos, sign, comp, -Infinity);
    return { counterResetCollision, boundsReconciled };
  }
  let otherPos = other.pos;
  let otherNeg = other.neg;
  if (other.schema < h.schema) {
    h.pos = reduceSide(h.pos, h.schema, other.schema);
    h.neg = reduceSide(h.neg, h.schema, other.schema);
    if (comp) {
      comp.pos = reduceSide(comp.pos, h.schema, other.schema);
      comp.neg = reduceSide(comp.neg, h.schema, other.schema);
      comp.schema = other.schema;
    }
    h.schema = other.schema;
  } else if (other.schema > h.schema) {
    otherPos = reduceSide(otherPos, other.schema, h.schema);
    otherNeg = reduceSide(otherNeg, other.schema, h.schema);
  }
  mergeSide(h, 'pos', otherPos, sign, comp, h.zeroThreshold);
  mergeSide(h, 'neg', otherNeg, sign, comp, h.zeroThreshold);
  return { counterResetCollision, boundsReconciled };
}

type ScalarField = 'zeroCount' | 'count' | 'sum';

function addTerm(current: number, inc: number, comp: ExpandedHistogram | undefined, field: ScalarField): number {
  if (!comp) return current + inc;
  const [s, c] = kahanInc(inc, current, comp[field]);
  comp[field] = c;
  return s;
}

/**
 * Merges `other`'s buckets into `h[sideName]`. Leading buckets of `other` whose upper bound is
 * within the zero threshold are skipped: their counts went into the zero bucket already.
 */
function mergeSide(
  h: ExpandedHistogram,
  sideName: 'pos' | 'neg',
  other: BucketList,
  sign: number,
  comp: ExpandedHistogram | undefined,
  threshold: number,
): void {
  const a = h[sideName];
  const ac = comp?.[sideName];
  let start = 0;
  if (h.schema !== CUSTOM_BUCKETS_SCHEMA) {
    while (start < other.idx.length && exponentialBound(other.idx[start]!, h.schema) <= threshold) start++;
  }
  const idx: number[] = [];
  const cnt: number[] = [];
  const ccnt: number[] = [];
  let i = 0;
  let j = start;
  while (i < a.idx.length || j < other.idx.length) {
    const ai = i < a.idx.length ? a.idx[i]! : Infinity;
    const bj = j < other.idx.length ? other.idx[j]! : Infinity;
    if (ai < bj) {
      idx.push(ai);
      cnt.push(a.cnt[i]!);
      if (ac) ccnt.push(ac.cnt[i]!);
      i++;
    } else if (bj < ai) {
      idx.push(bj);
      if (ac) {
        const [s, c] = kahanInc(sign * other.cnt[j]!, 0, 0);
        cnt.push(s);
        ccnt.push(c);
      } else {
        cnt.push(sign * other.cnt[j]!);
      }
      j++;
    } else {
      idx.push(ai);
      if (ac) {
        const [s, c] = kahanInc(sign * other.cnt[j]!, a.cnt[i]!, ac.cnt[i]!);
        cnt.push(s);
        ccnt.push(c);
      } else {
        cnt.push(a.cnt[i]! + sign * other.cnt[j]!);
      }
      i++;
      j++;
    }
  }
  h[sideName] = { idx, cnt };
  if (comp) comp[sideName] = { idx: idx.slice(), cnt: ccnt };
}

/** An all-zero histogram with `h`'s layout, to hold Kahan compensation terms. */
export function zeroLike(h: ExpandedHistogram): ExpandedHistogram {
  return {
    resetHint: h.resetHint,
    schema: h.schema,
    zeroThreshold: h.zeroThreshold,
    zeroCount: 0,
    count: 0,
    sum: 0,
    pos: { idx: h.pos.idx.slice(), cnt: h.pos.idx.map(() => 0) },
    neg: { idx: h.neg.idx.slice(), cnt: h.neg.idx.map(() => 0) },
    customValues: h.customValues,
  };
}

export function cloneExpanded(h: ExpandedHistogram): ExpandedHistogram {
  return { ...h, pos: cloneSide(h.pos), neg: cloneSide(h.neg) };
}

/** Multiplies an expanded histogram in place. */
export function scaleExpanded(h: ExpandedHistogram, factor: number): void {
  h.zeroCount *= factor;
  h.count *= factor;
  h.sum *= factor;
  for (let i = 0; i < h.pos.cnt.length; i++) h.pos.cnt[i] = h.pos.cnt[i]! * factor;
  for (let i = 0; i < h.neg.cnt.length; i++) h.neg.cnt[i] = h.neg.cnt[i]! * factor;
}

/** Divides an expanded histogram in place; dividing by zero removes all buckets (as `Div`). */
export function divideExpanded(h: ExpandedHistogram, s: number): void {
  h.zeroCount /= s;
  h.count /= s;
  h.sum /= s;
  if (s === 0) {
    h.pos = { idx: [], cnt: [] };
    h.neg = { idx: [], cnt: [] };
    return;
  }
  for (let i = 0; i < h.pos.cnt.length; i++) h.pos.cnt[i] = h.pos.cnt[i]! / s;
  for (let i = 0; i < h.neg.cnt.length; i++) h.neg.cnt[i] = h.neg.cnt[i]! / s;
}

export function expandedHasOverflow(h: ExpandedHistogram): boolean {
  const inf = (x: number) => x === Infinity || x === -Infinity;
  if (inf(h.count) || inf(h.sum) || inf(h.zeroCount)) return true;
  return h.pos.cnt.some(inf) || h.neg.cnt.some(inf);
}
