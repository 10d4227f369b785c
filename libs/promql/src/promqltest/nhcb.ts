import { CUSTOM_BUCKETS_SCHEMA, METRIC_NAME_LABEL, labelValue, seriesKey, type Labels, type NativeHistogram } from '#pharos/metric-model';
import type { LoadSeries } from './script.js';

/**
 * `load_with_nhcb`: classic histogram series (`x_bucket{le=…}`, `x_count`, `x_sum`) are also
 * loaded as one native histogram series with custom buckets (`x`, schema -53), as Prometheus'
 * runner does with `util/convertnhcb` when it converts scraped classic histograms.
 */

interface TempHistogram {
  /** Sorted by upper bound; cumulative counts. */
  readonly bounds: number[];
  readonly counts: number[];
  count: number;
  hasCount: boolean;
  sum: number;
  error?: string;
}

/** A converted series: its labels and histograms by timestamp (ascending). */
export interface ConvertedHistogramSeries {
  readonly labels: Labels;
  readonly timestamps: number[];
  readonly histograms: NativeHistogram[];
}

export function convertClassicHistograms(series: readonly LoadSeries[], intervalMs: number): ConvertedHistogramSeries[] {
  const groups = new Map<string, { labels: Labels; byTime: Map<number, TempHistogram> }>();
  for (const s of series) {
    const name = labelValue(s.labels, METRIC_NAME_LABEL);
    const suffix = /_(bucket|sum|count)$/.exec(name);
    if (!suffix) continue;
    let le = NaN;
    if (suffix[1] === 'bucket') {
      const leText = labelValue(s.labels, 'le');
      if (leText === '') throw new Error(`expected bucket label in metric ${name}`);
      le = parseLe(leText);
      if (Number.isNaN(le)) continue;
    }
    const base = baseLabels(s.labels, name.slice(0, -suffix[0].length));
    const key = seriesKey(base);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { labels: base, byTime: new Map() }));
    for (let i = 0; i < s.values.length; i++) {
      const v = s.values[i]!;
      if (v.kind !== 'float') continue;
      const t = i * intervalMs;
      let h = group.byTime.get(t);
      if (!h) group.byTime.set(t, (h = { bounds: [], counts: [], count: 0, hasCount: false, sum: 0 }));
      if (suffix[1] === 'bucket') setBucket(h, le, v.value);
      else if (suffix[1] === 'count') setCount(h, v.value);
      else if (!h.error) h.sum = v.value;
    }
  }
  const out: ConvertedHistogramSeries[] = [];
  for (const group of groups.values()) {
    const times = [...group.byTime.keys()].sort((a, b) => a - b);
    out.push({ labels: group.labels, timestamps: times, histograms: times.map((t) => convert(group.byTime.get(t)!)) });
  }
  return out;
}

function parseLe(text: string): number {
  const lower = text.toLowerCase();
  if (lower === '+inf' || lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  const v = Number(text);
  return text.trim() === '' ? NaN : v;
}

function baseLabels(labels: Labels, name: string): Labels {
  const out: string[] = [];
  for (let i = 0; i < labels.length; i += 2) {
    if (labels[i] === 'le') continue;
    out.push(labels[i]!, labels[i] === METRIC_NAME_LABEL ? name : labels[i + 1]!);
  }
  return out;
}

function setBucket(h: TempHistogram, le: number, count: number): void {
  if (h.error) return;
  if (count < 0) {
    h.error = `bucket count must be non-negative: le=${le}, count=${count}`;
    return;
  }
  let i = 0;
  while (i < h.bounds.length && h.bounds[i]! < le) i++;
  if (h.bounds[i] === le) return;
  if (i > 0 && count < h.counts[i - 1]!) {
    h.error = `count is not cumulative: ${count} < ${h.counts[i - 1]}`;
    return;
  }
  if (i < h.bounds.length && count > h.counts[i]!) {
    h.error = `count is not cumulative: ${count} > ${h.counts[i]}`;
    return;
  }
  h.bounds.splice(i, 0, le);
  h.counts.splice(i, 0, count);
}

function setCount(h: TempHistogram, count: number): void {
  if (h.error) return;
  if (count < 0) {
    h.error = `count must be non-negative: count=${count}`;
    return;
  }
  h.count = count;
  h.hasCount = true;
}

function convert(h: TempHistogram): NativeHistogram {
  if (h.error) throw new Error(`cannot convert classic histogram to NHCB: ${h.error}`);
  const bounds = [...h.bounds];
  const cumulative = [...h.counts];
  let count = h.count;
  if (!h.hasCount) {
    if (bounds.length === 0) throw new Error('cannot convert classic histogram to NHCB: count must be provided when no buckets are present');
    count = cumulative[cumulative.length - 1]!;
  }
  if (bounds.length === 0 || bounds[bounds.length - 1] !== Infinity) {
    bounds.push(Infinity);
    cumulative.push(count);
  }
  if (count !== cumulative[cumulative.length - 1]) {
    throw new Error(`cannot convert classic histogram to NHCB: count mismatch: count=${count} != le=${bounds[bounds.length - 1]} count=${cumulative[cumulative.length - 1]}`);
  }
  const isInteger = cumulative.every((c) => Number.isInteger(c)) && Number.isInteger(count);
  const buckets = new Float64Array(cumulative.length);
  let prev = 0;
  for (let i = 0; i < cumulative.length; i++) {
    buckets[i] = cumulative[i]! - prev;
    prev = cumulative[i]!;
  }
  return {
    isInteger,
    schema: CUSTOM_BUCKETS_SCHEMA,
    zeroThreshold: 0,
    zeroCount: 0,
    count,
    sum: h.sum,
    positiveSpans: Int32Array.of(0, buckets.length),
    positiveCounts: buckets,
    negativeSpans: new Int32Array(0),
    negativeCounts: new Float64Array(0),
    resetHint: 0,
    customValues: Float64Array.from(bounds.slice(0, -1)),
  };
}
