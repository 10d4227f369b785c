import type { MetricType } from '#pharos/metric-model';
import { formatOpenMetricsFloat, parseGoFloat } from './float.js';

/** What {@link ExpositionParser.next} found. Comments are skipped, not reported. */
export type EntryKind = 'series' | 'help' | 'type' | 'unit' | 'eof';

/** An exemplar attached to the current OpenMetrics sample. */
export interface ParsedExemplar {
  /** Flat, sorted labels. */
  readonly labels: string[];
  readonly value: number;
  /** Milliseconds, or undefined when the exemplar has none. */
  readonly timestampMs: number | undefined;
}

/**
 * A pull parser over one scrape body, in the shape of Prometheus' `textparse.Parser`: `next()`
 * advances one entry, accessors read the current one. Label sets are built only on request
 * ({@link labels}) so that a scrape loop can skip them for series it has cached by their raw
 * text ({@link seriesText}) — that cache is what makes steady-state scraping cheap.
 * Throws {@link ExpositionError} on the first malformed line (a bad line fails the scrape).
 */
export interface ExpositionParser {
  next(): EntryKind;
  /** The series as written (name and label block), the cache key of the scrape loop. */
  seriesText(): string;
  /** Sorted flat labels of the current series, `__name__` included. */
  labels(): string[];
  /** Value of the current sample (Prometheus' canonical NaN for any NaN). */
  readonly value: number;
  readonly hasTimestamp: boolean;
  /** Milliseconds since the epoch, valid when {@link hasTimestamp}. */
  readonly timestampMs: number;
  /** Metric family name of the current HELP/TYPE/UNIT entry. */
  familyName(): string;
  /** HELP text (unescaped) or UNIT of the current entry. */
  metaText(): string;
  /** Type of the current TYPE entry, or the last TYPE seen for a series entry. */
  readonly metricType: MetricType;
  /** Exemplar of the current sample, if any (OpenMetrics only). */
  exemplar(): ParsedExemplar | undefined;
}

/** A malformed exposition: the message says what was expected and quotes the line. */
export class ExpositionError extends Error {
  override readonly name = 'ExpositionError';
}

/** Offsets of label names and values in the body, four per label, reused between lines. */
export class LabelOffsets {
  data = new Int32Array(64);
  /** Number of ints used (4 per label). */
  length = 0;
  /** Bit i set when value i (label index) contains a backslash and needs unescaping. */
  push(nameStart: number, nameEnd: number, valueStart: number, valueEnd: number): void {
    if (this.length + 4 > this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = nameStart;
    this.data[this.length++] = nameEnd;
    this.data[this.length++] = valueStart;
    this.data[this.length++] = valueEnd;
  }
}

const BACKSLASH = 92;

/**
 * Prometheus' label-value unescaping: `\"`, `\\` and `\n`; any other backslash stays as
 * written (strings.Replacer semantics, scanning left to right).
 */
export function unescapeLabelValue(s: string, start: number, end: number): string {
  // Scan only [start, end): indexOf would search the rest of the body for every label.
  let first = start;
  while (first < end && s.charCodeAt(first) !== BACKSLASH) first++;
  if (first === end) return s.slice(start, end);
  let out = s.slice(start, first);
  let i = first;
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c === BACKSLASH && i + 1 < end) {
      const n = s.charCodeAt(i + 1);
      if (n === 34 /* " */) (out += '"', (i += 2));
      else if (n === BACKSLASH) (out += '\\', (i += 2));
      else if (n === 110 /* n */) (out += '\n', (i += 2));
      else (out += '\\', i++);
      continue;
    }
    out += s[i];
    i++;
  }
  return out;
}

/** HELP unescaping of the text format: `\\` and `\n` only. */
export function unescapeHelp(text: string): string {
  if (!text.includes('\\')) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === BACKSLASH && i + 1 < text.length) {
      const n = text.charCodeAt(i + 1);
      if (n === BACKSLASH) (out += '\\', i++);
      else if (n === 110) (out += '\n', i++);
      else out += '\\';
      continue;
    }
    out += text[i];
  }
  return out;
}

/**
 * Builds the sorted flat label set of a sample from offsets: the name, then each label
 * (unescaped; `le` of histograms and `quantile` of summaries normalised as Prometheus does).
 * Throws on a duplicate label name, which Prometheus refuses too.
 */
export function buildLabels(s: string, name: string | undefined, offsets: LabelOffsets, type: MetricType, line: () => string): string[] {
  const out: string[] = name === undefined ? [] : ['__name__', name];
  const d = offsets.data;
  for (let k = 0; k < offsets.length; k += 4) {
    const ln = unescapeLabelValue(s, d[k]!, d[k + 1]!);
    let lv = unescapeLabelValue(s, d[k + 2]!, d[k + 3]!);
    if ((type === 'histogram' && ln === 'le') || (type === 'summary' && ln === 'quantile')) lv = normaliseFloatLabel(lv);
    out.push(ln, lv);
  }
  // Insertion sort by name: label sets are short; then check for repeats.
  for (let i = 2; i < out.length; i += 2) {
    const n = out[i]!;
    const v = out[i + 1]!;
    let j = i - 2;
    while (j >= 0 && out[j]! > n) {
      out[j + 2] = out[j]!;
      out[j + 3] = out[j + 1]!;
      j -= 2;
    }
    out[j + 2] = n;
    out[j + 3] = v;
  }
  for (let i = 2; i < out.length; i += 2) {
    if (out[i] === out[i - 2]) throw new ExpositionError(`label name ${JSON.stringify(out[i])} is not unique: ${JSON.stringify(line())}`);
  }
  return out;
}

function normaliseFloatLabel(v: string): string {
  try {
    return formatOpenMetricsFloat(parseGoFloat(v, 0, v.length));
  } catch {
    return v;
  }
}
