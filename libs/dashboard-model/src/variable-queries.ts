/**
 * Query variables in Grafana's Prometheus syntax: what to ask the metric store for, how its
 * answer becomes options, and the variable's regex and sort. The console turns a
 * `VariableQuery` into one Prometheus HTTP API call and hands the answer back here, so the
 * Grafana-specific shaping lives in one tested place.
 */

import type { QueryVariable } from './dashboard-model.js';
import type { VariableOption } from './variables.js';

export type VariableQuery =
  /** `label_names()`: GET /api/v1/labels. */
  | { readonly kind: 'label_names' }
  /**
   * `label_names(pattern)`: label names of series whose metric name contains `pattern` (a
   * regex): GET /api/v1/labels with `match[]` = `selector`, as Grafana builds it.
   */
  | { readonly kind: 'label_names'; readonly metricRegex: string; readonly selector: string }
  /** `label_values(label)` / `label_values(selector, label)`: GET /api/v1/label/<label>/values. */
  | { readonly kind: 'label_values'; readonly label: string; readonly selector: string | null }
  /** `metrics(regex)`: metric names (label `__name__` values) the regex matches anywhere. */
  | { readonly kind: 'metrics'; readonly regex: string }
  /** `query_result(expr)`: an instant query at the range's end. */
  | { readonly kind: 'query_result'; readonly expr: string }
  /** Anything else that is a series selector: GET /api/v1/series (Grafana's fallback). */
  | { readonly kind: 'series'; readonly selector: string };

export class VariableQueryError extends Error {
  override readonly name = 'VariableQueryError';
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
// A metric name with an optional `{…}` block, or just the block: what `/api/v1/series` takes.
const SERIES_SELECTOR = /^(?:[a-zA-Z_:][a-zA-Z0-9_:]*\s*(?:\{.*\})?|\{.*\})$/s;
const FUNCTION_CALL = /^([a-zA-Z_]\w*)\s*\((.*)\)$/s;

const SYNTAX_HELP = 'expected label_names(), label_values([selector,] label), metrics(regex), query_result(expr) or a series selector';

/**
 * Parses a query variable's query (already interpolated). Throws `VariableQueryError` naming
 * the problem.
 */
export function parseVariableQuery(query: string): VariableQuery {
  const q = query.trim();
  if (q === '') throw new VariableQueryError(`the query is empty; ${SYNTAX_HELP}`);
  const call = FUNCTION_CALL.exec(q);
  const fn = call?.[1];
  const inner = call?.[2]?.trim() ?? '';
  switch (fn) {
    case 'label_names': {
      if (inner === '') return { kind: 'label_names' };
      return { kind: 'label_names', metricRegex: inner, selector: `{__name__=~".*${inner}.*"}` };
    }
    case 'label_values': {
      // The label is the last argument; the selector before it may itself contain commas.
      const comma = inner.lastIndexOf(',');
      const label = (comma < 0 ? inner : inner.slice(comma + 1)).trim();
      if (label === '') throw new VariableQueryError(`label_values needs a label name: label_values(label) or label_values(selector, label)`);
      if (!LABEL_NAME.test(label)) throw new VariableQueryError(`label_values: "${label}" is not a label name`);
      const selector = comma < 0 ? '' : inner.slice(0, comma).trim();
      if (comma >= 0 && selector === '') throw new VariableQueryError('label_values: the selector before the label is empty');
      // Grafana treats `{}` as no selector.
      return { kind: 'label_values', label, selector: selector === '' || selector.replace(/\s/g, '') === '{}' ? null : selector };
    }
    case 'metrics': {
      if (inner === '') throw new VariableQueryError('metrics needs a regular expression: metrics(regex)');
      try {
        new RegExp(inner);
      } catch (err) {
        throw new VariableQueryError(`metrics: "${inner}" is not a valid regular expression: ${(err as Error).message}`);
      }
      return { kind: 'metrics', regex: inner };
    }
    case 'query_result':
      if (inner === '') throw new VariableQueryError('query_result needs a PromQL expression: query_result(expr)');
      return { kind: 'query_result', expr: inner };
    default:
      if (SERIES_SELECTOR.test(q)) return { kind: 'series', selector: q };
      throw new VariableQueryError(`"${q}" is not a variable query; ${SYNTAX_HELP}`);
  }
}

/** A Prometheus instant-query answer (`data` of /api/v1/query). */
export interface InstantQueryData {
  readonly resultType: string;
  readonly result: unknown;
}

/**
 * The variable's raw values from the API's answer to `query`:
 * - `label_names`, `label_values`: the `data` array of strings as it is;
 * - `metrics`: the `__name__` values the regex matches anywhere (unanchored, like Grafana);
 * - `series`: the `data` array of label sets, each as `name{a="1",b="2"}`;
 * - `query_result`: the instant query's `data`, each sample as `name{labels} value timestampMs`
 *   (Grafana's text, for a regex to pick from); a scalar or string result is its value.
 * Throws `VariableQueryError` when the answer has the wrong shape.
 */
export function optionsFromQueryResult(query: VariableQuery, answer: unknown): string[] {
  switch (query.kind) {
    case 'label_names':
    case 'label_values':
      return stringArray(answer, query.kind);
    case 'metrics': {
      const re = new RegExp(query.regex);
      return stringArray(answer, query.kind).filter((name) => re.test(name));
    }
    case 'series':
      return objectArray(answer, 'series').map((labels) => seriesText(labels));
    case 'query_result':
      return queryResultTexts(answer);
  }
}

function stringArray(answer: unknown, what: string): string[] {
  if (!Array.isArray(answer) || !answer.every((v) => typeof v === 'string')) {
    throw new VariableQueryError(`the answer to ${what} must be an array of strings`);
  }
  return answer as string[];
}

function objectArray(answer: unknown, what: string): Record<string, unknown>[] {
  if (!Array.isArray(answer) || !answer.every((v) => typeof v === 'object' && v !== null && !Array.isArray(v))) {
    throw new VariableQueryError(`the answer to ${what} must be an array of label sets`);
  }
  return answer as Record<string, unknown>[];
}

function seriesText(labels: Record<string, unknown>): string {
  let pairs = '';
  for (const key of Object.keys(labels)) {
    if (key === '__name__') continue;
    pairs += `${pairs === '' ? '' : ','}${key}="${String(labels[key])}"`;
  }
  return `${typeof labels['__name__'] === 'string' ? labels['__name__'] : ''}{${pairs}}`;
}

function queryResultTexts(answer: unknown): string[] {
  if (typeof answer !== 'object' || answer === null) throw new VariableQueryError('the answer to query_result must be the data of an instant query');
  const { resultType, result } = answer as InstantQueryData;
  switch (resultType) {
    case 'scalar':
    case 'string': {
      if (!Array.isArray(result)) throw new VariableQueryError(`a ${resultType} result must be [time, value]`);
      return [String(result[1] ?? '')];
    }
    case 'vector':
      return objectArray(result, 'query_result').map((sample, i) => {
        const metric = sample['metric'];
        const value = sample['value'];
        if (typeof metric !== 'object' || metric === null || !Array.isArray(value) || value.length !== 2) {
          throw new VariableQueryError(`query_result: sample ${i} must have metric and value [time, value]`);
        }
        return `${seriesText(metric as Record<string, unknown>)} ${String(value[1])} ${Math.round(Number(value[0]) * 1000)}`;
      });
    default:
      throw new VariableQueryError(`query_result: a ${String(resultType)} result cannot become options; use an expression that returns an instant vector`);
  }
}

// ---------------------------------------------------------------------------------------------
// Regex and sort.

const regexCache = new Map<string, RegExp>();

/**
 * A variable regex as Grafana reads it (`stringToJsRegex`): `/pattern/flags`, or else a bare
 * pattern anchored at both ends. Throws `VariableQueryError` when it does not compile.
 */
export function variableRegex(source: string): RegExp {
  const cached = regexCache.get(source);
  if (cached !== undefined) return cached;
  let re: RegExp;
  try {
    if (source.startsWith('/')) {
      const m = /^\/(.*)\/([gimsuy]*)$/s.exec(source);
      if (m === null) throw new Error('a regex that starts with / must end with / and optional flags');
      re = new RegExp(m[1]!, m[2]);
    } else {
      re = new RegExp(`^${source}$`);
    }
  } catch (err) {
    throw new VariableQueryError(`"${source}" is not a valid regular expression: ${(err as Error).message}`);
  }
  if (regexCache.size >= 500) regexCache.clear();
  regexCache.set(source, re);
  return re;
}

function allMatches(text: string, re: RegExp): RegExpExecArray[] {
  re.lastIndex = 0;
  if (!re.global) {
    const m = re.exec(text);
    return m === null ? [] : [m];
  }
  const out: RegExpExecArray[] = [];
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    out.push(m);
    if (m[0] === '') re.lastIndex++;
  }
  return out;
}

/**
 * Turns raw values into options as Grafana's query variable does: the regex (if any) keeps
 * only matching values; named groups `text` and `value` set each side; otherwise the first
 * capture group is the option (with the `g` flag, every match adds one); duplicates by value
 * are dropped; then `sort`. A capture group that did not take part in the match drops the
 * value (Grafana would produce an "undefined" option).
 */
export function applyRegexAndSort(values: readonly (string | VariableOption)[], regex: string, sort: QueryVariable['sort']): VariableOption[] {
  const re = regex === '' ? null : variableRegex(regex);
  const options: VariableOption[] = [];
  const seen = new Set<string>();
  const add = (text: string, value: string): void => {
    if (seen.has(value)) return;
    seen.add(value);
    options.push({ text, value });
  };
  for (const item of values) {
    let text = typeof item === 'string' ? item : item.text;
    let value = typeof item === 'string' ? item : item.value;
    if (re !== null) {
      const matches = allMatches(text, re);
      if (matches.length === 0) continue;
      const valueGroup = matches.find((m) => m.groups?.['value'] !== undefined)?.groups?.['value'];
      const textGroup = matches.find((m) => m.groups?.['text'] !== undefined)?.groups?.['text'];
      const withGroup = matches.filter((m) => m.length > 1);
      if (valueGroup !== undefined || textGroup !== undefined) {
        value = valueGroup ?? textGroup!;
        text = textGroup ?? valueGroup!;
      } else if (matches.length > 1 && withGroup.length > 0) {
        for (const m of matches) if (m[1] !== undefined) add(m[1], m[1]);
        continue;
      } else if (withGroup.length > 0) {
        const captured = withGroup[0]![1];
        if (captured === undefined) continue;
        text = captured;
        value = captured;
      }
    }
    add(text, value);
  }
  return sortOptions(options, sort);
}

/** Grafana's numeric sort key: the first run of digits in the text, -1 without one. */
function numericKey(text: string): number {
  const m = /\d+/.exec(text);
  return m === null ? -1 : Number.parseInt(m[0], 10);
}

/** Sorts as Grafana does (lodash `sortBy`, stable; descending is the ascending order reversed). */
export function sortOptions(options: VariableOption[], sort: QueryVariable['sort']): VariableOption[] {
  if (sort === 'none') return options;
  if (sort === 'alpha-asc' || sort === 'alpha-desc') {
    options.sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  } else {
    const keys = new Map(options.map((o) => [o, numericKey(o.text)]));
    options.sort((a, b) => keys.get(a)! - keys.get(b)!);
  }
  if (sort.endsWith('-desc')) options.reverse();
  return options;
}
