import { labelValue, METRIC_NAME_LABEL, seriesKey, type Labels } from '#pharos/metric-model';
import type { Annotations, FloatHistogram, Sample, Vector } from '../engine/values.js';
import type { PositionRange } from '../ast.js';
import type { GridArgValue, GridCallContext, VectorFunctionImpl } from './contract.js';
import { NO_POINT, type StepSeries } from '../engine/step-values.js';
import {
  histogramFractionEstimate,
  histogramQuantileEstimate,
  histogramStdDev,
  histogramStdVar,
} from '../histogram/statistics.js';
import { goFormatG, Info, Warning } from './annotations.js';
import { bucketFraction, bucketQuantile, type ClassicBucket } from './quantile.js';
import { scalarArg, stringArg, vectorArg, withLabel, withoutMetricName } from './vector-args.js';

/**
 * Histogram functions: `histogram_count/sum/avg/stddev/stdvar` over native histograms, and
 * `histogram_quantile` / `histogram_fraction` over native histograms and classic `le`
 * buckets alike (Prometheus' `resetHistograms` grouping).
 */

function nativeOnly(name: string, f: (h: FloatHistogram) => number): [string, VectorFunctionImpl] {
  return [
    name,
    {
      kind: 'vector',
      evaluate: (args, ctx) => {
        const out: Vector = [];
        for (const s of vectorArg(args, 0, name)) {
          if (s.h) out.push({ labels: withoutMetricName(s.labels), t: ctx.t, f: f(s.h) });
        }
        return out;
      },
    },
  ];
}

/** Go's `strconv.ParseFloat` as applied to `le` values; undefined where Go reports an error. */
export function parseGoFloat(text: string): number | undefined {
  if (/^[+-]?(inf|infinity)$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(text)) return NaN;
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
    const v = Number(text);
    // Go reports out-of-range values as errors.
    return Number.isFinite(v) ? v : undefined;
  }
  const hex = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(text);
  if (hex && (hex[2]! + (hex[3] ?? '')).length > 0) {
    const digits = hex[2]! + (hex[3] ?? '');
    const v = parseInt(digits, 16) * 2 ** (Number(hex[4]) - 4 * (hex[3]?.length ?? 0));
    if (!Number.isFinite(v)) return undefined;
    return hex[1] === '-' ? -v : v;
  }
  return undefined;
}

interface ClassicGroup {
  labels: Labels;
  buckets: ClassicBucket[];
}

interface Grouped {
  natives: Sample[];
  classics: ClassicGroup[];
}

/**
 * Splits the input into native histogram samples and classic histograms (float samples grouped
 * by their labels without `le`). A native histogram and a classic one with the same labels
 * cannot both be right: both are dropped with a warning.
 */
function groupHistograms(input: Vector, annotations: Annotations, pos: PositionRange | undefined): Grouped {
  const natives: Sample[] = [];
  const groups = new Map<string, ClassicGroup>();
  for (const s of input) {
    if (s.h) {
      natives.push(s);
      continue;
    }
    const le = labelValue(s.labels, 'le');
    const upperBound = parseGoFloat(le);
    // Prometheus 3.16 refuses a NaN bound like a malformed one.
    if (upperBound === undefined || Number.isNaN(upperBound)) {
      annotations.warn(Warning.badBucketLabel(labelValue(s.labels, METRIC_NAME_LABEL), le), pos);
      continue;
    }
    const withoutLe = removeLabel(s.labels, 'le');
    const key = seriesKey(withoutLe);
    let g = groups.get(key);
    if (!g) {
      g = { labels: withoutMetricName(withoutLe), buckets: [] };
      groups.set(key, g);
    }
    g.buckets.push({ upperBound, count: s.f });
  }
  const keptNatives: Sample[] = [];
  for (const s of natives) {
    const key = seriesKey(s.labels);
    const g = groups.get(key);
    if (g && g.buckets.length > 0) {
      annotations.warn(Warning.mixedClassicNative(labelValue(s.labels, METRIC_NAME_LABEL)), pos);
      groups.delete(key);
      continue;
    }
    keptNatives.push(s);
  }
  return { natives: keptNatives, classics: [...groups.values()] };
}

function removeLabel(labels: Labels, name: string): Labels {
  const out: string[] = [];
  for (let i = 0; i < labels.length; i += 2) if (labels[i] !== name) out.push(labels[i]!, labels[i + 1]!);
  return out;
}

const histogramQuantile: VectorFunctionImpl = {
  kind: 'vector',
  evaluateGrid: histogramQuantileGrid,
  evaluate: (args, ctx) => {
    const q = scalarArg(args, 0, 'histogram_quantile');
    if (Number.isNaN(q) || q < 0 || q > 1) ctx.annotations.warn(Warning.invalidQuantile(q), ctx.call.args[0]?.pos);
    const { natives, classics } = groupHistograms(vectorArg(args, 1, 'histogram_quantile'), ctx.annotations, ctx.call.args[1]?.pos);
    const out: Vector = [];
    for (const s of natives) {
      const est = histogramQuantileEstimate(q, s.h!);
      // Prometheus names the metric in these infos only with delayed name removal, which is off.
      if (est.nanResult) ctx.annotations.info(Info.quantileNaNResult(''), ctx.call.args[1]?.pos);
      if (est.nanSkew) ctx.annotations.info(Info.quantileNaNSkew(''), ctx.call.args[1]?.pos);
      out.push({ labels: withoutMetricName(s.labels), t: ctx.t, f: est.value });
    }
    for (const g of classics) {
      const r = bucketQuantile(q, g.buckets);
      if (r.forcedMonotonicity) ctx.annotations.info(Info.forcedMonotonicity(''), ctx.call.args[1]?.pos);
      out.push({ labels: g.labels, t: ctx.t, f: r.value });
    }
    return out;
  },
};

/**
 * `histogram_quantile` over every step at once for float-only input (classic buckets), the
 * common dashboard case: each series' `le` is parsed and its group found once, not at every
 * step, and no per-sample objects are made. Same answers, series order and annotations as
 * stepping through `histogramQuantile.evaluate`.
 */
function histogramQuantileGrid(args: readonly GridArgValue[], ctx: GridCallContext): boolean {
  const qArg = args[0];
  const vArg = args[1];
  if (qArg?.type !== 'scalar' || vArg?.type !== 'vector') return false;
  const input = vArg.series;
  for (const s of input) if (s.hists !== undefined) return false;
  const groups: GridGroup[] = [];
  const byKey = new Map<string, GridGroup>();
  const buckets: (ClassicBucket | undefined)[] = new Array(input.length);
  const badLe: number[] = [];
  for (let i = 0; i < input.length; i++) {
    const labels = input[i]!.labels;
    const upperBound = parseGoFloat(labelValue(labels, 'le'));
    if (upperBound === undefined || Number.isNaN(upperBound)) {
      badLe.push(i);
      continue;
    }
    const withoutLe = removeLabel(labels, 'le');
    const key = seriesKey(withoutLe);
    let g = byKey.get(key);
    if (g === undefined) {
      g = { labels: withoutMetricName(withoutLe), members: [], target: undefined, firstPresent: -1 };
      byKey.set(key, g);
      groups.push(g);
    }
    g.members.push(i);
    buckets[i] = { upperBound, count: 0 };
  }
  const qPos = ctx.call.args[0]?.pos;
  const vPos = ctx.call.args[1]?.pos;
  const stepBuckets: ClassicBucket[] = [];
  let uncreated = groups.length;
  const creating: GridGroup[] = [];
  for (let step = 0; step < ctx.numSteps; step++) {
    const q = qArg.values[step]!;
    if (Number.isNaN(q) || q < 0 || q > 1) ctx.annotations.warn(Warning.invalidQuantile(q), qPos);
    for (const i of badLe) {
      const s = input[i]!;
      if (s.kinds[step] === NO_POINT) continue;
      ctx.annotations.warn(Warning.badBucketLabel(labelValue(s.labels, METRIC_NAME_LABEL), labelValue(s.labels, 'le')), vPos);
    }
    if (uncreated > 0) {
      // Output series are created in the order the per-step call returns them: its groups
      // come in the order of their first series present at the step.
      creating.length = 0;
      for (const g of groups) {
        if (g.target !== undefined) continue;
        g.firstPresent = -1;
        for (const i of g.members) {
          if (input[i]!.kinds[step] !== NO_POINT) {
            g.firstPresent = i;
            break;
          }
        }
        if (g.firstPresent >= 0) creating.push(g);
      }
      creating.sort((a, b) => a.firstPresent - b.firstPresent);
      for (const g of creating) {
        g.target = ctx.out.seriesFor(g.labels);
        uncreated--;
      }
    }
    for (const g of groups) {
      if (g.target === undefined) continue;
      stepBuckets.length = 0;
      for (const i of g.members) {
        const s = input[i]!;
        if (s.kinds[step] === NO_POINT) continue;
        const b = buckets[i]!;
        b.count = s.floats[step]!;
        stepBuckets.push(b);
      }
      if (stepBuckets.length === 0) continue;
      const r = bucketQuantile(q, stepBuckets);
      if (r.forcedMonotonicity) ctx.annotations.info(Info.forcedMonotonicity(''), vPos);
      ctx.out.addFloat(g.target, step, r.value);
    }
  }
  return true;
}

/** A classic histogram of {@link histogramQuantileGrid}: its series and output. */
interface GridGroup {
  readonly labels: Labels;
  /** Input indexes of its buckets, ascending. */
  readonly members: number[];
  target: StepSeries | undefined;
  /** Scratch: its first member present at a step. */
  firstPresent: number;
}

/**
 * `histogram_quantiles(v, "label", φ0, φ1, …)` (experimental in 3.16): `histogram_quantile` for
 * several φ at once, each output series labelled `label="<φ>"` in OpenMetrics float form.
 */
const histogramQuantiles: VectorFunctionImpl = {
  kind: 'vector',
  evaluate: (args, ctx) => {
    const label = stringArg(args, 1, 'histogram_quantiles');
    const qs: number[] = [];
    for (let i = 2; i < args.length; i++) {
      const q = scalarArg(args, i, 'histogram_quantiles');
      if (Number.isNaN(q) || q < 0 || q > 1) ctx.annotations.warn(Warning.invalidQuantile(q), ctx.call.args[i]?.pos);
      qs.push(q);
    }
    const vectorPos = ctx.call.args[0]?.pos;
    const { natives, classics } = groupHistograms(vectorArg(args, 0, 'histogram_quantiles'), ctx.annotations, vectorPos);
    const out: Vector = [];
    for (const q of qs) {
      const qText = formatOpenMetricsFloat(q);
      for (const s of natives) {
        const est = histogramQuantileEstimate(q, s.h!);
        if (est.nanResult) ctx.annotations.info(Info.quantileNaNResult(''), vectorPos);
        if (est.nanSkew) ctx.annotations.info(Info.quantileNaNSkew(''), vectorPos);
        out.push({ labels: withLabel(withoutMetricName(s.labels), label, qText), t: ctx.t, f: est.value });
      }
      for (const g of classics) {
        const r = bucketQuantile(q, g.buckets);
        if (r.forcedMonotonicity) ctx.annotations.info(Info.forcedMonotonicity(''), vectorPos);
        out.push({ labels: withLabel(g.labels, label, qText), t: ctx.t, f: r.value });
      }
    }
    return out;
  },
};

/** Prometheus' `labels.FormatOpenMetricsFloat`: Go's shortest `%g`, with `.0` when it has no `.` or `e`. */
function formatOpenMetricsFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  const g = goFormatG(f);
  return /[.e]/.test(g) ? g : `${g}.0`;
}

const histogramFraction: VectorFunctionImpl = {
  kind: 'vector',
  evaluate: (args, ctx) => {
    const lower = scalarArg(args, 0, 'histogram_fraction');
    const upper = scalarArg(args, 1, 'histogram_fraction');
    const { natives, classics } = groupHistograms(vectorArg(args, 2, 'histogram_fraction'), ctx.annotations, ctx.call.args[2]?.pos);
    const out: Vector = [];
    for (const s of natives) {
      const est = histogramFractionEstimate(lower, upper, s.h!);
      if (est.hasNaNs) ctx.annotations.info(Info.fractionNaNs(''), ctx.call.args[2]?.pos);
      out.push({ labels: withoutMetricName(s.labels), t: ctx.t, f: est.value });
    }
    for (const g of classics) out.push({ labels: g.labels, t: ctx.t, f: bucketFraction(lower, upper, g.buckets) });
    return out;
  },
};

export const HISTOGRAM_FUNCTIONS: ReadonlyMap<string, VectorFunctionImpl> = new Map([
  nativeOnly('histogram_count', (h) => h.count),
  nativeOnly('histogram_sum', (h) => h.sum),
  nativeOnly('histogram_avg', (h) => h.sum / h.count),
  nativeOnly('histogram_stddev', histogramStdDev),
  nativeOnly('histogram_stdvar', histogramStdVar),
  ['histogram_quantile', histogramQuantile],
  ['histogram_quantiles', histogramQuantiles],
  ['histogram_fraction', histogramFraction],
]);
