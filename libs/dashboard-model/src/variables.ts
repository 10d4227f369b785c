/**
 * Dashboard templating with Grafana's semantics for the Prometheus data source: `$var`,
 * `${var}`, `${var:format}`, `[[var]]`, `[[var:format]]` and the built-ins (`$__interval`,
 * `$__rate_interval`, `$__range`, `$__from`, …), so imported Grafana dashboards query the
 * same series. Pure functions; `interpolate` runs on every panel refresh, so templates are
 * tokenised once and cached, and the scope is a plain map built once per variable change.
 *
 * Sources followed: Grafana's "Variable syntax / Advanced variable format options" docs, the
 * Prometheus data source's `interpolateQueryExpr` (classic escaping, i.e. without the
 * `prometheusSpecialCharsInLabelValues` feature toggle) and the scenes format registry.
 */

import type { DashboardVariable } from './dashboard-model.js';
import { autoInterval, DEFAULT_SCRAPE_INTERVAL_MS, formatDurationMs, rateIntervalMs } from './intervals.js';

/** The value that stands for "All" in a variable's `current`. */
export const ALL_VALUE = '$__all';
const ALL_TEXT = 'All';

export const VARIABLE_FORMATS = [
  'raw',
  'regex',
  'pipe',
  'csv',
  'json',
  'glob',
  'text',
  'queryparam',
  'lucene',
  'doublequote',
  'singlequote',
  'sqlstring',
  'percentencode',
  'date',
] as const;
export type VariableFormat = (typeof VARIABLE_FORMATS)[number];

/**
 * How a variable is inserted when the template names no format: `prometheus` is the
 * Prometheus data source's default (queries); Grafana uses `text` for panel titles and `glob`
 * where no data source formats (legends).
 */
export type DefaultFormat = 'prometheus' | VariableFormat;

/** One option of a variable: what is shown, and what is inserted. */
export interface VariableOption {
  readonly text: string;
  readonly value: string;
}

/** A variable as interpolation sees it (see `scopeVariable`). */
export interface ScopeVariable {
  /** A string for single-value variables, an array for multi-value ones (Grafana's shape). */
  readonly value: string | readonly string[];
  /** Display text, same shape as `value` ("All" when All is selected). */
  readonly text: string | readonly string[];
  readonly multi: boolean;
  readonly includeAll: boolean;
  /** "All" is selected and the variable has a custom `allValue`: inserted as written. */
  readonly customAllValue: string | null;
}

export interface InterpolationScope {
  readonly variables: ReadonlyMap<string, ScopeVariable>;
  /** The panel's step (`$__interval`, `$__interval_ms`, `$__rate_interval`). */
  readonly intervalMs?: number;
  /** The dashboard's time range (`$__from`, `$__to`, `$__range*`). */
  readonly fromMs?: number;
  readonly toMs?: number;
  /** For `$__rate_interval`; default 15 s as Grafana's Prometheus data source. */
  readonly scrapeIntervalMs?: number;
}

// ---------------------------------------------------------------------------------------------
// Tokenising. Same alternatives as Grafana's variable regex: `$name`, `[[name]]` or
// `[[name:format]]`, `${name}`, `${name.fieldPath}`, `${name:format[:args]}`.

const VARIABLE_TOKEN = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}/g;

interface Token {
  readonly raw: string;
  readonly name: string;
  /** Explicit format, or null for the default. */
  readonly format: string | null;
  readonly args: readonly string[];
  /** `${var.path}` (field paths of object values) is not supported: such tokens stay as written. */
  readonly fieldPath: boolean;
}
type Part = string | Token;

const TEMPLATE_CACHE_LIMIT = 1_000;
const templateCache = new Map<string, readonly Part[]>();

function tokenise(text: string): readonly Part[] {
  const cached = templateCache.get(text);
  if (cached !== undefined) return cached;
  const parts: Part[] = [];
  let last = 0;
  for (const m of text.matchAll(VARIABLE_TOKEN)) {
    if (m.index > last) parts.push(text.slice(last, m.index));
    const name = m[1] ?? m[2] ?? m[4]!;
    const spec = m[3] ?? m[6] ?? null;
    const [format = null, ...args] = spec === null ? [] : spec.split(':');
    parts.push({ raw: m[0], name, format, args, fieldPath: m[5] !== undefined });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  // Templates come from a handful of dashboards; a full cache is simply dropped rather than
  // tracked as an LRU, which would cost more per hit than re-tokenising costs per miss.
  if (templateCache.size >= TEMPLATE_CACHE_LIMIT) templateCache.clear();
  templateCache.set(text, parts);
  return parts;
}

/** Names of the variables a template refers to (built-ins excluded), in order of appearance. */
export function referencedVariables(text: string): string[] {
  const names: string[] = [];
  for (const part of tokenise(text)) {
    if (typeof part !== 'string' && !part.name.startsWith('__') && !names.includes(part.name)) names.push(part.name);
  }
  return names;
}

/**
 * Replaces variables and built-ins in `text`. Unknown variables, built-ins whose inputs the
 * scope lacks, field paths and unsupported date formats stay as written, so the error the
 * query then gets names them.
 */
export function interpolate(text: string, scope: InterpolationScope, defaultFormat: DefaultFormat = 'prometheus'): string {
  if (text.indexOf('$') < 0 && text.indexOf('[[') < 0) return text;
  const parts = tokenise(text);
  let out = '';
  for (const part of parts) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    const replaced = part.fieldPath ? null : part.name.startsWith('__') ? builtin(part, scope) : variable(part, scope, defaultFormat);
    out += replaced ?? part.raw;
  }
  return out;
}

function variable(token: Token, scope: InterpolationScope, defaultFormat: DefaultFormat): string | null {
  const v = scope.variables.get(token.name);
  if (v === undefined) return null;
  const format = token.format === null ? defaultFormat : normaliseFormat(token.format);
  if (v.customAllValue !== null) {
    // Grafana inserts a custom "All" value unformatted, except for these two formats.
    if (format === 'text') return ALL_TEXT;
    if (format === 'percentencode') return encodeStrict(v.customAllValue);
    if (format === 'queryparam') return `var-${token.name}=${encodeStrict(ALL_VALUE)}`;
    return v.customAllValue;
  }
  if (format === 'prometheus') return prometheusFormat(v);
  return applyFormat(format, v.value, v.text, token.name, token.args);
}

/** Unknown formats fall back to glob, as Grafana documents. */
function normaliseFormat(format: string): VariableFormat {
  return (VARIABLE_FORMATS as readonly string[]).includes(format) ? (format as VariableFormat) : 'glob';
}

function builtin(token: Token, scope: InterpolationScope): string | null {
  const { intervalMs, fromMs, toMs } = scope;
  let value: string;
  switch (token.name) {
    case '__interval':
      if (intervalMs === undefined) return null;
      value = formatDurationMs(intervalMs);
      break;
    case '__interval_ms':
      if (intervalMs === undefined) return null;
      value = String(Math.round(intervalMs));
      break;
    case '__rate_interval':
      if (intervalMs === undefined) return null;
      value = formatDurationMs(rateIntervalMs(intervalMs, scope.scrapeIntervalMs ?? DEFAULT_SCRAPE_INTERVAL_MS));
      break;
    case '__rate_interval_ms':
      if (intervalMs === undefined) return null;
      value = String(rateIntervalMs(intervalMs, scope.scrapeIntervalMs ?? DEFAULT_SCRAPE_INTERVAL_MS));
      break;
    case '__range':
    case '__range_s':
    case '__range_ms': {
      if (fromMs === undefined || toMs === undefined) return null;
      const rangeMs = toMs - fromMs;
      // Grafana rounds the range to whole seconds for `$__range` and `$__range_s`.
      const seconds = Math.round(rangeMs / 1000);
      value = token.name === '__range_ms' ? String(rangeMs) : token.name === '__range_s' ? String(seconds) : `${seconds}s`;
      break;
    }
    case '__from':
    case '__to': {
      const ms = token.name === '__from' ? fromMs : toMs;
      if (ms === undefined) return null;
      if (token.format === 'date') return formatDate(ms, token.args);
      value = String(ms);
      break;
    }
    default:
      return null;
  }
  if (token.format === null || token.format === 'raw') return value;
  return applyFormat(normaliseFormat(token.format), value, value, token.name, token.args);
}

/** `${__from:date}` / `:date:iso`, `:date:seconds`, `:date:ms`; moment.js patterns are not supported. */
function formatDate(ms: number, args: readonly string[]): string | null {
  switch (args[0] ?? 'iso') {
    case 'iso':
      return new Date(ms).toISOString();
    case 'seconds':
      return String(Math.round(ms / 1000));
    case 'ms':
      return String(ms);
    default:
      return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Formats.

/**
 * The Prometheus data source's default: a variable that is neither multi-value nor offers
 * "All" is inserted with `\` and `'` escaped; otherwise each value is regex-escaped for a
 * PromQL string (backslashes doubled, since the string literal unescapes once) and several
 * values become `(a|b)`.
 */
function prometheusFormat(v: ScopeVariable): string {
  const value = v.value;
  if (!v.multi && !v.includeAll) {
    return typeof value === 'string' ? prometheusRegularEscape(value) : value.map(prometheusRegularEscape).join(',');
  }
  if (typeof value === 'string') return prometheusRegexEscape(value);
  if (value.length === 1) return prometheusRegexEscape(value[0]!);
  return `(${value.map(prometheusRegexEscape).join('|')})`;
}

function prometheusRegularEscape(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/'/g, "\\\\'");
}

function prometheusRegexEscape(s: string): string {
  return s.replace(/\\/g, '\\\\\\\\').replace(/[$^*{}[\]+?.()|]/g, '\\\\$&');
}

function escapeRegex(s: string): string {
  return s.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&');
}

function luceneEscape(s: string): string {
  if (s.trim() !== '' && !Number.isNaN(Number(s))) return s;
  return s.replace(/([!*+\-=<>\s&|()[\]{}^~?:\\/"])/g, '\\$1');
}

/** RFC 3986: encodeURIComponent plus the sub-delimiters it leaves alone. */
function encodeStrict(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The scenes format registry, for a value of Grafana's shape (string, or array when multi). */
function applyFormat(format: VariableFormat, value: string | readonly string[], text: string | readonly string[], name: string, args: readonly string[]): string {
  const many = typeof value !== 'string';
  switch (format) {
    case 'raw':
      return many ? value.join(',') : value;
    case 'regex':
      if (!many) return escapeRegex(value);
      return value.length === 1 ? escapeRegex(value[0]!) : `(${value.map(escapeRegex).join('|')})`;
    case 'pipe':
      return many ? value.join('|') : value;
    case 'csv':
      return many ? value.join(',') : value;
    case 'json':
      return many ? JSON.stringify(value) : value;
    case 'glob':
      return many ? (value.length > 1 ? `{${value.join(',')}}` : value.join(',')) : value;
    case 'text':
      return typeof text === 'string' ? text : text.join(' + ');
    case 'queryparam':
      return many ? value.map((v) => `var-${name}=${encodeStrict(v)}`).join('&') : `var-${name}=${encodeStrict(value)}`;
    case 'lucene':
      if (!many) return luceneEscape(value);
      return value.length === 0 ? '__empty__' : `(${value.map((v) => `"${luceneEscape(v)}"`).join(' OR ')})`;
    case 'doublequote':
      return (many ? value : [value]).map((v) => `"${v.replace(/"/g, '\\"')}"`).join(',');
    case 'singlequote':
      return (many ? value : [value]).map((v) => `'${v.replace(/'/g, "\\'")}'`).join(',');
    case 'sqlstring':
      return (many ? value : [value]).map((v) => `'${v.replace(/'|"/g, (c) => (c === "'" ? "''" : '\\"'))}'`).join(',');
    case 'percentencode':
      // Grafana's code (not its docs' example) wraps several values like a glob before encoding.
      return many ? encodeStrict(`{${value.join(',')}}`) : encodeStrict(value);
    case 'date': {
      const ms = Number.parseInt(many ? (value[0] ?? '') : value, 10);
      return Number.isNaN(ms) ? 'NaN' : (formatDate(ms, args) ?? String(ms));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Scope.

export interface ScopeContext {
  /** The dashboard's range, for interval variables set to "auto". */
  readonly rangeMs?: number;
}

/**
 * How `variable` interpolates, given its current options (without "All"): "All" becomes every
 * option's value (or the custom `allValue`), "auto" of an interval variable becomes the step
 * `autoInterval` computes, and values are shaped as Grafana shapes them (arrays when multi).
 */
export function scopeVariable(variable: DashboardVariable, options: readonly VariableOption[], context: ScopeContext = {}): ScopeVariable {
  const base = { multi: variable.multi, includeAll: variable.includeAll };
  const current = variable.current;
  if (variable.includeAll && current.includes(ALL_VALUE)) {
    if (variable.allValue !== null) return { ...base, value: variable.allValue, text: ALL_TEXT, customAllValue: variable.allValue };
    return { ...base, value: options.map((o) => o.value), text: ALL_TEXT, customAllValue: null };
  }
  const resolve = (v: string): string => {
    if (variable.kind === 'interval' && v === 'auto' && variable.auto && context.rangeMs !== undefined && context.rangeMs > 0) {
      return autoInterval(context.rangeMs, variable.autoCount, variable.autoMin).interval;
    }
    return v;
  };
  const textOf = (v: string): string => options.find((o) => o.value === v)?.text ?? v;
  if (variable.multi) return { ...base, value: current.map(resolve), text: current.map(textOf), customAllValue: null };
  const one = current[0] ?? '';
  return { ...base, value: resolve(one), text: textOf(one), customAllValue: null };
}

/**
 * What is selected after a variable's options change (Grafana's `validateVariableSelectionState`):
 * still-valid selections are kept; "All" stays while the variable offers it; otherwise the
 * first option ("All" when offered, as Grafana lists it first), or nothing without options.
 */
export function resolveCurrent(variable: DashboardVariable, options: readonly VariableOption[]): string[] {
  const current = variable.current;
  if (variable.includeAll && current.includes(ALL_VALUE)) return [ALL_VALUE];
  const valid = new Set(options.map((o) => o.value));
  // Interval variables keep "auto" while they offer it.
  if (variable.kind === 'interval' && variable.auto) valid.add('auto');
  const kept = current.filter((v) => valid.has(v));
  if (kept.length > 0) return variable.multi ? kept : [kept[0]!];
  // Grafana also matches a single selection by its text.
  if (!variable.multi && current.length === 1) {
    const byText = options.find((o) => o.text === current[0]);
    if (byText !== undefined) return [byText.value];
  }
  if (variable.includeAll) return [ALL_VALUE];
  const first = options[0];
  return first === undefined ? [] : [first.value];
}

// ---------------------------------------------------------------------------------------------
// Chained variables.

/** Variables that refer to each other in a loop, or to themselves. */
export class VariableCycleError extends Error {
  override readonly name = 'VariableCycleError';
  constructor(readonly cycle: readonly string[]) {
    super(`variables refer to each other in a loop: ${cycle.join(' → ')}`);
  }
}

export interface VariableDependencies {
  /** Every variable name, each after the variables its query refers to; otherwise in definition order. */
  readonly order: readonly string[];
  /** The variables each one refers to (only variables of the dashboard). */
  readonly dependsOn: ReadonlyMap<string, readonly string[]>;
  /** The variables to refresh, in order, when one changes (transitively). */
  readonly dependents: ReadonlyMap<string, readonly string[]>;
}

/**
 * The evaluation order of chained variables: a query variable whose query or regex refers to
 * another variable is evaluated after it. Throws `VariableCycleError` on a loop.
 */
export function variableDependencies(variables: readonly DashboardVariable[]): VariableDependencies {
  const names = new Set(variables.map((v) => v.name));
  const dependsOn = new Map<string, string[]>();
  for (const v of variables) {
    const refs = v.kind === 'query' ? [...referencedVariables(v.query), ...referencedVariables(v.regex)] : [];
    dependsOn.set(v.name, [...new Set(refs.filter((r) => names.has(r)))]);
  }
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): void => {
    const s = state.get(name);
    if (s === 'done') return;
    if (s === 'visiting') throw new VariableCycleError([...path.slice(path.indexOf(name)), name]);
    state.set(name, 'visiting');
    for (const dep of dependsOn.get(name)!) visit(dep, [...path, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const v of variables) visit(v.name, []);
  const position = new Map(order.map((n, i) => [n, i]));
  const dependents = new Map<string, string[]>();
  for (const name of order) {
    const out = new Set<string>();
    const stack = [name];
    while (stack.length > 0) {
      const at = stack.pop()!;
      for (const [other, deps] of dependsOn) if (deps.includes(at) && !out.has(other)) (out.add(other), stack.push(other));
    }
    dependents.set(name, [...out].sort((a, b) => position.get(a)! - position.get(b)!));
  }
  return { order, dependsOn, dependents };
}
