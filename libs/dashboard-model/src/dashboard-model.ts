/**
 * The dashboard JSON model: what the console stores in a dashboard's `model` (the GraphQL
 * gateway keeps it byte-exact and never looks inside). Provisioned dashboards, exports and
 * Grafana imports all end up in this shape, and `parseDashboardModel` is the one gate every
 * model passes before the console uses it, so a hand-edited or older model gets an error that
 * names the field instead of a broken page.
 *
 * Deliberately close to Grafana's model (24-column grid, `gridPos`, `targets` with `refId`,
 * `expr`, `legendFormat`, `fieldConfig.defaults.unit`-like settings, `$var` templating) so the
 * importer is a mapping rather than a translation, but flatter and typed: only what the
 * console renders is kept.
 *
 * A lib rather than console code because three places need the same contract: the console
 * (which renders it, importing `@pharos/dashboard-model` through a tsconfig path), the GraphQL
 * gateway (which refuses an invalid model on save) and dashboard provisioning. Plain TypeScript
 * with no dependencies, so the Angular build can compile it as it is.
 */

export const DASHBOARD_SCHEMA_VERSION = 1;

/** The grid has 24 columns, like Grafana's; one row unit is 30 px. */
export const GRID_COLUMNS = 24;
export const GRID_ROW_PX = 30;

export const PANEL_TYPES = ['timeseries', 'stat', 'gauge', 'bar', 'pie', 'heatmap', 'table', 'text'] as const;
export type PanelType = (typeof PANEL_TYPES)[number];

export interface GridPos {
  /** Column, 0..23. */
  readonly x: number;
  /** Row, in row units from the top. */
  readonly y: number;
  /** Width in columns, 1..24 (x + w ≤ 24). */
  readonly w: number;
  /** Height in row units, ≥ 2. */
  readonly h: number;
}

export interface PanelTarget {
  /** "A", "B", …: unique within the panel. */
  readonly refId: string;
  /** PromQL; may contain `$var`, `${var}`, `${var:format}`, `[[var]]` and `$__interval`-style built-ins. */
  readonly expr: string;
  /** `{{label}}` placeholders, as in Prometheus/Grafana; empty = the series selector. */
  readonly legendFormat: string;
  /** Evaluate as an instant query (tables, stats of the last value) instead of a range query. */
  readonly instant: boolean;
  /** Left out of the panel (kept in the model, as Grafana's "disable query"). */
  readonly hide: boolean;
}

export interface Threshold {
  /** null is the base step (below the first value). */
  readonly value: number | null;
  /** A CSS colour. */
  readonly color: string;
}

export const STAT_REDUCERS = ['last', 'mean', 'max', 'min', 'sum', 'first', 'count'] as const;
export type StatReducer = (typeof STAT_REDUCERS)[number];

/** Display settings shared by every panel type that shows numbers. */
export interface FieldConfig {
  /** A unit id: "none", "short", "percent", "percentunit", "bytes", "decbytes", "bps", "Bps", "s", "ms", "µs", "ns", "reqps", "ops", … */
  readonly unit: string;
  readonly decimals: number | null;
  readonly min: number | null;
  readonly max: number | null;
  /** Ascending by value; the first has value null. Empty = no thresholds. */
  readonly thresholds: readonly Threshold[];
}

export interface TimeseriesOptions {
  readonly drawStyle: 'line' | 'area' | 'points';
  readonly stacking: 'none' | 'normal' | 'percent';
  readonly lineWidth: number;
  /** Show thresholds as lines (Grafana's "as lines"). */
  readonly showThresholds: boolean;
  readonly legend: 'bottom' | 'right' | 'hidden';
}

export interface StatOptions {
  readonly reducer: StatReducer;
  /** Colour the value by thresholds. */
  readonly colorMode: 'value' | 'background' | 'none';
  readonly sparkline: boolean;
}

export interface GaugeOptions {
  readonly reducer: StatReducer;
}

export interface BarOptions {
  readonly reducer: StatReducer;
  readonly orientation: 'horizontal' | 'vertical';
}

export interface PieOptions {
  readonly reducer: StatReducer;
  readonly donut: boolean;
}

export interface HeatmapOptions {
  /**
   * "buckets": classic histogram `_bucket` series (an `le` label) or native histograms, drawn
   * as time × bucket; "series": every series is a row.
   */
  readonly source: 'buckets' | 'series';
}

export interface TableOptions {
  /** Label columns shown, in order; empty = every label. */
  readonly columns: readonly string[];
}

export interface TextOptions {
  readonly mode: 'markdown' | 'plain';
  readonly content: string;
}

interface PanelBase<T extends PanelType, O> {
  /** Unique within the dashboard, > 0. */
  readonly id: number;
  readonly type: T;
  readonly title: string;
  readonly description: string;
  readonly gridPos: GridPos;
  readonly targets: readonly PanelTarget[];
  readonly fieldConfig: FieldConfig;
  readonly options: O;
  /** Minimum step ("15s"), or "" for the dashboard's automatic step. */
  readonly interval: string;
}

export type TimeseriesPanel = PanelBase<'timeseries', TimeseriesOptions>;
export type StatPanel = PanelBase<'stat', StatOptions>;
export type GaugePanel = PanelBase<'gauge', GaugeOptions>;
export type BarPanel = PanelBase<'bar', BarOptions>;
export type PiePanel = PanelBase<'pie', PieOptions>;
export type HeatmapPanel = PanelBase<'heatmap', HeatmapOptions>;
export type TablePanel = PanelBase<'table', TableOptions>;
export type TextPanel = PanelBase<'text', TextOptions>;
export type Panel = TimeseriesPanel | StatPanel | GaugePanel | BarPanel | PiePanel | HeatmapPanel | TablePanel | TextPanel;

export interface PanelOptionsByType {
  timeseries: TimeseriesOptions;
  stat: StatOptions;
  gauge: GaugeOptions;
  bar: BarOptions;
  pie: PieOptions;
  heatmap: HeatmapOptions;
  table: TableOptions;
  text: TextOptions;
}

interface VariableBase {
  /** Referenced as `$name`; letters, digits and `_`, not starting with a digit or `__`. */
  readonly name: string;
  /** Shown instead of the name; "" = the name. */
  readonly label: string;
  readonly multi: boolean;
  /** Offer "All" (its value is `allValue`, or every option joined as a regex alternation). */
  readonly includeAll: boolean;
  /** The value for "All"; null = every option. */
  readonly allValue: string | null;
  /** The selected values (one unless `multi`); ["$__all"] = All. */
  readonly current: readonly string[];
}

/**
 * Options from the metric store, in Grafana's Prometheus data source syntax:
 * `label_values(label)`, `label_values(selector, label)`, `label_names()`, `metrics(regex)`,
 * `query_result(expr)`; `regex` then filters (and with a capture group, extracts) the options.
 */
export interface QueryVariable extends VariableBase {
  readonly kind: 'query';
  readonly query: string;
  readonly regex: string;
  readonly sort: 'none' | 'alpha-asc' | 'alpha-desc' | 'numeric-asc' | 'numeric-desc';
  /** Re-evaluated when the dashboard loads, or also when its time range changes. */
  readonly refresh: 'load' | 'time-range';
}

export interface CustomVariable extends VariableBase {
  readonly kind: 'custom';
  /** The options, in order. */
  readonly options: readonly string[];
}

/** A step duration picked from a list; `auto` adds an "auto" option derived from the range. */
export interface IntervalVariable extends VariableBase {
  readonly kind: 'interval';
  readonly options: readonly string[];
  readonly auto: boolean;
  /** For auto: the range is divided into this many steps (Grafana's auto_count). */
  readonly autoCount: number;
  /** For auto: never below this duration. */
  readonly autoMin: string;
}

export type DashboardVariable = QueryVariable | CustomVariable | IntervalVariable;

export type DashboardTime =
  | { readonly kind: 'relative'; readonly last: string }
  | { readonly kind: 'absolute'; readonly fromMs: number; readonly toMs: number };

export interface DashboardModel {
  readonly schemaVersion: typeof DASHBOARD_SCHEMA_VERSION;
  readonly time: DashboardTime;
  /** Auto-refresh interval ("30s"), or "" for off. */
  readonly refresh: string;
  /** Push new points over the GraphQL subscription instead of polling. */
  readonly live: boolean;
  readonly timezone: 'local' | 'utc';
  readonly variables: readonly DashboardVariable[];
  readonly panels: readonly Panel[];
}

/** A model that does not validate; `path` names the field ("panels[2].gridPos.w"). */
export class DashboardModelError extends Error {
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`${path}: ${problem}`);
    this.name = 'DashboardModelError';
  }
}

export const DEFAULT_FIELD_CONFIG: FieldConfig = { unit: 'short', decimals: null, min: null, max: null, thresholds: [] };

export const DEFAULT_PANEL_OPTIONS: { readonly [T in PanelType]: PanelOptionsByType[T] } = {
  timeseries: { drawStyle: 'line', stacking: 'none', lineWidth: 1, showThresholds: false, legend: 'bottom' },
  stat: { reducer: 'last', colorMode: 'value', sparkline: true },
  gauge: { reducer: 'last' },
  bar: { reducer: 'last', orientation: 'horizontal' },
  pie: { reducer: 'last', donut: false },
  heatmap: { source: 'buckets' },
  table: { columns: [] },
  text: { mode: 'markdown', content: '' },
};

export function emptyDashboard(): DashboardModel {
  return {
    schemaVersion: DASHBOARD_SCHEMA_VERSION,
    time: { kind: 'relative', last: '1h' },
    refresh: '',
    live: false,
    timezone: 'local',
    variables: [],
    panels: [],
  };
}

/** A new panel of `type` below every existing one, full width for time series, a third otherwise. */
export function newPanel<T extends PanelType>(model: DashboardModel, type: T): Panel & { type: T } {
  const id = model.panels.reduce((max, p) => Math.max(max, p.id), 0) + 1;
  const y = model.panels.reduce((max, p) => Math.max(max, p.gridPos.y + p.gridPos.h), 0);
  const w = type === 'timeseries' || type === 'heatmap' || type === 'table' ? GRID_COLUMNS : 8;
  const h = type === 'stat' || type === 'gauge' ? 5 : 8;
  const targets: PanelTarget[] = type === 'text' ? [] : [{ refId: 'A', expr: '', legendFormat: '', instant: false, hide: false }];
  return {
    id,
    type,
    title: 'New panel',
    description: '',
    gridPos: { x: 0, y, w, h },
    targets,
    fieldConfig: DEFAULT_FIELD_CONFIG,
    options: DEFAULT_PANEL_OPTIONS[type],
    interval: '',
  } as Panel & { type: T };
}

// ---------------------------------------------------------------------------------------------
// Validation. Missing optional fields get their defaults; wrong types and impossible values are
// errors naming the path.

type Obj = Record<string, unknown>;

const VARIABLE_NAME = /^(?!__)[A-Za-z_][A-Za-z0-9_]*$/;
const DURATION = /^(?:\d+(?:ms|[smhdwy]))+$/;
const REF_ID = /^[A-Za-z0-9_-]{1,32}$/;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function obj(v: unknown, path: string): Obj {
  if (!isObj(v)) throw new DashboardModelError(path, 'must be an object');
  return v;
}

function arr(v: unknown, path: string): unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new DashboardModelError(path, 'must be an array');
  return v;
}

function str(o: Obj, key: string, path: string, fallback: string): string {
  const v = o[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'string') throw new DashboardModelError(`${path}.${key}`, 'must be a string');
  return v;
}

function bool(o: Obj, key: string, path: string, fallback: boolean): boolean {
  const v = o[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw new DashboardModelError(`${path}.${key}`, 'must be true or false');
  return v;
}

function num(o: Obj, key: string, path: string, fallback: number | null): number | null {
  const v = o[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new DashboardModelError(`${path}.${key}`, 'must be a finite number');
  return v;
}

function int(o: Obj, key: string, path: string, lo: number, hi: number, fallback?: number): number {
  const v = o[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
    throw new DashboardModelError(`${path}.${key}`, `must be a whole number from ${lo} to ${hi}`);
  }
  return v;
}

function oneOf<T extends string>(o: Obj, key: string, path: string, allowed: readonly T[], fallback: T): T {
  const v = o[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new DashboardModelError(`${path}.${key}`, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
  }
  return v as T;
}

function duration(o: Obj, key: string, path: string, fallback: string, allowEmpty: boolean): string {
  const v = str(o, key, path, fallback);
  if (v === '' && allowEmpty) return v;
  if (!DURATION.test(v)) throw new DashboardModelError(`${path}.${key}`, `"${v}" is not a duration (examples: 15s, 5m, 1h)`);
  return v;
}

function strings(v: unknown, path: string): string[] {
  return arr(v, path).map((s, i) => {
    if (typeof s !== 'string') throw new DashboardModelError(`${path}[${i}]`, 'must be a string');
    return s;
  });
}

function parseTime(v: unknown, path: string): DashboardTime {
  if (v === undefined) return { kind: 'relative', last: '1h' };
  const o = obj(v, path);
  const kind = oneOf(o, 'kind', path, ['relative', 'absolute'], 'relative');
  if (kind === 'relative') return { kind, last: duration(o, 'last', path, '1h', false) };
  const fromMs = num(o, 'fromMs', path, null);
  const toMs = num(o, 'toMs', path, null);
  if (fromMs === null || toMs === null) throw new DashboardModelError(path, 'an absolute range needs fromMs and toMs');
  if (!(toMs > fromMs)) throw new DashboardModelError(path, 'toMs must be after fromMs');
  return { kind, fromMs, toMs };
}

function parseGridPos(v: unknown, path: string): GridPos {
  const o = obj(v, path);
  const x = int(o, 'x', path, 0, GRID_COLUMNS - 1, 0);
  const w = int(o, 'w', path, 1, GRID_COLUMNS, 12);
  if (x + w > GRID_COLUMNS) throw new DashboardModelError(`${path}.w`, `x + w must be at most ${GRID_COLUMNS} (x is ${x}, w is ${w})`);
  return { x, y: int(o, 'y', path, 0, 100_000, 0), w, h: int(o, 'h', path, 2, 200, 8) };
}

function parseTargets(v: unknown, path: string): PanelTarget[] {
  const seen = new Set<string>();
  return arr(v, path).map((t, i) => {
    const p = `${path}[${i}]`;
    const o = obj(t, p);
    const refId = str(o, 'refId', p, String.fromCharCode(65 + (i % 26)));
    if (!REF_ID.test(refId)) throw new DashboardModelError(`${p}.refId`, 'must be 1–32 letters, digits, "_" or "-"');
    if (seen.has(refId)) throw new DashboardModelError(`${p}.refId`, `"${refId}" is used twice in this panel`);
    seen.add(refId);
    return {
      refId,
      expr: str(o, 'expr', p, ''),
      legendFormat: str(o, 'legendFormat', p, ''),
      instant: bool(o, 'instant', p, false),
      hide: bool(o, 'hide', p, false),
    };
  });
}

function parseFieldConfig(v: unknown, path: string): FieldConfig {
  if (v === undefined) return DEFAULT_FIELD_CONFIG;
  const o = obj(v, path);
  const decimals = num(o, 'decimals', path, null);
  if (decimals !== null && (!Number.isInteger(decimals) || decimals < 0 || decimals > 20)) {
    throw new DashboardModelError(`${path}.decimals`, 'must be a whole number from 0 to 20');
  }
  const thresholds = arr(o['thresholds'], `${path}.thresholds`).map((t, i) => {
    const p = `${path}.thresholds[${i}]`;
    const to = obj(t, p);
    const color = str(to, 'color', p, '');
    if (color === '') throw new DashboardModelError(`${p}.color`, 'is required');
    return { value: num(to, 'value', p, null), color };
  });
  for (let i = 1; i < thresholds.length; i++) {
    const prev = thresholds[i - 1]!.value;
    const cur = thresholds[i]!.value;
    if (cur === null) throw new DashboardModelError(`${path}.thresholds[${i}].value`, 'only the first threshold may be the base (null)');
    if (prev !== null && cur < prev) throw new DashboardModelError(`${path}.thresholds[${i}].value`, 'thresholds must ascend');
  }
  return {
    unit: str(o, 'unit', path, DEFAULT_FIELD_CONFIG.unit),
    decimals,
    min: num(o, 'min', path, null),
    max: num(o, 'max', path, null),
    thresholds,
  };
}

function parseOptions(type: PanelType, v: unknown, path: string): PanelOptionsByType[PanelType] {
  const o = v === undefined ? {} : obj(v, path);
  const reducer = (): StatReducer => oneOf(o, 'reducer', path, STAT_REDUCERS, 'last');
  switch (type) {
    case 'timeseries': {
      const d = DEFAULT_PANEL_OPTIONS.timeseries;
      return {
        drawStyle: oneOf(o, 'drawStyle', path, ['line', 'area', 'points'], d.drawStyle),
        stacking: oneOf(o, 'stacking', path, ['none', 'normal', 'percent'], d.stacking),
        lineWidth: int(o, 'lineWidth', path, 0, 10, d.lineWidth),
        showThresholds: bool(o, 'showThresholds', path, d.showThresholds),
        legend: oneOf(o, 'legend', path, ['bottom', 'right', 'hidden'], d.legend),
      };
    }
    case 'stat':
      return {
        reducer: reducer(),
        colorMode: oneOf(o, 'colorMode', path, ['value', 'background', 'none'], 'value'),
        sparkline: bool(o, 'sparkline', path, true),
      };
    case 'gauge':
      return { reducer: reducer() };
    case 'bar':
      return { reducer: reducer(), orientation: oneOf(o, 'orientation', path, ['horizontal', 'vertical'], 'horizontal') };
    case 'pie':
      return { reducer: reducer(), donut: bool(o, 'donut', path, false) };
    case 'heatmap':
      return { source: oneOf(o, 'source', path, ['buckets', 'series'], 'buckets') };
    case 'table':
      return { columns: strings(o['columns'], `${path}.columns`) };
    case 'text':
      return { mode: oneOf(o, 'mode', path, ['markdown', 'plain'], 'markdown'), content: str(o, 'content', path, '') };
  }
}

function parsePanel(v: unknown, path: string): Panel {
  const o = obj(v, path);
  const type = oneOf(o, 'type', path, PANEL_TYPES, 'timeseries');
  return {
    id: int(o, 'id', path, 1, Number.MAX_SAFE_INTEGER),
    type,
    title: str(o, 'title', path, ''),
    description: str(o, 'description', path, ''),
    gridPos: parseGridPos(o['gridPos'] ?? {}, `${path}.gridPos`),
    targets: parseTargets(o['targets'], `${path}.targets`),
    fieldConfig: parseFieldConfig(o['fieldConfig'], `${path}.fieldConfig`),
    options: parseOptions(type, o['options'], `${path}.options`),
    interval: duration(o, 'interval', path, '', true),
  } as Panel;
}

function parseVariable(v: unknown, path: string): DashboardVariable {
  const o = obj(v, path);
  const name = str(o, 'name', path, '');
  if (!VARIABLE_NAME.test(name)) {
    throw new DashboardModelError(`${path}.name`, `"${name}" is not a variable name (letters, digits and _, not starting with a digit or __)`);
  }
  const multi = bool(o, 'multi', path, false);
  const current = strings(o['current'], `${path}.current`);
  if (!multi && current.length > 1) throw new DashboardModelError(`${path}.current`, 'has several values but the variable is not multi-value');
  const allValue = o['allValue'] === undefined || o['allValue'] === null ? null : str(o, 'allValue', path, '');
  const base = { name, label: str(o, 'label', path, ''), multi, includeAll: bool(o, 'includeAll', path, false), allValue, current };
  const kind = oneOf(o, 'kind', path, ['query', 'custom', 'interval'], 'query');
  switch (kind) {
    case 'query': {
      const query = str(o, 'query', path, '');
      if (query.trim() === '') throw new DashboardModelError(`${path}.query`, 'is required for a query variable');
      const regex = str(o, 'regex', path, '');
      if (regex !== '') {
        try {
          new RegExp(regex);
        } catch (err) {
          throw new DashboardModelError(`${path}.regex`, `is not a valid regular expression: ${(err as Error).message}`);
        }
      }
      return {
        ...base,
        kind,
        query,
        regex,
        sort: oneOf(o, 'sort', path, ['none', 'alpha-asc', 'alpha-desc', 'numeric-asc', 'numeric-desc'], 'none'),
        refresh: oneOf(o, 'refresh', path, ['load', 'time-range'], 'load'),
      };
    }
    case 'custom':
      return { ...base, kind, options: strings(o['options'], `${path}.options`) };
    case 'interval': {
      const options = strings(o['options'], `${path}.options`);
      options.forEach((d, i) => {
        if (!DURATION.test(d)) throw new DashboardModelError(`${path}.options[${i}]`, `"${d}" is not a duration`);
      });
      return {
        ...base,
        kind,
        options,
        auto: bool(o, 'auto', path, false),
        autoCount: int(o, 'autoCount', path, 1, 10_000, 30),
        autoMin: duration(o, 'autoMin', path, '10s', false),
      };
    }
  }
}

/**
 * Validates a dashboard model (parsed JSON or its text) and fills in defaults. Throws
 * `DashboardModelError` naming the first problem. `{}` is a valid, empty dashboard (what the
 * gateway stores when a dashboard is created without a model).
 */
export function parseDashboardModel(input: unknown): DashboardModel {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input === '' ? '{}' : input);
    } catch (err) {
      throw new DashboardModelError('$', `is not JSON: ${(err as Error).message}`);
    }
  }
  const o = obj(value, '$');
  const version = o['schemaVersion'] ?? DASHBOARD_SCHEMA_VERSION;
  if (version !== DASHBOARD_SCHEMA_VERSION) {
    throw new DashboardModelError('$.schemaVersion', `is ${JSON.stringify(version)}; this console reads version ${DASHBOARD_SCHEMA_VERSION}`);
  }
  const panels = arr(o['panels'], '$.panels').map((p, i) => parsePanel(p, `$.panels[${i}]`));
  const ids = new Set<number>();
  panels.forEach((p, i) => {
    if (ids.has(p.id)) throw new DashboardModelError(`$.panels[${i}].id`, `${p.id} is used by another panel`);
    ids.add(p.id);
  });
  const variables = arr(o['variables'], '$.variables').map((v, i) => parseVariable(v, `$.variables[${i}]`));
  const names = new Set<string>();
  variables.forEach((v, i) => {
    if (names.has(v.name)) throw new DashboardModelError(`$.variables[${i}].name`, `"${v.name}" is defined twice`);
    names.add(v.name);
  });
  return {
    schemaVersion: DASHBOARD_SCHEMA_VERSION,
    time: parseTime(o['time'], '$.time'),
    refresh: duration(o, 'refresh', '$', '', true),
    live: bool(o, 'live', '$', false),
    timezone: oneOf(o, 'timezone', '$', ['local', 'utc'], 'local'),
    variables,
    panels,
  };
}

/** The model as stored: stable key order, two-space indent (diffs of exported files stay small). */
export function serializeDashboardModel(model: DashboardModel): string {
  return JSON.stringify(model, null, 2);
}
