/**
 * Outliers within a group of series that should behave alike (every instance of a service),
 * as Datadog's outlier monitors find them. The input is the group's recent window, one row per
 * member, aligned on the same timestamps (NaN where a member has no point).
 *
 * Two algorithms:
 * - `mad`: at each timestamp the group's median and median absolute deviation (MAD) give every
 *   member a robust distance; a member is an outlier when at least `pct` of its points lie
 *   more than `tolerance` scaled MADs from the median. A group that moves together keeps every
 *   member near the median, so it raises nothing.
 * - `dbscan`: each member's window is a point; distances are mean absolute differences; the
 *   neighbourhood radius is `tolerance` times the median distance of members to the group's
 *   pointwise median series; the largest density-connected cluster is the normal behaviour and
 *   members outside it are outliers.
 *
 * Scales have floors, so a group of near-identical members does not flag rounding noise: the
 * MAD is at least `relativeFloor` of the median's magnitude, and at least `absoluteFloor`.
 */
export interface GroupOutlierOptions {
  readonly algorithm?: 'mad' | 'dbscan';
  /** Distance, in scaled MADs (or in median distances for DBSCAN), beyond which a point is far; default 3. */
  readonly tolerance?: number;
  /** Share of a member's points that must be far for the member to be an outlier (MAD); default 0.5. */
  readonly pct?: number;
  /** Compare shapes rather than levels: each member's window is standardised first. */
  readonly normalise?: boolean;
  readonly relativeFloor?: number;
  readonly absoluteFloor?: number;
}

export interface MemberVerdict {
  readonly member: number;
  readonly outlier: boolean;
  /** How far the member is from the group, in [0, 1]; 0.5 is the flagging boundary. */
  readonly score: number;
  readonly reason: string;
}

/** Consistency constant: MAD × 1.4826 estimates σ for normal data. */
const MAD_TO_SIGMA = 1.4826;

export function findGroupOutliers(window: readonly Float64Array[], options: GroupOutlierOptions = {}): MemberVerdict[] {
  const members = window.length;
  if (members === 0) return [];
  const width = window[0]!.length;
  for (const row of window) if (row.length !== width) throw new Error(`every member's window must have ${width} points, got ${row.length}`);
  const tolerance = options.tolerance ?? 3;
  const pct = options.pct ?? 0.5;
  if (!(tolerance > 0)) throw new Error(`tolerance must be positive, got ${tolerance}`);
  if (!(pct > 0 && pct <= 1)) throw new Error(`pct must be within (0, 1], got ${pct}`);
  const rows = options.normalise ? window.map(standardise) : window;
  // With fewer than three members there is no majority to deviate from.
  if (members < 3) return rows.map((_, member) => ({ member, outlier: false, score: 0, reason: 'group too small to compare' }));
  const floors = { relative: options.relativeFloor ?? 0.01, absolute: options.absoluteFloor ?? 1e-9 };
  return (options.algorithm ?? 'mad') === 'mad' ? madVerdicts(rows, tolerance, pct, floors) : dbscanVerdicts(rows, tolerance, floors);
}

interface Floors {
  readonly relative: number;
  readonly absolute: number;
}

function madVerdicts(rows: readonly Float64Array[], tolerance: number, pct: number, floors: Floors): MemberVerdict[] {
  const members = rows.length;
  const width = rows[0]!.length;
  const far = new Uint32Array(members);
  const seen = new Uint32Array(members);
  const worst = new Float64Array(members);
  const column = new Float64Array(members);
  const deviations = new Float64Array(members);
  for (let t = 0; t < width; t++) {
    let n = 0;
    for (let m = 0; m < members; m++) {
      const v = rows[m]![t]!;
      if (!Number.isNaN(v)) column[n++] = v;
    }
    if (n < 3) continue;
    const med = medianInPlace(column.subarray(0, n));
    for (let i = 0; i < n; i++) deviations[i] = Math.abs(column[i]! - med);
    const mad = medianInPlace(deviations.subarray(0, n));
    const sigma = Math.max(MAD_TO_SIGMA * mad, floors.relative * Math.abs(med), floors.absolute);
    for (let m = 0; m < members; m++) {
      const v = rows[m]![t]!;
      if (Number.isNaN(v)) continue;
      const z = Math.abs(v - med) / sigma;
      seen[m]!++;
      if (z > tolerance) far[m]!++;
      if (z > worst[m]!) worst[m] = z;
    }
  }
  const out: MemberVerdict[] = [];
  for (let m = 0; m < members; m++) {
    const share = seen[m]! > 0 ? far[m]! / seen[m]! : 0;
    // 0.5 exactly at the flagging share, rising towards 1 as every point is far.
    const score = share >= pct ? 0.5 + (0.5 * (share - pct)) / Math.max(1e-9, 1 - pct) : (0.5 * share) / pct;
    out.push({
      member: m,
      outlier: seen[m]! > 0 && share >= pct,
      score: Math.min(1, score),
      reason: `${(share * 100).toFixed(0)}% of points beyond ${tolerance} MADs of the group median (max ${worst[m]!.toFixed(1)})`,
    });
  }
  return out;
}

function dbscanVerdicts(rows: readonly Float64Array[], tolerance: number, floors: Floors): MemberVerdict[] {
  const members = rows.length;
  const width = rows[0]!.length;
  const medianSeries = new Float64Array(width);
  const column = new Float64Array(members);
  let level = 0;
  for (let t = 0; t < width; t++) {
    let n = 0;
    for (let m = 0; m < members; m++) {
      const v = rows[m]![t]!;
      if (!Number.isNaN(v)) column[n++] = v;
    }
    medianSeries[t] = n > 0 ? medianInPlace(column.subarray(0, n)) : Number.NaN;
    if (n > 0) level += Math.abs(medianSeries[t]!);
  }
  level /= width || 1;
  const toMedian = rows.map((r) => distance(r, medianSeries));
  const eps = Math.max(tolerance * medianInPlace(Float64Array.from(toMedian)), floors.relative * level, floors.absolute);
  // Density clustering with minPts 2 (a member and one neighbour): union members closer than eps.
  const parent = Array.from({ length: members }, (_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  for (let a = 0; a < members; a++) {
    for (let b = a + 1; b < members; b++) if (distance(rows[a]!, rows[b]!) <= eps) parent[find(a)] = find(b);
  }
  const sizes = new Map<number, number>();
  for (let m = 0; m < members; m++) sizes.set(find(m), (sizes.get(find(m)) ?? 0) + 1);
  let main = -1;
  let mainSize = 0;
  for (const [root, size] of sizes) if (size > mainSize) [main, mainSize] = [root, size];
  return rows.map((_, m) => {
    const outlier = find(m) !== main;
    const ratio = toMedian[m]! / eps;
    return {
      member: m,
      outlier,
      score: outlier ? Math.max(0.5, ratio / (1 + ratio)) : Math.min(0.49, ratio / (1 + ratio)),
      reason: `${outlier ? 'outside' : 'inside'} the main cluster (${mainSize} of ${members}); distance to the group median ${ratio.toFixed(2)}× the radius`,
    };
  });
}

/** Mean absolute difference over the points both windows have. */
function distance(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  let n = 0;
  for (let t = 0; t < a.length; t++) {
    const d = a[t]! - b[t]!;
    if (!Number.isNaN(d)) {
      sum += Math.abs(d);
      n++;
    }
  }
  return n > 0 ? sum / n : 0;
}

function standardise(row: Float64Array): Float64Array {
  let mean = 0;
  let n = 0;
  for (const v of row) if (!Number.isNaN(v)) (mean += v), n++;
  mean /= n || 1;
  let variance = 0;
  for (const v of row) if (!Number.isNaN(v)) variance += (v - mean) ** 2;
  const sd = Math.sqrt(variance / (n || 1)) || 1;
  return row.map((v) => (v - mean) / sd);
}

/** Median of `xs`, reordering it (quickselect). */
export function medianInPlace(xs: Float64Array): number {
  const n = xs.length;
  if (n === 0) return Number.NaN;
  const upper = select(xs, n >> 1);
  if (n % 2 === 1) return upper;
  let lower = -Infinity;
  for (let i = 0; i < n >> 1; i++) if (xs[i]! > lower) lower = xs[i]!;
  return (lower + upper) / 2;
}

/** Hoare's selection: puts the k-th smallest at index k, smaller ones before it. */
function select(xs: Float64Array, k: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  while (lo < hi) {
    const pivot = xs[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (xs[i]! < pivot) i++;
      while (xs[j]! > pivot) j--;
      if (i <= j) {
        const tmp = xs[i]!;
        xs[i] = xs[j]!;
        xs[j] = tmp;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return xs[k]!;
}
