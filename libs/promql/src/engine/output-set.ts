import type { Labels } from '#pharos/metric-model';
import { labelsKey } from './labels.js';
import { evalError } from './query-context.js';
import { FLOAT_POINT, HIST_POINT, NO_POINT, newStepSeries, setFloat, setHistogram, type StepSeries } from './step-values.js';
import type { FloatHistogram } from './values.js';

/**
 * Collects the output series of a node across steps, keyed by label set, in first-seen order
 * (which is the result order of an instant query). Two samples with the same labels at one step
 * fail the query, as Prometheus' `rangeEval` does.
 */
export class OutputSet {
  private readonly byKey = new Map<string, StepSeries>();
  readonly series: StepSeries[] = [];
  points = 0;

  constructor(private readonly numSteps: number) {}

  /** The output series for a label set, created on first use; `key` must be `labelsKey(labels)`. */
  seriesFor(labels: Labels, key: string = labelsKey(labels)): StepSeries {
    let s = this.byKey.get(key);
    if (s === undefined) {
      s = newStepSeries(labels, this.numSteps);
      this.byKey.set(key, s);
      this.series.push(s);
    }
    return s;
  }

  /**
   * Adds a whole float column (`kinds` FLOAT_POINT or NO_POINT per step) under a label set. A
   * new label set takes the arrays over as its series; they must not be used afterwards.
   */
  addFloatColumn(labels: Labels, kinds: Uint8Array, floats: Float64Array): void {
    const key = labelsKey(labels);
    const existing = this.byKey.get(key);
    if (existing !== undefined) {
      for (let step = 0; step < kinds.length; step++) if (kinds[step] !== NO_POINT) this.addFloat(existing, step, floats[step]!);
      return;
    }
    let points = 0;
    for (let step = 0; step < kinds.length; step++) if (kinds[step] !== NO_POINT) points++;
    const s: StepSeries = { labels, kinds, floats, hists: undefined, points };
    this.byKey.set(key, s);
    this.series.push(s);
    this.points += points;
  }

  addFloat(s: StepSeries, step: number, f: number): void {
    if (s.kinds[step] !== NO_POINT) throw duplicateLabelset();
    setFloat(s, step, f);
    this.points++;
  }

  addHistogram(s: StepSeries, step: number, h: FloatHistogram): void {
    if (s.kinds[step] !== NO_POINT) throw duplicateLabelset();
    setHistogram(s, step, h);
    this.points++;
  }

  /** Adds a float or a histogram sample. */
  add(s: StepSeries, step: number, f: number, h: FloatHistogram | undefined): void {
    if (h === undefined) this.addFloat(s, step, f);
    else this.addHistogram(s, step, h);
  }
}

export function duplicateLabelset(): Error {
  return evalError('vector cannot contain metrics with the same labelset');
}

/** Copies step `from` of `src` into `dst` at step `to` (both kinds). */
export function copyPoint(out: OutputSet, dst: StepSeries, to: number, src: StepSeries, from: number): void {
  const kind = src.kinds[from];
  if (kind === FLOAT_POINT) out.addFloat(dst, to, src.floats[from]!);
  else if (kind === HIST_POINT) out.addHistogram(dst, to, src.hists![from]!);
}

/**
 * Merges series that share a label set (after a node dropped `__name__`), failing only when two
 * of them have a point at the same step: Prometheus 3.16's `mergeSeriesWithSameLabelset`.
 */
export function mergeSameLabelsets(series: StepSeries[]): StepSeries[] {
  if (series.length < 2) return series;
  const byKey = new Map<string, StepSeries>();
  let merged = false;
  for (const s of series) {
    const key = labelsKey(s.labels);
    const existing = byKey.get(key);
    if (existing === undefined) {
      byKey.set(key, s);
      continue;
    }
    merged = true;
    for (let step = 0; step < s.kinds.length; step++) {
      const kind = s.kinds[step]!;
      if (kind === NO_POINT) continue;
      if (existing.kinds[step] !== NO_POINT) throw duplicateLabelset();
      existing.kinds[step] = kind;
      existing.floats[step] = s.floats[step]!;
      if (kind === HIST_POINT) (existing.hists ??= new Array<FloatHistogram | undefined>(s.kinds.length))[step] = s.hists![step];
      existing.points++;
    }
  }
  return merged ? [...byKey.values()] : series;
}
