import { METRIC_NAME_LABEL, seriesKey, type Labels } from '#pharos/metric-model';
import type { QueryValue, ResultSeries } from '../engine/query-api.js';
import type { Sample } from '../engine/values.js';
import { formatGoFloat, formatDurationMs } from './go-syntax.js';
import { almostEqual } from './float-compare.js';
import { formatHistogram, histogramsMatch } from './histogram-notation.js';
import { expectsOrder, type EvalCommand, type ExpectedSeries } from './script.js';

/**
 * Compares a query result with an eval's expectation as Prometheus' runner does
 * (`evalCmd.compareResult`): exact label sets, floats within `almost.Equal`'s tolerance,
 * histograms by their compacted buckets, order only when the eval asks for it, and range
 * results sorted by labels. Returns undefined on a match, else what differs, with both sides
 * rendered in script notation.
 */
export function compareResult(cmd: EvalCommand, value: QueryValue): string | undefined {
  const problem = firstDifference(cmd, value);
  if (problem === undefined) return undefined;
  return `${problem}\n  expected:\n${indent(formatExpected(cmd))}\n  got:\n${indent(formatValue(value, cmd))}`;
}

function firstDifference(cmd: EvalCommand, value: QueryValue): string | undefined {
  switch (value.resultType) {
    case 'matrix':
      return matrixDifference(cmd, value.series);
    case 'vector':
      return vectorDifference(cmd, value.samples);
    case 'scalar':
      if (cmd.expectScalar === undefined) return `expected a vector or matrix result, but got scalar ${formatGoFloat(value.f)}`;
      return almostEqual(cmd.expectScalar, value.f) ? undefined : `expected scalar ${formatGoFloat(cmd.expectScalar)} but got ${formatGoFloat(value.f)}`;
    case 'string':
      return cmd.expectedString === value.s ? undefined : `expected string "${cmd.expectedString ?? ''}" but got "${value.s}"`;
  }
}

function vectorDifference(cmd: EvalCommand, samples: readonly Sample[]): string | undefined {
  if (cmd.expectScalar !== undefined) return 'expected a scalar result, but got a vector';
  const seen = new Set<string>();
  const ordered = expectsOrder(cmd);
  for (let pos = 0; pos < samples.length; pos++) {
    const s = samples[pos]!;
    const key = seriesKey(s.labels);
    const exp = cmd.expected.get(key);
    if (!exp) return `unexpected series ${formatLabels(s.labels)} in the result, with value ${s.h ? formatHistogram(s.h) : formatGoFloat(s.f)}`;
    if (seen.has(key)) return `series ${formatLabels(s.labels)} appears twice in the result`;
    if (ordered && exp.position !== pos + 1) return `expected ${formatLabels(s.labels)} at position ${exp.position} but it was at ${pos + 1}`;
    const e = exp.values[0];
    if (!e || e.kind === 'omitted') return `expected series ${formatLabels(s.labels)} has no value`;
    if (e.kind === 'float') {
      if (s.h) return `expected float ${formatGoFloat(e.value)} for ${formatLabels(s.labels)} but got histogram ${formatHistogram(s.h)}`;
      if (!almostEqual(e.value, s.f)) return `expected ${formatGoFloat(e.value)} for ${formatLabels(s.labels)} but got ${formatGoFloat(s.f)}`;
    } else {
      if (!s.h) return `expected histogram ${formatHistogram(e.histogram.histogram)} for ${formatLabels(s.labels)} but got float ${formatGoFloat(s.f)}`;
      if (!histogramsMatch(e.histogram.histogram, s.h, e.histogram.hintSet)) {
        return `expected ${formatHistogram(e.histogram.histogram)} for ${formatLabels(s.labels)} but got ${formatHistogram(s.h)}`;
      }
    }
    seen.add(key);
  }
  for (const [key, exp] of cmd.expected) if (!seen.has(key)) return `expected series ${formatLabels(exp.labels)} not found in the result`;
  return undefined;
}

function matrixDifference(cmd: EvalCommand, series: readonly ResultSeries[]): string | undefined {
  if (expectsOrder(cmd)) return 'expected an ordered result, but the query returned a matrix';
  if (cmd.expectScalar !== undefined) return 'expected a scalar result, but got a matrix';
  for (let i = 1; i < series.length; i++) {
    if (compareLabels(series[i - 1]!.labels, series[i]!.labels) > 0) {
      return `matrix results must be sorted by labels, but ${formatLabels(series[i]!.labels)} comes after ${formatLabels(series[i - 1]!.labels)}`;
    }
  }
  const seen = new Set<string>();
  for (const s of series) {
    const key = seriesKey(s.labels);
    const exp = cmd.expected.get(key);
    if (!exp) return `unexpected series ${formatLabels(s.labels)} in the result`;
    seen.add(key);
    const problem = seriesDifference(cmd, exp, s);
    if (problem) return problem;
  }
  for (const [key, exp] of cmd.expected) if (!seen.has(key)) return `expected series ${formatLabels(exp.labels)} not found in the result`;
  return undefined;
}

function seriesDifference(cmd: EvalCommand, exp: ExpectedSeries, s: ResultSeries): string | undefined {
  const name = formatLabels(exp.labels);
  const floatTs: number[] = [];
  const floatVs: number[] = [];
  const histIdx: number[] = [];
  for (let i = 0; i < exp.values.length; i++) {
    const t = cmd.startMs + i * cmd.stepMs;
    if (t > cmd.endMs) return `expected ${exp.values.length} points for ${name}, but the query range cannot return this many points`;
    const v = exp.values[i]!;
    if (v.kind === 'float') {
      floatTs.push(t);
      floatVs.push(v.value);
    } else if (v.kind === 'histogram') histIdx.push(i);
  }
  if (floatTs.length !== s.timestamps.length || histIdx.length !== s.histTimestamps.length) {
    return `expected ${floatTs.length} float points and ${histIdx.length} histogram points for ${name}, but got ${s.timestamps.length} and ${s.histTimestamps.length}`;
  }
  for (let i = 0; i < floatTs.length; i++) {
    if (floatTs[i] !== s.timestamps[i]) return `expected float point ${i} of ${name} at ${formatTime(floatTs[i]!)}, but it was at ${formatTime(s.timestamps[i]!)}`;
    if (!almostEqual(floatVs[i]!, s.values[i]!)) {
      return `expected ${formatGoFloat(floatVs[i]!)} at ${formatTime(floatTs[i]!)} for ${name}, but got ${formatGoFloat(s.values[i]!)}`;
    }
  }
  for (let i = 0; i < histIdx.length; i++) {
    const t = cmd.startMs + histIdx[i]! * cmd.stepMs;
    const e = exp.values[histIdx[i]!]!;
    if (e.kind !== 'histogram') continue;
    if (t !== s.histTimestamps[i]) return `expected histogram point ${i} of ${name} at ${formatTime(t)}, but it was at ${formatTime(s.histTimestamps[i]!)}`;
    const got = s.histograms[i]!;
    if (!histogramsMatch(e.histogram.histogram, got, e.histogram.hintSet)) {
      return `expected ${formatHistogram(e.histogram.histogram)} at ${formatTime(t)} for ${name}, but got ${formatHistogram(got)}`;
    }
  }
  return undefined;
}

/** Prometheus' `labels.Compare`: by name, then value, pair by pair; a prefix sorts first. */
export function compareLabels(a: Labels, b: Labels): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  }
  return a.length - b.length;
}

/** `name{a="b", c="d"}`, as a script writes a series. */
export function formatLabels(labels: Labels): string {
  let name = '';
  const pairs: string[] = [];
  for (let i = 0; i < labels.length; i += 2) {
    if (labels[i] === METRIC_NAME_LABEL && /^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(labels[i + 1]!)) name = labels[i + 1]!;
    else pairs.push(`${/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(labels[i]!) ? labels[i] : JSON.stringify(labels[i])}=${JSON.stringify(labels[i + 1])}`);
  }
  return `${name}{${pairs.join(', ')}}`;
}

function formatTime(ms: number): string {
  return formatDurationMs(ms);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

const MAX_RENDERED_SERIES = 30;

/** The expectation in script notation. */
function formatExpected(cmd: EvalCommand): string {
  if (cmd.expectScalar !== undefined) return formatGoFloat(cmd.expectScalar);
  if (cmd.expectedString !== undefined) return `string ${JSON.stringify(cmd.expectedString)}`;
  if (cmd.expected.size === 0) return '(nothing)';
  const lines: string[] = [];
  for (const exp of cmd.expected.values()) {
    const values = exp.values.map((v) => (v.kind === 'omitted' ? '_' : v.kind === 'float' ? formatGoFloat(v.value) : formatHistogram(v.histogram.histogram)));
    lines.push(`${formatLabels(exp.labels)} ${values.join(' ')}`);
  }
  return limit(lines);
}

/** A result in script notation; range results as one value per step (`_` where absent). */
export function formatValue(value: QueryValue, cmd?: Pick<EvalCommand, 'startMs' | 'endMs' | 'stepMs'>): string {
  switch (value.resultType) {
    case 'scalar':
      return `scalar ${formatGoFloat(value.f)}`;
    case 'string':
      return `string ${JSON.stringify(value.s)}`;
    case 'vector':
      if (value.samples.length === 0) return '(empty vector)';
      return limit(value.samples.map((s) => `${formatLabels(s.labels)} ${s.h ? formatHistogram(s.h) : formatGoFloat(s.f)}`));
    case 'matrix':
      if (value.series.length === 0) return '(empty matrix)';
      return limit(value.series.map((s) => `${formatLabels(s.labels)} ${formatSeriesPoints(s, cmd)}`));
  }
}

function formatSeriesPoints(s: ResultSeries, cmd?: Pick<EvalCommand, 'startMs' | 'endMs' | 'stepMs'>): string {
  const aligned = cmd !== undefined && cmd.stepMs > 0;
  if (!aligned) {
    const points: string[] = [];
    for (let i = 0; i < s.timestamps.length; i++) points.push(`${formatGoFloat(s.values[i]!)}@${formatTime(s.timestamps[i]!)}`);
    for (let i = 0; i < s.histograms.length; i++) points.push(`${formatHistogram(s.histograms[i]!)}@${formatTime(s.histTimestamps[i]!)}`);
    return points.join(' ');
  }
  const out: string[] = [];
  let f = 0;
  let h = 0;
  for (let t = cmd.startMs; t <= cmd.endMs; t += cmd.stepMs) {
    if (f < s.timestamps.length && s.timestamps[f] === t) out.push(formatGoFloat(s.values[f++]!));
    else if (h < s.histTimestamps.length && s.histTimestamps[h] === t) out.push(formatHistogram(s.histograms[h++]!));
    else out.push('_');
  }
  // Points off the step grid are a bug in themselves; show them rather than hide them.
  for (; f < s.timestamps.length; f++) out.push(`${formatGoFloat(s.values[f]!)}@${formatTime(s.timestamps[f]!)}`);
  for (; h < s.histTimestamps.length; h++) out.push(`${formatHistogram(s.histograms[h]!)}@${formatTime(s.histTimestamps[h]!)}`);
  return out.join(' ');
}

function limit(lines: string[]): string {
  if (lines.length <= MAX_RENDERED_SERIES) return lines.join('\n');
  return [...lines.slice(0, MAX_RENDERED_SERIES), `… and ${lines.length - MAX_RENDERED_SERIES} more`].join('\n');
}
