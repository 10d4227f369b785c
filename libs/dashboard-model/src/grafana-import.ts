/**
 * Grafana dashboard import: a Grafana dashboard JSON (schemaVersion 16–41; API exports
 * wrapped in `{dashboard, meta}`, "export for sharing externally" files with `__inputs`, and
 * older files with `rows`) becomes a Pharos dashboard model that `parseDashboardModel`
 * accepts, plus a warning, with its JSON path, for everything that did not carry over exactly.
 * Nothing unsupported is dropped silently: the warnings are the import report the user sees.
 */

import { DASHBOARD_SCHEMA_VERSION, parseDashboardModel, type DashboardModel, type DashboardTime, type Panel } from './dashboard-model.js';
import { arrAt, DatasourceResolver, GrafanaImportError, isObj, objAt, strAt, Warnings, type ImportWarning, type Json } from './grafana-json.js';
import { layoutLegacyRows, layoutPanels } from './grafana-layout.js';
import { convertPanel, type ConvertedPanel } from './grafana-panels.js';
import { convertVariables, datasourceVariables } from './grafana-variables.js';

export { GrafanaImportError };
export type { ImportWarning };

export interface GrafanaImport {
  readonly title: string;
  readonly tags: string[];
  /** The Grafana uid, to keep links working; null when the file has none. */
  readonly uid: string | null;
  readonly model: DashboardModel;
  readonly warnings: ImportWarning[];
}

/** The schema versions this importer was written against. */
export const GRAFANA_SCHEMA_MIN = 16;
export const GRAFANA_SCHEMA_MAX = 41;

const DURATION = /^(?:\d+(?:ms|[smhdwy]))+$/;

/**
 * Converts a Grafana dashboard (parsed JSON or its text). Throws `GrafanaImportError` when
 * the input is not a Grafana dashboard at all; everything else is converted, with warnings.
 */
export function convertGrafanaDashboard(json: unknown): GrafanaImport {
  let input = json;
  if (typeof json === 'string') {
    try {
      input = JSON.parse(json);
    } catch (err) {
      throw new GrafanaImportError('$', `is not JSON: ${(err as Error).message}`);
    }
  }
  if (!isObj(input)) throw new GrafanaImportError('$', 'must be a Grafana dashboard JSON object');
  if (typeof input['apiVersion'] === 'string' && isObj(input['spec'])) {
    throw new GrafanaImportError('$.apiVersion', `Grafana's ${input['apiVersion']} resource format is not supported; export the dashboard as classic JSON`);
  }
  // API exports (GET /api/dashboards/uid/…) wrap the dashboard with its metadata.
  const wrapped = isObj(input['dashboard']) && input['panels'] === undefined && input['rows'] === undefined;
  const dash = wrapped ? (input['dashboard'] as Json) : input;
  const root = wrapped ? '$.dashboard' : '$';
  if (dash['panels'] === undefined && dash['rows'] === undefined && dash['schemaVersion'] === undefined && dash['templating'] === undefined) {
    throw new GrafanaImportError(root, 'does not look like a Grafana dashboard (no panels, rows, templating or schemaVersion)');
  }
  if (dash['panels'] !== undefined && !Array.isArray(dash['panels'])) throw new GrafanaImportError(`${root}.panels`, 'must be an array');
  if (dash['rows'] !== undefined && !Array.isArray(dash['rows'])) throw new GrafanaImportError(`${root}.rows`, 'must be an array');

  const warnings = new Warnings();
  const schemaVersion = typeof dash['schemaVersion'] === 'number' ? dash['schemaVersion'] : null;
  if (schemaVersion === null) warnings.add(`${root}.schemaVersion`, 'is missing; read as a current Grafana dashboard');
  else if (schemaVersion > GRAFANA_SCHEMA_MAX) warnings.add(`${root}.schemaVersion`, `${schemaVersion} is newer than this importer knows (${GRAFANA_SCHEMA_MAX}); newer fields are ignored`);

  const inputs = new Map<string, string>();
  // `__inputs` sits beside the dashboard in shared exports, or inside it.
  for (const holder of [input, dash]) {
    for (const item of arrAt(holder, '__inputs')) {
      if (isObj(item) && strAt(item, 'type') === 'datasource' && strAt(item, 'name')) inputs.set(strAt(item, 'name')!, strAt(item, 'pluginId') ?? '');
    }
  }
  const templating = arrAt(objAt(dash, 'templating') ?? {}, 'list');
  const datasources = new DatasourceResolver(inputs, datasourceVariables(templating));

  const placed = Array.isArray(dash['panels']) && (dash['panels'] as unknown[]).length > 0 ? layoutPanels(dash['panels'] as unknown[], root, warnings) : layoutLegacyRows(arrAt(dash, 'rows'), root, warnings);
  const converted = placed.map((p) => convertPanel(p.panel, p.path, p.gridPos, { datasources, warnings }));
  const panels = assignIds(converted);

  const variables = convertVariables(templating, `${root}.templating.list`, datasources, warnings);
  dashboardWarnings(dash, root, warnings);

  const model = {
    schemaVersion: DASHBOARD_SCHEMA_VERSION,
    time: convertTime(objAt(dash, 'time'), `${root}.time`, warnings),
    refresh: convertRefresh(dash['refresh'], `${root}.refresh`, warnings),
    live: false,
    timezone: convertTimezone(strAt(dash, 'timezone'), `${root}.timezone`, warnings),
    variables,
    panels,
  };
  const title = strAt(dash, 'title')?.trim() || 'Imported dashboard';
  const tags = arrAt(dash, 'tags').filter((t): t is string => typeof t === 'string' && t.trim() !== '');
  const uid = strAt(dash, 'uid') || null;
  // The converter only builds valid models; failing here is a bug in it, reported as such.
  let valid: DashboardModel;
  try {
    valid = parseDashboardModel(model);
  } catch (err) {
    throw new Error(`the Grafana importer built an invalid model (a bug): ${(err as Error).message}`, { cause: err });
  }
  return { title, tags: [...new Set(tags)], uid, model: valid, warnings: warnings.list };
}

/** Ids that are positive whole numbers and unique are kept; the others get fresh ones. */
function assignIds(converted: readonly ConvertedPanel[]): Panel[] {
  const used = new Set<number>();
  const keep = converted.map((p) => {
    const id = p.sourceId;
    if (typeof id === 'number' && Number.isSafeInteger(id) && id > 0 && !used.has(id)) {
      used.add(id);
      return id;
    }
    return null;
  });
  let next = Math.max(0, ...used) + 1;
  return converted.map((p, i) => {
    const { sourceId: _, ...rest } = p;
    return { ...rest, id: keep[i] ?? next++ } as Panel;
  });
}

function dashboardWarnings(dash: Json, root: string, warnings: Warnings): void {
  const annotations = arrAt(objAt(dash, 'annotations') ?? {}, 'list').filter((a) => isObj(a) && a['builtIn'] !== 1 && a['enable'] !== false);
  if (annotations.length > 0) warnings.add(`${root}.annotations`, `${annotations.length} annotation quer${annotations.length === 1 ? 'y is' : 'ies are'} not imported`);
  if (arrAt(dash, 'links').length > 0) warnings.add(`${root}.links`, 'dashboard links are not imported');
  const hidden = objAt(dash, 'timepicker');
  if (hidden !== undefined && hidden['hidden'] === true) warnings.add(`${root}.timepicker.hidden`, 'a hidden time picker is not supported; it is shown');
}

const GRAFANA_UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, M: 2_592_000_000, y: 31_536_000_000 };

/**
 * Grafana's time range → ours. `now-6h`…`now` is relative; absolute times (ISO or epoch ms)
 * stay absolute; ranges rounded to calendar units (`now/d`) or ending before now become the
 * nearest "last …" with a warning.
 */
function convertTime(time: Json | undefined, path: string, warnings: Warnings): DashboardTime {
  const fallback: DashboardTime = { kind: 'relative', last: '6h' };
  if (time === undefined) return fallback;
  const from = time['from'];
  const to = time['to'];
  const fromMs = absoluteMs(from);
  const toMs = absoluteMs(to);
  if (fromMs !== null && toMs !== null) {
    if (toMs > fromMs) return { kind: 'absolute', fromMs, toMs };
    warnings.add(path, 'the absolute range ends before it starts; the last 6 hours are used');
    return fallback;
  }
  if (typeof from !== 'string' || typeof to !== 'string') {
    warnings.add(path, 'is not a time range Grafana writes; the last 6 hours are used');
    return fallback;
  }
  const fromOffset = relativeOffsetMs(from, true);
  const toOffset = relativeOffsetMs(to, false);
  if (fromOffset === null || toOffset === null) {
    warnings.add(path, `"${from}" to "${to}" is not a range Pharos understands; the last 6 hours are used`);
    return fallback;
  }
  if (!(fromOffset.ms - toOffset.ms > 0) && !fromOffset.rounded) {
    warnings.add(path, `"${from}" to "${to}" is empty; the last 6 hours are used`);
    return fallback;
  }
  const simple = /^now-(\d+)([smhdwy])$/.exec(from);
  if (to === 'now' && simple !== null) return { kind: 'relative', last: `${simple[1]}${simple[2]}` };
  // The nearest "last …" that still covers the range: back to where it starts.
  const last = approximateDuration(fromOffset.ms);
  const reasons: string[] = [];
  if (fromOffset.rounded || toOffset.rounded) reasons.push('rounding to calendar units');
  if (toOffset.ms !== 0) reasons.push('a range that ends before now');
  if (/\d+M/.test(from)) reasons.push('months');
  warnings.add(path, `"${from}" to "${to}" uses ${reasons.join(' and ') || 'a form Pharos does not keep'}; imported as the last ${last}`);
  return { kind: 'relative', last };
}

function absoluteMs(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v !== 'string' || v.startsWith('now')) return null;
  if (/^\d{10,}$/.test(v)) return Number(v);
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * How far before now a Grafana date-math expression points. Rounding (`now/d`, `now-1d/d`)
 * can reach back one more whole unit, which is counted so a range starting there is covered.
 */
function relativeOffsetMs(text: string, start: boolean): { ms: number; rounded: boolean } | null {
  const m = /^now((?:[+-]\d+[smhdwMy])*)(?:\/([smhdwMy]))?((?:[+-]\d+[smhdwMy])*)$/.exec(text.trim());
  if (m === null) return null;
  let ms = 0;
  for (const part of `${m[1]}${m[3]}`.matchAll(/([+-])(\d+)([smhdwMy])/g)) {
    ms += (part[1] === '-' ? 1 : -1) * Number(part[2]) * GRAFANA_UNIT_MS[part[3]!]!;
  }
  const roundTo = m[2];
  // The end of a range rounds up (to the end of the unit), its start down.
  if (roundTo !== undefined && start) ms += GRAFANA_UNIT_MS[roundTo] ?? 0;
  return { ms, rounded: roundTo !== undefined };
}

/** The nearest whole duration in the largest unit that fits (a span of 30 days → "30d"). */
function approximateDuration(ms: number): string {
  for (const [unit, size] of [['y', 31_536_000_000], ['w', 604_800_000], ['d', 86_400_000], ['h', 3_600_000], ['m', 60_000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000]] as const) {
    if (ms >= size) return `${Math.round(ms / size)}${unit}`;
  }
  return `${Math.max(1, Math.round(ms / 1000))}s`;
}

function convertRefresh(v: unknown, path: string, warnings: Warnings): string {
  if (v === undefined || v === null || v === false || v === '') return '';
  if (typeof v === 'string' && DURATION.test(v)) return v;
  warnings.add(path, `${JSON.stringify(v)} is not a refresh interval; auto-refresh is off`);
  return '';
}

function convertTimezone(tz: string | undefined, path: string, warnings: Warnings): 'local' | 'utc' {
  if (tz === undefined || tz === '' || tz === 'browser') return 'local';
  if (tz === 'utc') return 'utc';
  warnings.add(path, `time zone "${tz}" is not supported; the browser's time zone is used`);
  return 'local';
}
