/** Quantiles of a Prometheus histogram over a window, from two snapshots of its buckets. */

/**
 * The q-quantile of the observations between two snapshots of a cumulative histogram,
 * linearly interpolated within the bucket, as PromQL's `histogram_quantile`; NaN without
 * observations, the highest finite bound when it falls in the +Inf bucket.
 */
export function windowQuantile(q: number, before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>): number {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const counts = bounds.map((le) => (after.get(le) ?? 0) - (before.get(le) ?? 0));
  const total = counts.at(-1) ?? 0;
  if (total <= 0) return Number.NaN;
  const rank = q * total;
  for (let i = 0; i < bounds.length; i++) {
    if (counts[i]! < rank) continue;
    if (bounds[i] === Infinity) return bounds[i - 1] ?? Number.NaN;
    const lower = i === 0 ? 0 : bounds[i - 1]!;
    const below = i === 0 ? 0 : counts[i - 1]!;
    const inBucket = counts[i]! - below;
    return inBucket === 0 ? bounds[i]! : lower + (bounds[i]! - lower) * ((rank - below) / inBucket);
  }
  return Number.NaN;
}
