/**
 * Grafana `templating.list` → dashboard variables. Query, custom and interval variables map
 * directly; constants become single-option custom variables; text boxes keep their value as a
 * fixed option; data source and ad hoc variables have no counterpart and are reported.
 */

import type { DashboardVariable, QueryVariable } from './dashboard-model.js';
import { boolAt, isObj, numAt, objAt, strAt, type DatasourceResolver, type Json, type Warnings } from './grafana-json.js';
import { ALL_VALUE } from './variables.js';

const VARIABLE_NAME = /^(?!__)[A-Za-z_][A-Za-z0-9_]*$/;
const DURATION = /^(?:\d+(?:ms|[smhdwy]))+$/;

/** Grafana's `sort` numbers; the case-insensitive and natural sorts have no exact counterpart. */
const SORTS: readonly (readonly [QueryVariable['sort'], string | null])[] = [
  ['none', null],
  ['alpha-asc', null],
  ['alpha-desc', null],
  ['numeric-asc', null],
  ['numeric-desc', null],
  ['alpha-asc', 'case-insensitive alphabetical sort is not supported; sorted alphabetically (case-sensitive)'],
  ['alpha-desc', 'case-insensitive alphabetical sort is not supported; sorted alphabetically (case-sensitive)'],
  ['numeric-asc', 'natural sort is not supported; sorted by the first number in each value'],
  ['numeric-desc', 'natural sort is not supported; sorted by the first number in each value'],
];

/** Plugin id that each data source variable selects (its `query`), for resolving `$datasource`. */
export function datasourceVariables(list: readonly unknown[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const v of list) {
    if (isObj(v) && strAt(v, 'type') === 'datasource' && strAt(v, 'name')) out.set(strAt(v, 'name')!, strAt(v, 'query') ?? '');
  }
  return out;
}

interface Current {
  readonly values: string[];
  readonly texts: string[];
}

function currentOf(v: Json): Current {
  const c = objAt(v, 'current');
  if (c === undefined) return { values: [], texts: [] };
  const list = (x: unknown): string[] => (Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : typeof x === 'string' ? [x] : typeof x === 'number' ? [String(x)] : []);
  return { values: list(c['value']), texts: list(c['text']) };
}

export function convertVariables(list: readonly unknown[], basePath: string, datasources: DatasourceResolver, warnings: Warnings): DashboardVariable[] {
  const out: DashboardVariable[] = [];
  const names = new Set<string>();
  list.forEach((raw, i) => {
    const path = `${basePath}[${i}]`;
    if (!isObj(raw)) return warnings.add(path, 'is not an object; skipped');
    const name = strAt(raw, 'name') ?? '';
    const type = strAt(raw, 'type') ?? 'query';
    if (!VARIABLE_NAME.test(name)) return warnings.add(`${path}.name`, `"${name}" is not a usable variable name (letters, digits and _, not starting with a digit or __); the variable is dropped`);
    if (names.has(name)) return warnings.add(`${path}.name`, `"${name}" is defined twice; the second is dropped`);
    const converted = convertVariable(raw, type, name, path, datasources, warnings);
    if (converted === null) return;
    if (numAt(raw, 'hide') === 2 && type !== 'constant') warnings.add(`${path}.hide`, 'hidden variables are not supported; it is shown in the variables bar');
    names.add(name);
    out.push(converted);
  });
  return out;
}

function convertVariable(v: Json, type: string, name: string, path: string, datasources: DatasourceResolver, warnings: Warnings): DashboardVariable | null {
  const multi = boolAt(v, 'multi') === true;
  const includeAll = boolAt(v, 'includeAll') === true;
  const allValue = strAt(v, 'allValue') || null;
  const base = { name, label: strAt(v, 'label') ?? '', multi, includeAll, allValue };
  const current = currentOf(v);
  const selected = (valid: ((s: string) => boolean) | null): string[] => {
    let values = current.values;
    if (values.includes(ALL_VALUE)) return includeAll ? [ALL_VALUE] : [];
    if (valid !== null) values = values.filter(valid);
    if (!multi && values.length > 1) {
      warnings.add(`${path}.current`, `has ${values.length} values but the variable is single-value; the first is kept`);
      values = values.slice(0, 1);
    }
    return values;
  };
  switch (type) {
    case 'query': {
      const ds = datasources.resolve(v['datasource']);
      if (ds.kind === 'other') {
        warnings.add(`${path}.datasource`, `query variables of data source "${ds.type}" are not supported; the variable is dropped`);
        return null;
      }
      const q = v['query'];
      let query = typeof q === 'string' ? q : isObj(q) ? (strAt(q, 'query') ?? '') : '';
      if (query.trim() === '') query = strAt(v, 'definition') ?? '';
      if (query.trim() === '') {
        warnings.add(`${path}.query`, 'the query is empty; the variable is dropped');
        return null;
      }
      const regex = strAt(v, 'regex') ?? '';
      if (regex !== '' && !compiles(regex)) {
        warnings.add(`${path}.regex`, `"${regex}" is not a valid regular expression here; the variable is kept without it`);
      }
      const sortNumber = numAt(v, 'sort') ?? 0;
      const [sort, sortWarning] = SORTS[sortNumber] ?? ['none', `sort ${sortNumber} is unknown; not sorted`];
      if (sortWarning !== null) warnings.add(`${path}.sort`, sortWarning);
      const refreshNumber = numAt(v, 'refresh') ?? 1;
      if (refreshNumber === 0) warnings.add(`${path}.refresh`, 'options saved with the dashboard (refresh "never") are not kept; they are queried when the dashboard loads');
      return {
        ...base,
        kind: 'query',
        current: selected(null),
        query,
        regex: regex !== '' && compiles(regex) ? regex : '',
        sort,
        refresh: refreshNumber === 2 ? 'time-range' : 'load',
      };
    }
    case 'custom': {
      const options = customOptions(strAt(v, 'query') ?? '');
      if (options.some((o) => o.text !== o.value)) {
        warnings.add(`${path}.query`, 'options written as "text : value" show their value; the text is not kept');
      }
      const values = [...new Set(options.map((o) => o.value))];
      return { ...base, kind: 'custom', options: values, current: selected(null) };
    }
    case 'constant': {
      const value = strAt(v, 'query') ?? '';
      return { ...base, multi: false, includeAll: false, allValue: null, kind: 'custom', options: [value], current: [value] };
    }
    case 'textbox': {
      const value = current.values[0] ?? strAt(v, 'query') ?? '';
      warnings.add(path, `text box variables are not supported; kept as a custom variable with the value "${value}"`);
      return { ...base, multi: false, includeAll: false, allValue: null, kind: 'custom', options: [value], current: [value] };
    }
    case 'interval': {
      const raw = (strAt(v, 'query') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
      const options = raw.filter((d) => DURATION.test(d));
      const bad = raw.filter((d) => !DURATION.test(d));
      if (bad.length > 0) warnings.add(`${path}.query`, `${bad.map((b) => `"${b}"`).join(', ')} ${bad.length === 1 ? 'is not a duration' : 'are not durations'}; dropped`);
      const auto = boolAt(v, 'auto') === true;
      const autoMin = strAt(v, 'auto_min') ?? '10s';
      if (!DURATION.test(autoMin)) warnings.add(`${path}.auto_min`, `"${autoMin}" is not a duration; 10s is used`);
      const autoCount = numAt(v, 'auto_count') ?? 30;
      // Grafana stores the auto option's value as `$__auto_interval_<name>`.
      const cur = current.values.map((c) => (c.startsWith('$__auto_interval') ? 'auto' : c)).filter((c) => (c === 'auto' ? auto : options.includes(c)));
      return {
        ...base,
        multi: false,
        includeAll: false,
        allValue: null,
        kind: 'interval',
        options,
        auto,
        autoCount: Number.isInteger(autoCount) && autoCount >= 1 && autoCount <= 10_000 ? autoCount : 30,
        autoMin: DURATION.test(autoMin) ? autoMin : '10s',
        current: cur.slice(0, 1),
      };
    }
    case 'datasource':
      warnings.add(path, 'data source variables are not supported (Pharos has one metric store); the variable is dropped');
      return null;
    case 'adhoc':
      warnings.add(path, 'ad hoc filters are not supported; the variable is dropped');
      return null;
    default:
      warnings.add(`${path}.type`, `variables of type "${type}" are not supported; the variable is dropped`);
      return null;
  }
}

function compiles(regex: string): boolean {
  try {
    new RegExp(regex);
    const m = /^\/(.*)\/([gimsuy]*)$/s.exec(regex);
    if (m !== null) new RegExp(m[1]!, m[2]);
    return true;
  } catch {
    return false;
  }
}

/** Grafana's custom variable syntax: comma-separated, `\,` for a literal comma, `text : value` pairs. */
export function customOptions(query: string): { text: string; value: string }[] {
  const parts = query.match(/(?:\\,|[^,])+/g) ?? [];
  return parts
    .map((part) => {
      const text = part.replace(/\\,/g, ',');
      const pair = /^(.+)\s:\s(.+)$/.exec(text);
      if (pair !== null) return { text: pair[1]!.trim(), value: pair[2]!.trim() };
      return { text: text.trim(), value: text.trim() };
    })
    .filter((o) => o.value !== '');
}
