import { decodeSpanField, isTimestampField, MAX_SPAN_BUCKETS, MAY_REFERENCE, SPAN_FIELDS } from './rollup-span-codec.js';
import { encodeDecimalAfter, encodeDerived, encodeSpanField, shortest } from './rollup-span-encode.js';

/**
 * A span's fields together: the encoder may code a field against the others (min as the first
 * value, the increase as last − first, ...; rollup-span-codec.ts, modes 6 and 7), so a read
 * decodes the fields a BLOB may reference first ({@link planSpanDecode}).
 */

const MIN = 2;
const MAX = 3;
const FIRST_VALUE = 5;
const LAST_VALUE = 7;
const INCREASE = 8;
/** Decode order: every field after those it may reference. */
const DECODE_ORDER = [LAST_VALUE, FIRST_VALUE, 0, 1, MIN, MAX, 4, 6, INCREASE] as const;

/**
 * BLOBs of every field of the rows `[from, from + n)` (`cols` in {@link SPAN_FIELDS} order,
 * `buckets` their bucket starts), each in the shortest mode that round-trips bit-exact.
 */
export function encodeSpanFields(cols: readonly Float64Array[], from: number, n: number, buckets: Float64Array): Uint8Array[] {
  const values = (f: number): Float64Array => cols[f]!.subarray(from, from + n);
  return SPAN_FIELDS.map((_, f) => {
    const v = values(f);
    // A derived field without exceptions (5 or 6 bytes) is shorter than any other mode.
    let derived: Uint8Array | undefined;
    if (f === MIN) derived = encodeDerived(v, n, FIRST_VALUE, values(FIRST_VALUE));
    else if (f === MAX) derived = encodeDerived(v, n, LAST_VALUE, values(LAST_VALUE));
    else if (f === INCREASE) derived = encodeDerived(v, n, LAST_VALUE, values(LAST_VALUE), FIRST_VALUE, values(FIRST_VALUE));
    if (derived !== undefined && derived.length <= 6) return derived;
    let best = shortest(derived, encodeSpanField(cols[f]!, from, n, isTimestampField(f) ? buckets : undefined))!;
    if (f === FIRST_VALUE && best.length > 9) best = shortest(best, encodeDecimalAfter(v, n, LAST_VALUE, values(LAST_VALUE)))!;
    return best;
  });
}

/** How to decode some fields of spans: which BLOBs to fetch, in what order, and where each goes. */
export interface SpanDecodePlan {
  /** Fields to fetch (indexes in {@link SPAN_FIELDS}), in decode order: those asked for and those their BLOBs may reference. */
  readonly fields: readonly number[];
  /** Per entry of `fields`: its place among the fields asked for, or -1 (fetched as a reference only). */
  readonly target: readonly number[];
  /** Per entry of `fields`: whether a later field may reference it (then it is decoded from the span's first row). */
  readonly referenced: readonly boolean[];
}

/** The plan for decoding `asked` (indexes in {@link SPAN_FIELDS}; the caller's columns in this order). */
export function planSpanDecode(asked: readonly number[]): SpanDecodePlan {
  const needed = new Set<number>();
  const add = (f: number): void => {
    if (needed.has(f)) return;
    needed.add(f);
    for (const r of MAY_REFERENCE[f]!) add(r);
  };
  for (const f of asked) {
    if (!(f >= 0 && f < SPAN_FIELDS.length)) throw new RangeError(`rollup span field ${f} is not known`);
    add(f);
  }
  const fields = DECODE_ORDER.filter((f) => needed.has(f));
  return {
    fields,
    target: fields.map((f) => asked.indexOf(f)),
    referenced: fields.map((f) => fields.some((g) => MAY_REFERENCE[g]!.includes(f))),
  };
}

/** Referenced fields of the span being decoded, from its first row, when they cannot be decoded in place. */
const REF_SCRATCH = SPAN_FIELDS.map(() => new Float64Array(MAX_SPAN_BUCKETS));
const refs: (Float64Array | undefined)[] = SPAN_FIELDS.map(() => undefined);
/** Where row 0 of each referenced field is in `refs`. */
const refAt = new Int32Array(SPAN_FIELDS.length);

/**
 * Decodes rows `[lo, hi)` of one span's fields (`blobs` from `b0` in `plan.fields` order) into `into`
 * (the fields asked for, in their order) from `at`; `buckets` holds the rows' bucket starts at
 * the same places (timestamps are offsets from them). A referenced field asked for is decoded
 * in place when its rows start at the span's first (`lo` = 0, every span of a read but the
 * first), and the fields referencing it read it there; otherwise into scratch and copied. No
 * allocation.
 */
export function decodeSpanFields(
  plan: SpanDecodePlan,
  blobs: readonly Uint8Array[],
  b0: number,
  lo: number,
  hi: number,
  into: readonly Float64Array[],
  at: number,
  buckets: Float64Array,
): void {
  if (hi <= lo) return;
  if (hi > MAX_SPAN_BUCKETS) throw new RangeError(`a rollup span holds at most ${MAX_SPAN_BUCKETS} buckets, not ${hi}`);
  refs.fill(undefined);
  const { fields, target, referenced } = plan;
  for (let k = 0; k < fields.length; k++) {
    const f = fields[k]!;
    const t = target[k]!;
    if (referenced[k]) {
      if (t >= 0 && lo === 0) {
        decodeSpanField(blobs[b0 + k]!, 0, hi, into[t]!, at, undefined, refs, refAt);
        refs[f] = into[t]!;
        refAt[f] = at;
        continue;
      }
      const scratch = REF_SCRATCH[f]!;
      decodeSpanField(blobs[b0 + k]!, 0, hi, scratch, 0, undefined, refs, refAt);
      refs[f] = scratch;
      refAt[f] = 0;
      if (t >= 0) into[t]!.set(scratch.subarray(lo, hi), at);
    } else if (t >= 0) decodeSpanField(blobs[b0 + k]!, lo, hi, into[t]!, at, isTimestampField(f) ? buckets : undefined, refs, refAt);
  }
}
