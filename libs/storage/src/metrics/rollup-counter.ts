import type { RollupField, SeriesCounterRollups, SeriesRollups } from './port.js';

/**
 * Thanos' counter aggregate from the plain rollup fields (ADR 0020), for any adapter that
 * serves `MetricStore.selectCounterRollups` from what `selectRollups` reads: the
 * definition of {@link SeriesCounterRollups} in code, and the arithmetic the PromQL engine's
 * counter samples were built with, operation for operation, so an answer is the same to the
 * bit whichever side reduces the fields.
 */

/**
 * The counter aggregate of `r`, which holds `firstTimestamp`, `firstValue`, `lastValue` and
 * `increase`. The totals are written over `r.increase` (each place is read before it is
 * written), so `r` MUST be the caller's own (a `selectRollups` answer is); the answer's
 * columns are views of `r`'s.
 */
export function counterRollupsOf(r: SeriesRollups): SeriesCounterRollups {
  const n = r.bucketStarts.length;
  const extra = r.withoutRollups === true ? { withoutRollups: true } : {};
  if (n === 0) return { labels: r.labels, bucketStarts: r.bucketStarts, counter: r.increase.subarray(0, 0), firstTimestamp: NaN, firstValue: NaN, lastValue: NaN, ...extra };
  for (const [name, col] of [['firstValue', r.firstValue], ['lastValue', r.lastValue], ['increase', r.increase]] as const) {
    if (col.length !== n) throw new Error(`counter aggregate needs the rollup field ${name} (${col.length} values for ${n} buckets)`);
  }
  if (r.firstTimestamp.length !== n) throw new Error(`counter aggregate needs the rollup field firstTimestamp (${r.firstTimestamp.length} values for ${n} buckets)`);
  runningTotals(r.firstValue, r.lastValue, r.increase, r.increase, 0, n);
  return { labels: r.labels, bucketStarts: r.bucketStarts, counter: r.increase, firstTimestamp: r.firstTimestamp[0]!, firstValue: r.firstValue[0]!, lastValue: r.lastValue[n - 1]!, ...extra };
}

/**
 * Writes the running totals of buckets `[from, to)` into `out` (which may be `increase`
 * itself): the first bucket starts at its first value, each later one adds the jump from the
 * previous bucket's last value (its first value alone when it dropped: a reset between
 * buckets), then its own increase.
 */
export function runningTotals(firstValue: Float64Array, lastValue: Float64Array, increase: Float64Array, out: Float64Array, from: number, to: number): void {
  if (from >= to) return;
  let total = firstValue[from]! + increase[from]!;
  out[from] = total;
  let last = lastValue[from]!;
  for (let k = from + 1; k < to; k++) {
    const first = firstValue[k]!;
    total += first >= last ? first - last : first;
    total += increase[k]!;
    last = lastValue[k]!;
    out[k] = total;
  }
}

/** The `selectRollups` fields {@link counterRollupsOf} reduces. */
export const COUNTER_SOURCE_FIELDS: readonly RollupField[] = ['firstTimestamp', 'firstValue', 'lastValue', 'increase'];
