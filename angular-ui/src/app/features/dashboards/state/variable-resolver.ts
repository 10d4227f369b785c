import {
  applyRegexAndSort,
  interpolate,
  optionsFromQueryResult,
  parseVariableQuery,
  resolveCurrent,
  scopeVariable,
  variableDependencies,
  type DashboardVariable,
  type ScopeVariable,
  type VariableOption,
  type VariableQuery,
} from '@pharos/dashboard-model';
import type { Labels } from '../../../shared/series/legend-format';

/** What the resolver needs from the server: the metric catalog and instant queries. */
export interface VariableSource {
  labelNames(match: readonly string[], startMs: number, endMs: number, signal?: AbortSignal): Promise<string[]>;
  labelValues(name: string, match: readonly string[], startMs: number, endMs: number, signal?: AbortSignal): Promise<string[]>;
  series(match: readonly string[], startMs: number, endMs: number, signal?: AbortSignal): Promise<Labels[]>;
  instantVector(expr: string, timeMs: number, signal?: AbortSignal): Promise<{ labels: Labels; value: number | string | null; t: number }[]>;
}

export interface ResolvedVariables {
  readonly options: ReadonlyMap<string, readonly VariableOption[]>;
  readonly selections: ReadonlyMap<string, readonly string[]>;
  /** Variables whose options could not be loaded, with the reason. */
  readonly errors: ReadonlyMap<string, string>;
}

interface Range {
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * Evaluates a dashboard's variables in dependency order (a query may use earlier variables),
 * keeps each selection that is still offered (Grafana's rules, in `resolveCurrent`), and builds
 * the interpolation for panel queries. Query variables refreshed "on load" keep their options
 * while their (interpolated) query is unchanged; "on time range change" ones are asked again.
 * No Angular: unit-tested with a fake source.
 */
export class VariableResolver {
  private readonly cache = new Map<string, { query: string; options: readonly VariableOption[] }>();

  constructor(private readonly source: VariableSource) {}

  async resolve(variables: readonly DashboardVariable[], selections: ReadonlyMap<string, readonly string[]>, range: Range, signal?: AbortSignal): Promise<ResolvedVariables> {
    const byName = new Map(variables.map((v) => [v.name, v] as const));
    const options = new Map<string, readonly VariableOption[]>();
    const chosen = new Map<string, readonly string[]>();
    const errors = new Map<string, string>();
    const scope = new Map<string, ScopeVariable>();
    let order: readonly string[];
    try {
      order = variableDependencies(variables).order;
    } catch (err) {
      for (const v of variables) errors.set(v.name, (err as Error).message);
      order = variables.map((v) => v.name);
    }
    for (const name of order) {
      const v = byName.get(name)!;
      let opts: readonly VariableOption[] = [];
      try {
        opts = await this.optionsOf(v, scope, range, signal);
      } catch (err) {
        if ((err as Error).name === 'AbortError') throw err;
        errors.set(name, (err as Error).message);
      }
      const current = resolveCurrent({ ...v, current: selections.get(name) ?? v.current } as DashboardVariable, opts);
      options.set(name, opts);
      chosen.set(name, current);
      scope.set(name, scopeVariable({ ...v, current } as DashboardVariable, opts, { rangeMs: range.endMs - range.startMs }));
    }
    return { options, selections: chosen, errors };
  }

  /** `(text, stepMs) => text` with variables and built-ins substituted, for one refresh. */
  interpolator(
    variables: readonly DashboardVariable[],
    selections: ReadonlyMap<string, readonly string[]>,
    options: ReadonlyMap<string, readonly VariableOption[]>,
    range: Range,
  ): (text: string, stepMs: number) => string {
    const scoped = new Map<string, ScopeVariable>();
    const rangeMs = range.endMs - range.startMs;
    for (const v of variables) {
      const current = selections.get(v.name) ?? v.current;
      scoped.set(v.name, scopeVariable({ ...v, current } as DashboardVariable, options.get(v.name) ?? [], { rangeMs }));
    }
    return (text, stepMs) => interpolate(text, { variables: scoped, intervalMs: stepMs, fromMs: range.startMs, toMs: range.endMs });
  }

  private async optionsOf(v: DashboardVariable, scope: ReadonlyMap<string, ScopeVariable>, range: Range, signal?: AbortSignal): Promise<readonly VariableOption[]> {
    switch (v.kind) {
      case 'custom':
        return v.options.map((o) => ({ text: o, value: o }));
      case 'interval':
        return [...(v.auto ? [{ text: 'auto', value: 'auto' }] : []), ...v.options.map((o) => ({ text: o, value: o }))];
      case 'query': {
        const rangeMs = range.endMs - range.startMs;
        const query = interpolate(v.query, { variables: scope, fromMs: range.startMs, toMs: range.endMs, intervalMs: Math.max(1000, Math.round(rangeMs / 100)) });
        const cached = this.cache.get(v.name);
        if (v.refresh === 'load' && cached && cached.query === query) return cached.options;
        const parsed = parseVariableQuery(query);
        const raw = optionsFromQueryResult(parsed, await this.ask(parsed, range, signal));
        const regex = v.regex === '' ? '' : interpolate(v.regex, { variables: scope }, 'regex');
        const opts = applyRegexAndSort(raw, regex, v.sort);
        this.cache.set(v.name, { query, options: opts });
        return opts;
      }
    }
  }

  /** The API answer in the shape `optionsFromQueryResult` reads (Prometheus HTTP API `data`). */
  private async ask(q: VariableQuery, range: Range, signal?: AbortSignal): Promise<unknown> {
    switch (q.kind) {
      case 'label_names':
        return this.source.labelNames('selector' in q ? [q.selector] : [], range.startMs, range.endMs, signal);
      case 'label_values':
        return this.source.labelValues(q.label, q.selector === null ? [] : [q.selector], range.startMs, range.endMs, signal);
      case 'metrics':
        return this.source.labelValues('__name__', [], range.startMs, range.endMs, signal);
      case 'series':
        return this.source.series([q.selector], range.startMs, range.endMs, signal);
      case 'query_result': {
        const samples = await this.source.instantVector(q.expr, range.endMs, signal);
        return { resultType: 'vector', result: samples.map((s) => ({ metric: s.labels, value: [s.t / 1000, String(s.value)] })) };
      }
    }
  }
}
