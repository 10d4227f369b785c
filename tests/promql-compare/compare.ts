import type { JsonHistogram, OutcomeSeries, QueryOutcome } from './query-client.js';

/** Relative tolerance of float comparisons, from issue 3. */
export const RELATIVE_TOLERANCE = 1e-9;

/**
 * Where Prometheus guarantees the order of an instant vector: `sort`/`sort_desc` order by
 * value (ties in any order), `sort_by_label*` by the given labels, then the whole label set.
 * Everywhere else series order is unspecified and compared as a set.
 */
export type OrderRule = 'none' | 'by-value' | 'by-labels';

/**
 * Floats equal within {@link RELATIVE_TOLERANCE}: NaN equals NaN, infinities must match
 * exactly, and the sign of zero is ignored (the JSON API writes both as "0" anyway).
 */
export function floatsEqual(a: number, b: number): boolean {
  if (a === b) return true;
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= RELATIVE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
}

/** Why two histograms differ (bucket by bucket), or undefined. */
export function histogramDifference(got: JsonHistogram, want: JsonHistogram): string | undefined {
  if (!floatsEqual(got.count, want.count)) return `count ${fmt(got.count)} != ${fmt(want.count)}`;
  if (!floatsEqual(got.sum, want.sum)) return `sum ${fmt(got.sum)} != ${fmt(want.sum)}`;
  const n = Math.max(got.buckets.length, want.buckets.length);
  for (let i = 0; i < n; i++) {
    const g = got.buckets[i];
    const w = want.buckets[i];
    if (!g || !w) return `${got.buckets.length} buckets != ${want.buckets.length}; first unmatched: ${bucket(g ?? w!)} (${g ? 'extra' : 'missing'})`;
    if (g[0] !== w[0] || !floatsEqual(g[1], w[1]) || !floatsEqual(g[2], w[2]) || !floatsEqual(g[3], w[3])) return `bucket ${i}: ${bucket(g)} != ${bucket(w)}`;
  }
  return undefined;
}

function bucket(b: readonly [number, number, number, number]): string {
  // Prometheus' boundary rules: 0 (lo, hi], 1 [lo, hi), 2 (lo, hi), 3 [lo, hi].
  const open = b[0] === 0 || b[0] === 2 ? '(' : '[';
  const close = b[0] === 0 || b[0] === 3 ? ']' : ')';
  return `${open}${fmt(b[1])}, ${fmt(b[2])}${close}:${fmt(b[3])}`;
}

export function fmt(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function describe(o: QueryOutcome): string {
  if (o.status === 'error') return `error ${o.errorType}: ${o.error}`;
  if (o.resultType === 'scalar') return `scalar ${fmt(o.scalar![1])}`;
  if (o.resultType === 'string') return `string ${JSON.stringify(o.string![1])}`;
  return `${o.resultType} of ${o.series.length} series`;
}

function seriesName(s: OutcomeSeries): string {
  const parts = Object.entries(s.labels)
    .filter(([k]) => k !== '__name__')
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return `${s.labels.__name__ ?? ''}{${parts.join(', ')}}`;
}

/**
 * Compares an answer with the reference's. Returns readable differences (at most `limit`),
 * empty when equal: result type, error type, series by label set (order per `order`),
 * timestamps exactly, floats and histograms within tolerance.
 */
export function compareOutcomes(got: QueryOutcome, want: QueryOutcome, order: OrderRule = 'none', limit = 5, timeName: (ms: number) => string = String): string[] {
  const at = (ms: number): string => `@${timeName(ms)}`;
  if (got.status === 'error' || want.status === 'error') {
    if (got.status === 'error' && want.status === 'error') {
      return got.errorType === want.errorType ? [] : [`error type ${got.errorType} != ${want.errorType} (got "${got.error}", want "${want.error}")`];
    }
    return [`got ${describe(got)}; want ${describe(want)}`];
  }
  if (got.resultType !== want.resultType) return [`result type: got ${describe(got)}; want ${describe(want)}`];
  if (got.resultType === 'scalar') {
    const [gt, gv] = got.scalar!;
    const [wt, wv] = want.scalar!;
    return gt === wt && floatsEqual(gv, wv) ? [] : [`scalar: got ${fmt(gv)} ${at(gt)}; want ${fmt(wv)} ${at(wt)}`];
  }
  if (got.resultType === 'string') {
    return got.string![0] === want.string![0] && got.string![1] === want.string![1] ? [] : [`string: got ${JSON.stringify(got.string)}; want ${JSON.stringify(want.string)}`];
  }
  const out: string[] = [];
  const add = (line: string): boolean => {
    out.push(line);
    return out.length >= limit;
  };
  const gotBy = bySeriesKey(got.series, 'got', out);
  const wantBy = bySeriesKey(want.series, 'want', out);
  // Report in label order so two runs give the same text whatever order the engines answered in.
  const byKey = (a: [string, OutcomeSeries], b: [string, OutcomeSeries]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
  for (const [key, w] of [...wantBy].sort(byKey)) {
    const g = gotBy.get(key);
    if (!g) {
      if (add(`missing series ${seriesName(w)}: want ${points(w, at)}`)) return out;
      continue;
    }
    const why = seriesDifference(g, w, at);
    if (why && add(`series ${seriesName(w)}: ${why}`)) return out;
  }
  for (const [key, g] of [...gotBy].sort(byKey)) {
    if (!wantBy.has(key) && add(`unexpected series ${seriesName(g)}: got ${points(g, at)}`)) return out;
  }
  if (out.length === 0 && order !== 'none') {
    for (let i = 0; i < want.series.length; i++) {
      const g = got.series[i]!;
      const w = want.series[i]!;
      const same = order === 'by-labels' ? g.key === w.key : sameSortValue(g, w);
      if (!same) {
        add(`order at position ${i}: got ${seriesName(g)} ${points(g, at)}; want ${seriesName(w)} ${points(w, at)}`);
        break;
      }
    }
  }
  return out;
}

function sameSortValue(g: OutcomeSeries, w: OutcomeSeries): boolean {
  const gv = g.floats[0]?.[1];
  const wv = w.floats[0]?.[1];
  if (gv === undefined || wv === undefined) return gv === wv;
  return floatsEqual(gv, wv);
}

function bySeriesKey(series: readonly OutcomeSeries[], side: string, out: string[]): Map<string, OutcomeSeries> {
  const m = new Map<string, OutcomeSeries>();
  for (const s of series) {
    if (m.has(s.key)) out.push(`${side}: duplicate series ${seriesName(s)}`);
    m.set(s.key, s);
  }
  return m;
}

function points(s: OutcomeSeries, at: (ms: number) => string, max = 3): string {
  const f = s.floats.slice(0, max).map(([t, v]) => `${fmt(v)} ${at(t)}`);
  const h = s.histograms.slice(0, max).map(([t, x]) => `H{count=${fmt(x.count)} sum=${fmt(x.sum)} buckets=${x.buckets.length}} ${at(t)}`);
  const more = s.floats.length + s.histograms.length - f.length - h.length;
  return `[${[...f, ...h].join(', ')}${more > 0 ? `, … ${more} more` : ''}]`;
}

/** First difference between two series' points, or undefined. */
function seriesDifference(g: OutcomeSeries, w: OutcomeSeries, at: (ms: number) => string): string | undefined {
  if (g.floats.length !== w.floats.length || g.histograms.length !== w.histograms.length) {
    const gt = new Set([...g.floats.map(([t]) => t), ...g.histograms.map(([t]) => t)]);
    const wt = new Set([...w.floats.map(([t]) => t), ...w.histograms.map(([t]) => t)]);
    const missing = [...wt].filter((t) => !gt.has(t)).slice(0, 3);
    const extra = [...gt].filter((t) => !wt.has(t)).slice(0, 3);
    return `got ${g.floats.length} floats + ${g.histograms.length} histograms, want ${w.floats.length} + ${w.histograms.length}` + (missing.length ? `; missing ${missing.map(at).join(' ')}` : '') + (extra.length ? `; extra ${extra.map(at).join(' ')}` : '') + (!missing.length && !extra.length ? ` (float/histogram mix differs)` : '');
  }
  for (let i = 0; i < w.floats.length; i++) {
    const [gt, gv] = g.floats[i]!;
    const [wt, wv] = w.floats[i]!;
    if (gt !== wt) return `point ${i}: got time ${at(gt)}, want ${at(wt)}`;
    if (!floatsEqual(gv, wv)) return `${at(wt)}: got ${fmt(gv)}, want ${fmt(wv)}`;
  }
  for (let i = 0; i < w.histograms.length; i++) {
    const [gt, gh] = g.histograms[i]!;
    const [wt, wh] = w.histograms[i]!;
    if (gt !== wt) return `histogram point ${i}: got time ${at(gt)}, want ${at(wt)}`;
    const why = histogramDifference(gh, wh);
    if (why) return `histogram ${at(wt)}: ${why}`;
  }
  return undefined;
}
