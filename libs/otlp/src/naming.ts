/**
 * Metric, unit and label names as Prometheus 3's OTLP receiver builds them (the
 * `github.com/prometheus/otlptranslator` v1.0.0 rules, which implement OpenTelemetry's
 * Prometheus-compatibility specification): legacy escaping turns every character outside
 * `[a-zA-Z0-9:]` into a separator, units become suffixes (`ms` → `_milliseconds`, `By/s` →
 * `_bytes_per_second`), monotonic sums end in `_total` and unit-`1` gauges in `_ratio`.
 */

/** The OTLP point kinds, as far as naming cares. */
export type OtlpMetricKind = 'gauge' | 'monotonic_sum' | 'sum' | 'histogram' | 'exponential_histogram' | 'summary';

// UCUM units (as OpenTelemetry semantic conventions write them) → Prometheus base-unit words.
const UNIT_WORDS: Readonly<Record<string, string>> = {
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  TiBy: 'tibibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  TBy: 'terabytes',
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  Cel: 'celsius',
  Hz: 'hertz',
  '1': '',
  '%': 'percent',
};

// The denominator of `x/y` units, singular: `By/s` → `bytes_per_second`.
const PER_UNIT_WORDS: Readonly<Record<string, string>> = {
  s: 'second',
  m: 'minute',
  h: 'hour',
  d: 'day',
  w: 'week',
  mo: 'month',
  y: 'year',
};

/** Thrown when a name cannot be translated (empty, or nothing but underscores). */
export class OtlpNameError extends Error {
  override readonly name = 'OtlpNameError';
}

function isMetricChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x3a;
}

function isLabelChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function underscoresOnly(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== 0x5f) return false;
  return true;
}

/**
 * Splits on every code point for which `keep` is false, dropping empty pieces (Go's
 * `strings.FieldsFunc`). Non-ASCII code points are never kept, so checking UTF-16 units is
 * enough: a surrogate pair is two separators in a row, which yields no empty piece.
 */
function fields(s: string, keep: (c: number) => boolean): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i < s.length; i++) {
    if (keep(s.charCodeAt(i))) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      out.push(s.slice(start, i));
      start = -1;
    }
  }
  if (start >= 0) out.push(s.slice(start));
  return out;
}

/** Main and per-unit suffix words of a UCUM unit (`""` when absent or an annotation `{…}`). */
export function unitSuffixes(unit: string): [main: string, per: string] {
  const slash = unit.indexOf('/');
  const mainRaw = (slash < 0 ? unit : unit.slice(0, slash)).trim();
  let main = '';
  let per = '';
  if (mainRaw !== '' && !/[{}]/.test(mainRaw)) main = UNIT_WORDS[mainRaw] ?? mainRaw;
  if (slash >= 0 && slash + 1 < unit.length) {
    const perRaw = unit.slice(slash + 1).trim();
    if (perRaw !== '' && !/[{}]/.test(perRaw)) per = PER_UNIT_WORDS[perRaw] ?? perRaw;
    if (per !== '') per = 'per_' + per;
  }
  return [main, per];
}

function collapseUnderscores(s: string): string {
  return s.replace(/_{2,}/g, '_');
}

/** Legacy characters only, runs of `_` collapsed, no leading `_`. */
function cleanUnit(unit: string): string {
  let out = '';
  for (let i = 0; i < unit.length; i++) {
    const c = unit.charCodeAt(i);
    // A surrogate pair is one rune in Go and one replacement `_`.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < unit.length) {
      const d = unit.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    out += isMetricChar(c) ? unit[i]! : '_';
  }
  out = collapseUnderscores(out);
  return out.startsWith('_') ? out.slice(1) : out;
}

/** The `unit` of Prometheus metadata for an OTLP unit (`ms` → `milliseconds`, `By/s` → `bytes_per_second`). */
export function prometheusUnit(unit: string): string {
  const [mainWord, perWord] = unitSuffixes(unit);
  const main = cleanUnit(mainWord);
  const per = cleanUnit(perWord);
  let u = main !== '' && per !== '' ? `${main}_${per}` : main !== '' ? main : per;
  if (u.startsWith('_')) u = u.slice(1);
  if (u.endsWith('_')) u = u.slice(0, -1);
  return u;
}

/**
 * The Prometheus metric family name of an OTLP metric. Throws {@link OtlpNameError} when the
 * result would be empty or only underscores.
 */
export function metricFamilyName(name: string, unit: string, kind: OtlpMetricKind, escape: boolean, addSuffixes: boolean): string {
  if (!escape) return utf8MetricName(name, unit, kind, addSuffixes);
  const out = addSuffixes ? normalizedName(name, unit, kind) : escapedName(name);
  if (out === '') throw new OtlpNameError(`metric name ${JSON.stringify(name)} translates to an empty name`);
  if (out !== name && underscoresOnly(out)) throw new OtlpNameError(`metric name ${JSON.stringify(name)} translates to the invalid name ${JSON.stringify(out)}`);
  return out;
}

/** Legacy characters, no suffixes: invalid characters (not `_`) separate words joined by `_`. */
function escapedName(name: string): string {
  const out = fields(name, (c) => isMetricChar(c) || c === 0x5f).join('_');
  return out !== '' && isDigit(out.charCodeAt(0)) ? '_' + out : out;
}

/** Legacy characters with unit and type suffixes; `_` separates words too, so runs collapse. */
function normalizedName(name: string, unit: string, kind: OtlpMetricKind): string {
  let tokens = fields(name, isMetricChar);
  const [mainWord, perWord] = unitSuffixes(unit);
  let main = cleanUnit(mainWord);
  let per = cleanUnit(perWord);
  if (tokens.includes(main)) main = '';
  if (per === 'per_') per = '';
  else {
    if (per.endsWith('_')) per = per.slice(0, -1);
    if (tokens.includes(per)) per = '';
  }
  if (per !== '' && main.endsWith('_')) main = main.slice(0, -1);
  if (main !== '') tokens.push(main);
  if (per !== '') tokens.push(per);
  if (kind === 'monotonic_sum') tokens = [...tokens.filter((t) => t !== 'total'), 'total'];
  if (unit === '1' && kind === 'gauge') tokens = [...tokens.filter((t) => t !== 'ratio'), 'ratio'];
  const out = tokens.join('_');
  return out !== '' && isDigit(out.charCodeAt(0)) ? '_' + out : out;
}

/** UTF-8 names kept as sent; suffixes added unless already there. */
function utf8MetricName(name: string, unit: string, kind: OtlpMetricKind, addSuffixes: boolean): string {
  if (!addSuffixes) return name;
  let out = name;
  const ratio = unit === '1' && kind === 'gauge';
  const total = kind === 'monotonic_sum';
  if (ratio) out = trimSuffixAndDelimiter(out, 'ratio');
  if (total) out = trimSuffixAndDelimiter(out, 'total');
  const [main, per] = unitSuffixes(unit);
  if (per !== '') out = trimSuffixAndDelimiter(out, per);
  if (main !== '' && !out.endsWith(main)) out = `${out}_${main}`;
  if (per !== '') out = `${out}_${per}`;
  if (total) out += '_total';
  if (ratio) out += '_ratio';
  return out;
}

function trimSuffixAndDelimiter(name: string, suffix: string): string {
  return name.endsWith(suffix) && name.length > suffix.length + 1 ? name.slice(0, name.length - suffix.length - 1) : name;
}

/** Label-name rules of one translation (legacy escaping or UTF-8). */
export interface LabelNameRules {
  readonly escape: boolean;
  readonly underscoreSanitization: boolean;
  readonly preserveMultipleUnderscores: boolean;
}

/**
 * The Prometheus label name of an attribute key. Throws {@link OtlpNameError} for an empty
 * key or one that is (or becomes) only underscores.
 */
export function labelName(key: string, rules: LabelNameRules): string {
  if (key === '') throw new OtlpNameError('attribute key is empty');
  if (!rules.escape) {
    if (underscoresOnly(key)) throw new OtlpNameError(`label name ${JSON.stringify(key)} contains only underscores`);
    return key;
  }
  let out = sanitizeLabelName(key, rules.preserveMultipleUnderscores);
  if (isDigit(out.charCodeAt(0))) out = 'key_' + out;
  else if (rules.underscoreSanitization && out.startsWith('_') && !out.startsWith('__')) out = 'key' + out;
  if (underscoresOnly(out)) throw new OtlpNameError(`label name ${JSON.stringify(key)} translates to the invalid name ${JSON.stringify(out)}`);
  return out;
}

/** One `_` per invalid code point (or per run of them unless runs are preserved); `__x__` stays reserved. */
function sanitizeLabelName(name: string, preserveRuns: boolean): string {
  let inner = name;
  let reserved = false;
  if (!preserveRuns && name.length >= 4 && name.startsWith('__') && name.endsWith('__')) {
    reserved = true;
    inner = name.slice(2, -2);
  }
  let out = '';
  let prevUnderscore = false;
  for (let i = 0; i < inner.length; i++) {
    const c = inner.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < inner.length) {
      const d = inner.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    if (isLabelChar(c)) {
      out += inner[i]!;
      prevUnderscore = false;
    } else if (preserveRuns || !prevUnderscore) {
      out += '_';
      prevUnderscore = true;
    }
  }
  return reserved ? `__${out}__` : out;
}
