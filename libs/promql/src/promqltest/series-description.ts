import { METRIC_NAME_LABEL, STALE_NAN, type Labels } from '#pharos/metric-model';
import { unquoteStringLiteral } from '../string-literal.js';
import { parseGoNumber } from './go-syntax.js';
import { histogramSeries, parseHistogramDescription, type NotatedHistogram } from './histogram-notation.js';

/**
 * Series descriptions, the line format of `load` blocks and of expected results:
 * `metric{label="value"} 1 2+3x2 _ _x3 stale Inf {{schema:1 sum:3 count:22 buckets:[5 10 7]}}`
 * (the grammar `promtool test rules` and promqltest share, Prometheus
 * `promql/parser/generated_parser.y`, `series_description`).
 */

/** One position of a sequence: no sample, a float (maybe the staleness marker) or a histogram. */
export type SequenceValue =
  | { readonly kind: 'omitted' }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'histogram'; readonly histogram: NotatedHistogram };

export interface SeriesDescription {
  readonly labels: Labels;
  readonly values: readonly SequenceValue[];
}

const OMITTED: SequenceValue = { kind: 'omitted' };
// Prometheus 3 reads unquoted names with Unicode letters and non-leading dots
// (EnableUnquotedUTF8Names in the test parser options).
const METRIC_NAME = /^[\p{L}_:][\p{L}\p{N}_:.]*/u;
const LABEL_NAME = /^[\p{L}_][\p{L}\p{N}_.]*/u;
const STRING = /^(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`)/;
const NUMBER = String.raw`(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?`;
const VALUE = String.raw`[+-]?(?:[iI][nN][fF]|[nN][aA][nN]|${NUMBER})`;
const FLOAT_ITEM = new RegExp(`^(${VALUE})(?:([+-](?:${NUMBER}))?x(\\d+))?$`);

/** Parses `metric{labels} values…`; throws an Error naming the problem. */
export function parseSeriesDescription(line: string): SeriesDescription {
  const { labels, rest } = parseMetric(line);
  if (rest !== '' && !/^\s/.test(rest)) throw new Error(`unexpected ${JSON.stringify(rest[0])} after the series labels`);
  return { labels, values: parseValues(rest) };
}

/** Reads the metric name and/or label set at the start of `text`. */
function parseMetric(text: string): { labels: Labels; rest: string } {
  const pairs = new Map<string, string>();
  let rest = text;
  const name = METRIC_NAME.exec(rest);
  if (name) {
    pairs.set(METRIC_NAME_LABEL, name[0]);
    rest = rest.slice(name[0].length);
  }
  if (rest.startsWith('{')) {
    rest = parseLabelSet(rest.slice(1), pairs);
  } else if (!name) {
    throw new Error(`expected a metric name or a label set, got ${JSON.stringify(text)}`);
  }
  const names = [...pairs.keys()].filter((n) => pairs.get(n) !== '').sort();
  const labels: string[] = [];
  for (const n of names) labels.push(n, pairs.get(n)!);
  return { labels, rest };
}

/** Parses after `{` up to and including `}`; returns the text after it. */
function parseLabelSet(text: string, pairs: Map<string, string>): string {
  let rest = text;
  const skip = (): void => {
    rest = rest.replace(/^\s+/, '');
  };
  for (;;) {
    skip();
    if (rest.startsWith('}')) return rest.slice(1);
    let labelName: string;
    const quoted = STRING.exec(rest);
    if (quoted) {
      labelName = unquoteStringLiteral(quoted[0]);
      rest = rest.slice(quoted[0].length);
      skip();
      if (!rest.startsWith('=')) {
        // A bare quoted string is the metric name (`{"my.metric", job="x"}`).
        pairs.set(METRIC_NAME_LABEL, labelName);
        labelName = '';
      }
    } else {
      const ident = LABEL_NAME.exec(rest);
      if (!ident) throw new Error(`unexpected ${JSON.stringify(rest.slice(0, 10))} in label set, expected a label name or "}"`);
      labelName = ident[0];
      rest = rest.slice(ident[0].length);
      skip();
      if (!rest.startsWith('=')) throw new Error(`expected "=" after label name ${labelName}`);
    }
    if (labelName !== '') {
      rest = rest.slice(1);
      skip();
      const value = STRING.exec(rest);
      if (!value) throw new Error(`expected a quoted string as the value of label ${labelName}`);
      pairs.set(labelName, unquoteStringLiteral(value[0]));
      rest = rest.slice(value[0].length);
    }
    skip();
    if (rest.startsWith(',')) rest = rest.slice(1);
    else if (!rest.startsWith('}')) throw new Error(`expected "," or "}" in label set, got ${JSON.stringify(rest.slice(0, 10))}`);
  }
}

function parseValues(text: string): SequenceValue[] {
  const out: SequenceValue[] = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i]!)) {
      i++;
      continue;
    }
    if (text.startsWith('{{', i)) {
      i = parseHistogramItem(text, i, out);
      continue;
    }
    let end = i;
    while (end < text.length && !/\s/.test(text[end]!)) end++;
    parseItem(text.slice(i, end), out);
    i = end;
  }
  return out;
}

function parseItem(item: string, out: SequenceValue[]): void {
  if (item === '_') {
    out.push(OMITTED);
    return;
  }
  const blanks = /^_x(\d+)$/.exec(item);
  if (blanks) {
    for (let n = Number(blanks[1]); n > 0; n--) out.push(OMITTED);
    return;
  }
  if (item === 'stale') {
    out.push({ kind: 'float', value: STALE_NAN });
    return;
  }
  const m = FLOAT_ITEM.exec(item);
  // `Infx3` is one identifier to Prometheus' lexer, not a repetition.
  if (!m || (m[3] !== undefined && m[2] === undefined && /[a-z]$/i.test(m[1]!))) {
    throw new Error(`invalid series value ${JSON.stringify(item)} (want a number, "stale", _, a histogram, or a repetition like 1+2x3)`);
  }
  let value = number(m[1]!);
  if (m[3] === undefined) {
    out.push({ kind: 'float', value });
    return;
  }
  const delta = m[2] === undefined ? 0 : number(m[2]);
  // N repetitions give N+1 values; Prometheus accumulates by repeated addition.
  for (let n = Number(m[3]); n >= 0; n--) {
    out.push({ kind: 'float', value });
    value += delta;
  }
}

function number(text: string): number {
  const v = parseGoNumber(text);
  if (v === undefined) throw new Error(`invalid number ${JSON.stringify(text)}`);
  return v;
}

/** Parses `{{…}}`, `{{…}}xN`, `{{…}}+{{…}}xN` or `{{…}}-{{…}}xN` at `start`; returns the end. */
function parseHistogramItem(text: string, start: number, out: SequenceValue[]): number {
  const readHistogram = (at: number): { h: NotatedHistogram; end: number } => {
    const close = text.indexOf('}}', at + 2);
    if (close < 0) throw new Error(`unterminated histogram ${JSON.stringify(text.slice(at))}`);
    return { h: parseHistogramDescription(text.slice(at + 2, close)), end: close + 2 };
  };
  const base = readHistogram(start);
  let i = base.end;
  const times = (at: number): { n: number; end: number } => {
    const m = /^x(\d+)/.exec(text.slice(at));
    if (!m) throw new Error(`expected xN after histogram at ${JSON.stringify(text.slice(start, at + 5))}`);
    return { n: Number(m[1]), end: at + m[0].length };
  };
  if (text[i] === 'x') {
    const t = times(i);
    for (let n = t.n; n >= 0; n--) out.push({ kind: 'histogram', histogram: base.h });
    i = t.end;
  } else if ((text[i] === '+' || text[i] === '-') && text.startsWith('{{', i + 1)) {
    const sign = text[i] === '+' ? 1 : -1;
    const step = readHistogram(i + 1);
    const t = times(step.end);
    for (const h of histogramSeries(base.h, step.h, t.n, sign)) out.push({ kind: 'histogram', histogram: h });
    i = t.end;
  } else {
    out.push({ kind: 'histogram', histogram: base.h });
  }
  if (i < text.length && !/\s/.test(text[i]!)) throw new Error(`unexpected ${JSON.stringify(text[i])} after histogram`);
  return i;
}
