import { METADATA_LABEL_NAMES, type Labels } from '#pharos/metric-model';

/**
 * Label-set helpers of the evaluator, over the flat sorted `[name, value, …]` form of
 * `#pharos/metric-model`. They mirror the `labels.Labels` methods Prometheus' engine relies on
 * (`DropReserved`, `MatchLabels`, `Compare`, `String`, the builder's `Keep`/`Del`/`Set`).
 */

/** Labels Prometheus drops with the metric name (`schema.IsMetadataLabel`). */
const METADATA_LABELS = new Set(METADATA_LABEL_NAMES);

/** Key separators that cannot occur in label text. */
const SEP_NAME = '\u0000';
const SEP_PAIR = '\u0001';

/** The label set without `__name__` (and the other metadata labels); the same array when none is present. */
export function dropMetricName(labels: Labels): Labels {
  let found = false;
  for (let i = 0; i < labels.length; i += 2) {
    if (METADATA_LABELS.has(labels[i]!)) {
      found = true;
      break;
    }
  }
  if (!found) return labels;
  const out: string[] = [];
  for (let i = 0; i < labels.length; i += 2) {
    if (!METADATA_LABELS.has(labels[i]!)) out.push(labels[i]!, labels[i + 1]!);
  }
  return out;
}

/** Only the named labels (names must be sorted for a sorted result: input order is kept). */
export function keepLabels(labels: Labels, names: ReadonlySet<string>): Labels {
  const out: string[] = [];
  for (let i = 0; i < labels.length; i += 2) if (names.has(labels[i]!)) out.push(labels[i]!, labels[i + 1]!);
  return out;
}

/** The labels minus the named ones. */
export function deleteLabels(labels: Labels, names: ReadonlySet<string>): Labels {
  const out: string[] = [];
  for (let i = 0; i < labels.length; i += 2) if (!names.has(labels[i]!)) out.push(labels[i]!, labels[i + 1]!);
  return out;
}

/** Sets (or, with an empty value, deletes) one label, keeping the set sorted. */
export function setLabel(labels: Labels, name: string, value: string): Labels {
  const out: string[] = [];
  let placed = value === '';
  for (let i = 0; i < labels.length; i += 2) {
    const n = labels[i]!;
    if (n === name) continue;
    if (!placed && n > name) {
      out.push(name, value);
      placed = true;
    }
    out.push(n, labels[i + 1]!);
  }
  if (!placed) out.push(name, value);
  return out;
}

export function getLabel(labels: Labels, name: string): string {
  for (let i = 0; i < labels.length; i += 2) if (labels[i] === name) return labels[i + 1]!;
  return '';
}

/** A key equal for equal label sets; cheaper than `seriesKey` in hot paths because it is only compared. */
export function labelsKey(labels: Labels): string {
  if (labels.length === 0) return '';
  let key = labels[0]! + SEP_NAME + labels[1]!;
  for (let i = 2; i < labels.length; i += 2) key += SEP_PAIR + labels[i]! + SEP_NAME + labels[i + 1]!;
  return key;
}

/**
 * The join key of a series for vector matching or grouping: the values of `names` (`on`/`by`)
 * or of every label except `names` (`ignoring`/`without`). Absent and empty labels are equal,
 * as in Prometheus (empty labels do not exist).
 */
export function signature(labels: Labels, names: ReadonlySet<string>, include: boolean): string {
  let key = '';
  for (let i = 0; i < labels.length; i += 2) {
    if (names.has(labels[i]!) === include) key += labels[i]! + SEP_NAME + labels[i + 1]! + SEP_PAIR;
  }
  return key;
}

/** Prometheus' `labels.Compare`: label by label, name then value, then the shorter set first. */
export function compareLabels(a: Labels, b: Labels): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 2) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
    if (a[i + 1] !== b[i + 1]) return a[i + 1]! < b[i + 1]! ? -1 : 1;
  }
  return a.length - b.length;
}

/** Prometheus' `labels.String()`: `{a="1", b="2"}` with Go-quoted values. */
export function formatLabels(labels: Labels): string {
  const parts: string[] = [];
  for (let i = 0; i < labels.length; i += 2) {
    const name = labels[i]!;
    const shown = /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name) ? name : goQuote(name);
    parts.push(`${shown}=${goQuote(labels[i + 1]!)}`);
  }
  return `{${parts.join(', ')}}`;
}

/** Go's `strconv.Quote` for the characters label values realistically hold. */
export function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}
