import type { Panel } from '@pharos/dashboard-model';
import { formatLegend, type Labels } from '../../../shared/series/legend-format';
import { MAX_POINTS_PER_SERIES, parseDuration } from '../../../shared/time/time-range';
import type { PanelData, PanelSeries } from '../panels/panel-data';

/**
 * One dashboard refresh as ONE GraphQL request: every visible panel's targets become aliased
 * `rangeQuery`/`instantQuery` fields, which the gateway evaluates concurrently (ADR 0013).
 * Range results come back as `gridValues` on the step grid, so the answer maps straight onto
 * `PanelData`'s typed arrays. Pure: the page does the fetch.
 */

/** What a panel needs to know to be queried. */
export interface PanelQueryInput {
  readonly panel: Panel;
  /** Width of the panel's plot in CSS pixels: one point per pixel at most (Grafana's maxDataPoints). */
  readonly widthPx: number;
}

/** Where one alias of the batch goes. */
export interface AliasTarget {
  readonly alias: string;
  readonly panelId: number;
  readonly refId: string;
  readonly legendFormat: string;
  readonly instant: boolean;
}

export interface PanelPlan {
  readonly panelId: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly stepMs: number;
  /** Expressions after variable substitution, by refId (what the inspector shows). */
  readonly exprs: ReadonlyMap<string, string>;
}

export interface BatchRequest {
  readonly document: string;
  readonly variables: Record<string, string | number>;
  readonly targets: readonly AliasTarget[];
  readonly plans: ReadonlyMap<number, PanelPlan>;
}

/** Grafana's default minimum step for a Prometheus data source. */
export const DEFAULT_MIN_STEP_MS = 15_000;

/**
 * The step of a panel: about one point per pixel, never below the panel's minimum interval
 * (or 15 s), whole seconds, and never more than Prometheus' 11,000 points per series.
 */
export function panelStepMs(rangeMs: number, widthPx: number, minInterval: string): number {
  const min = minInterval === '' ? DEFAULT_MIN_STEP_MS : parseDuration(minInterval);
  const perPixel = Math.ceil(rangeMs / Math.max(50, Math.floor(widthPx)) / 1000) * 1000;
  const floor = Math.ceil(rangeMs / MAX_POINTS_PER_SERIES / 1000) * 1000;
  return Math.max(1000, min, perPixel, floor);
}

/**
 * Builds the batch. `interpolate(text, panelStepMs)` substitutes dashboard variables and the
 * `$__interval`-style built-ins for one panel. Start and end are aligned to the step (as Grafana
 * does), so consecutive refreshes ask for the same grid and the query result cache can answer
 * the overlap.
 */
export function buildPanelBatch(
  panels: readonly PanelQueryInput[],
  range: { startMs: number; endMs: number },
  interpolate: (text: string, stepMs: number) => string,
): BatchRequest {
  const args: string[] = [];
  const fields: string[] = [];
  const variables: Record<string, string | number> = {};
  const targets: AliasTarget[] = [];
  const plans = new Map<number, PanelPlan>();
  let n = 0;
  for (const { panel, widthPx } of panels) {
    if (panel.type === 'text') continue;
    const stepMs = panelStepMs(range.endMs - range.startMs, widthPx, panel.interval);
    const startMs = Math.floor(range.startMs / stepMs) * stepMs;
    const endMs = Math.floor(range.endMs / stepMs) * stepMs;
    const exprs = new Map<string, string>();
    for (const t of panel.targets) {
      if (t.hide || t.expr.trim() === '') continue;
      const expr = interpolate(t.expr, stepMs);
      exprs.set(t.refId, expr);
      const alias = `q${n++}`;
      variables[`${alias}e`] = expr;
      args.push(`$${alias}e: String!`);
      if (t.instant) {
        variables[`${alias}t`] = range.endMs;
        args.push(`$${alias}t: Float!`);
        fields.push(`${alias}: instantQuery(query: $${alias}e, timeMs: $${alias}t) { resultType samples { labels value } scalar warnings }`);
      } else {
        variables[`${alias}s`] = startMs;
        variables[`${alias}n`] = endMs;
        variables[`${alias}p`] = stepMs;
        args.push(`$${alias}s: Float!`, `$${alias}n: Float!`, `$${alias}p: Float!`);
        fields.push(`${alias}: rangeQuery(query: $${alias}e, startMs: $${alias}s, endMs: $${alias}n, stepMs: $${alias}p) { series { labels gridValues } warnings }`);
      }
      targets.push({ alias, panelId: panel.id, refId: t.refId, legendFormat: t.legendFormat, instant: t.instant });
    }
    plans.set(panel.id, { panelId: panel.id, startMs, endMs, stepMs, exprs });
  }
  const document = fields.length === 0 ? '' : `query DashboardPanels(${args.join(', ')}) {\n  ${fields.join('\n  ')}\n}`;
  return { document, variables, targets, plans };
}

// ---------------------------------------------------------------------------------------------
// Answers.

type WireFloat = number | string | null;

interface RangeAnswer {
  readonly series: ReadonlyArray<{ readonly labels: Labels; readonly gridValues: readonly WireFloat[] | null }>;
  readonly warnings: readonly string[];
}

interface InstantAnswer {
  readonly resultType: 'VECTOR' | 'SCALAR' | 'MATRIX' | 'STRING';
  readonly samples: ReadonlyArray<{ readonly labels: Labels; readonly value: WireFloat }>;
  readonly scalar: WireFloat;
  readonly warnings: readonly string[];
}

/** A GraphQL error as the gateway sends it (stable code in extensions). */
export interface WireError {
  readonly message: string;
  readonly path?: ReadonlyArray<string | number>;
  readonly extensions?: { readonly code?: string };
}

export interface PanelResult {
  readonly data: PanelData;
  readonly warnings: readonly string[];
  /** Errors of this panel's targets, "A: message". */
  readonly errors: readonly string[];
}

function toFloat(v: WireFloat): number {
  if (typeof v === 'number') return v;
  if (v === null) return NaN;
  if (v === '+Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  return NaN;
}

/** Numbers colliding legend names, since renderers key series by name. */
class LegendNames {
  private readonly seen = new Map<string, number>();
  next(format: string, labels: Labels): string {
    const name = formatLegend(format, labels);
    const n = this.seen.get(name) ?? 0;
    this.seen.set(name, n + 1);
    return n === 0 ? name : `${name} (${n + 1})`;
  }
}

/**
 * Splits the batch's answer into one result per panel. Fields missing from `data` (their query
 * failed) get the error whose `path` names their alias; errors without a path go to every panel.
 */
export function splitPanelResults(batch: BatchRequest, data: Record<string, unknown> | null, errors: readonly WireError[]): Map<number, PanelResult> {
  const out = new Map<number, PanelResult>();
  const byPanel = new Map<number, { series: PanelSeries[]; warnings: string[]; errors: string[]; names: LegendNames }>();
  for (const [id] of batch.plans) byPanel.set(id, { series: [], warnings: [], errors: [], names: new LegendNames() });
  const errorsByAlias = new Map<string, string>();
  const general: string[] = [];
  for (const e of errors) {
    const head = e.path?.[0];
    if (typeof head === 'string') errorsByAlias.set(head, e.message);
    else general.push(e.message);
  }
  for (const t of batch.targets) {
    const acc = byPanel.get(t.panelId)!;
    const plan = batch.plans.get(t.panelId)!;
    const answer = data?.[t.alias];
    const err = errorsByAlias.get(t.alias);
    if (err !== undefined || answer === undefined || answer === null) {
      acc.errors.push(`${t.refId}: ${err ?? general[0] ?? 'no answer'}`);
      continue;
    }
    if (t.instant) {
      const a = answer as InstantAnswer;
      acc.warnings.push(...a.warnings);
      if (a.resultType === 'SCALAR') {
        acc.series.push({ refId: t.refId, name: t.legendFormat || 'scalar', labels: {}, values: Float64Array.of(toFloat(a.scalar)) });
      } else {
        for (const s of a.samples) {
          acc.series.push({ refId: t.refId, name: acc.names.next(t.legendFormat, s.labels), labels: s.labels, values: Float64Array.of(toFloat(s.value)) });
        }
      }
      continue;
    }
    const a = answer as RangeAnswer;
    acc.warnings.push(...a.warnings);
    const steps = Math.round((plan.endMs - plan.startMs) / plan.stepMs) + 1;
    for (const s of a.series) {
      const values = new Float64Array(steps).fill(NaN);
      const grid = s.gridValues ?? [];
      const len = Math.min(steps, grid.length);
      for (let i = 0; i < len; i++) values[i] = toFloat(grid[i]!);
      acc.series.push({ refId: t.refId, name: acc.names.next(t.legendFormat, s.labels), labels: s.labels, values });
    }
  }
  for (const [id, acc] of byPanel) {
    const plan = batch.plans.get(id)!;
    const panelTargets = batch.targets.filter((t) => t.panelId === id);
    const allInstant = panelTargets.length > 0 && panelTargets.every((t) => t.instant);
    const grid = allInstant
      ? { startMs: plan.endMs, endMs: plan.endMs, stepMs: plan.stepMs, steps: 1 }
      : { startMs: plan.startMs, endMs: plan.endMs, stepMs: plan.stepMs, steps: Math.round((plan.endMs - plan.startMs) / plan.stepMs) + 1 };
    // A panel mixing instant and range targets: instant values sit on the last step.
    const series = allInstant
      ? acc.series
      : acc.series.map((s) => {
          if (s.values.length === grid.steps) return s;
          const values = new Float64Array(grid.steps).fill(NaN);
          values[grid.steps - 1] = s.values[0]!;
          return { ...s, values };
        });
    out.set(id, { data: { grid, series }, warnings: [...new Set(acc.warnings)], errors: acc.errors });
  }
  return out;
}
