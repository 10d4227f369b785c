/**
 * One Grafana panel → one Pharos panel: type, targets, field config and per-type options,
 * covering both the React panels (schema ≥ 26: `fieldConfig`, `options`) and their Angular
 * predecessors (`graph`, `singlestat`, `table-old`, old `heatmap`, `grafana-piechart-panel`).
 * Whatever does not carry over is reported with its path.
 */

import {
  DEFAULT_FIELD_CONFIG,
  DEFAULT_PANEL_OPTIONS,
  type GridPos,
  type Panel,
  type PanelOptionsByType,
  type PanelTarget,
  type StatReducer,
  type Threshold,
} from './dashboard-model.js';
import { convertFieldConfig, graphThresholds, orderedThresholds } from './grafana-field-config.js';
import { arrAt, boolAt, cssColor, isObj, numAt, objAt, strAt, type DatasourceKind, type Json, type PanelContext } from './grafana-json.js';

/** A converted panel, without its id (assigned once every panel is known). */
export type ConvertedPanel = Omit<Panel, 'id'> & { readonly sourceId: unknown };

const DURATION = /^(?:\d+(?:ms|[smhdwy]))+$/;
const REF_ID = /^[A-Za-z0-9_-]{1,32}$/;

const CALCS: Readonly<Record<string, StatReducer>> = {
  lastNotNull: 'last',
  last: 'last',
  mean: 'mean',
  max: 'max',
  min: 'min',
  sum: 'sum',
  firstNotNull: 'first',
  first: 'first',
  count: 'count',
};

const SINGLESTAT_VALUES: Readonly<Record<string, StatReducer>> = {
  avg: 'mean',
  current: 'last',
  max: 'max',
  min: 'min',
  total: 'sum',
  first: 'first',
};

// Panels of types without data that Pharos has nothing like; they become a note in place.
const NO_DATA_TYPES = new Set(['dashlist', 'news', 'alertlist', 'annolist', 'welcome', 'gettingstarted', 'pluginlist', 'live']);

export function convertPanel(panel: Json, path: string, gridPos: GridPos, ctx: PanelContext): ConvertedPanel {
  const w = ctx.warnings;
  const grafanaType = strAt(panel, 'type') ?? 'graph';
  const title = strAt(panel, 'title') ?? '';
  const description = strAt(panel, 'description') ?? '';
  const base = { sourceId: panel['id'], title, description, gridPos };

  if (objAt(panel, 'libraryPanel') !== undefined && panel['targets'] === undefined) {
    const name = strAt(objAt(panel, 'libraryPanel')!, 'name') ?? strAt(objAt(panel, 'libraryPanel')!, 'uid') ?? '';
    w.add(`${path}.libraryPanel`, `library panel "${name}" is stored outside the dashboard JSON and cannot be imported; a note takes its place`);
    return note(base, `Library panel "${name}" was not imported.`);
  }
  commonWarnings(panel, path, ctx);

  const panelDs = ctx.datasources.resolve(panel['datasource']);
  const { targets, interval } = convertTargets(panel, path, panelDs, ctx);
  const fieldConfig = convertFieldConfig(panel, path, ctx);
  const common = { ...base, targets, fieldConfig, interval };

  switch (grafanaType) {
    case 'timeseries':
      return { ...common, type: 'timeseries', options: timeseriesOptions(panel, path, ctx) };
    case 'graph':
      return graphPanel(panel, path, common, ctx);
    case 'stat':
      return { ...common, type: 'stat', options: statOptions(panel, path, ctx) };
    case 'singlestat':
      return singlestatPanel(panel, path, common, ctx);
    case 'gauge':
      return { ...common, type: 'gauge', options: { reducer: reducer(panel, path, ctx) } };
    case 'bargauge':
    case 'barchart': {
      const o = objAt(panel, 'options') ?? {};
      const orientation = strAt(o, 'orientation') === 'vertical' ? 'vertical' : 'horizontal';
      if (grafanaType === 'barchart') w.add(`${path}.type`, 'barchart draws every value of a table; converted to a bar panel of each series\' last value');
      return { ...common, type: 'bar', options: { reducer: grafanaType === 'barchart' ? 'last' : reducer(panel, path, ctx), orientation } };
    }
    case 'piechart':
    case 'grafana-piechart-panel': {
      const o = objAt(panel, 'options') ?? {};
      const pieType = strAt(o, 'pieType') ?? strAt(panel, 'pieType') ?? 'pie';
      const r = grafanaType === 'piechart' ? reducer(panel, path, ctx) : singlestatReducer(panel, path, ctx);
      return { ...common, type: 'pie', options: { reducer: r, donut: pieType === 'donut' } };
    }
    case 'heatmap':
      return { ...common, type: 'heatmap', options: { source: heatmapSource(panel, path, targets, ctx) } };
    case 'table':
    case 'table-old':
      if (grafanaType === 'table-old') tableOldWarnings(panel, path, ctx);
      return { ...common, type: 'table', options: { columns: [] } };
    case 'text':
      return { ...common, targets: [], type: 'text', options: textOptions(panel, path, ctx) };
    default: {
      if (!NO_DATA_TYPES.has(grafanaType) && targets.length > 0) {
        w.add(`${path}.type`, `panel type "${grafanaType}" is not supported; shown as a time series of its queries`);
        return { ...common, type: 'timeseries', options: DEFAULT_PANEL_OPTIONS.timeseries };
      }
      w.add(`${path}.type`, `panel type "${grafanaType}" is not supported; a note takes its place`);
      return note(base, `Grafana panel type "${grafanaType}" is not supported by Pharos.`);
    }
  }
}

function note(base: Pick<ConvertedPanel, 'sourceId' | 'title' | 'description' | 'gridPos'>, content: string): ConvertedPanel {
  return { ...base, type: 'text', targets: [], fieldConfig: DEFAULT_FIELD_CONFIG, interval: '', options: { mode: 'plain', content } };
}

function commonWarnings(panel: Json, path: string, ctx: PanelContext): void {
  const w = ctx.warnings;
  const repeat = strAt(panel, 'repeat');
  if (repeat) w.add(`${path}.repeat`, `repeating the panel for each value of $${repeat} is not supported; it is shown once`);
  arrAt(panel, 'transformations').forEach((t, i) => {
    const id = isObj(t) ? (strAt(t, 'id') ?? '?') : '?';
    if (!(isObj(t) && t['disabled'] === true)) w.add(`${path}.transformations[${i}]`, `transformation "${id}" is not supported; the query results are shown untransformed`);
  });
  const overrides = arrAt(objAt(panel, 'fieldConfig') ?? {}, 'overrides');
  if (overrides.length > 0) w.add(`${path}.fieldConfig.overrides`, `${overrides.length} field override(s) are not supported; every series uses the panel defaults`);
  const mappings = arrAt(objAt(objAt(panel, 'fieldConfig') ?? {}, 'defaults') ?? {}, 'mappings');
  if (mappings.length > 0) w.add(`${path}.fieldConfig.defaults.mappings`, 'value mappings are not supported; values are shown as numbers');
  if (strAt(panel, 'timeFrom')) w.add(`${path}.timeFrom`, `the panel's own time range (${strAt(panel, 'timeFrom')}) is not supported; it follows the dashboard`);
  if (strAt(panel, 'timeShift')) w.add(`${path}.timeShift`, `the time shift (${strAt(panel, 'timeShift')}) is not supported`);
  if (arrAt(panel, 'links').length > 0) w.add(`${path}.links`, 'panel links are not imported');
  if (isObj(panel['alert'])) w.add(`${path}.alert`, 'legacy panel alerts are not imported');
  const ds = ctx.datasources.resolve(panel['datasource']);
  if (ds.kind === 'other' && strAt(panel, 'type') !== 'text') w.add(`${path}.datasource`, `data source "${ds.type}" is not Prometheus; its queries are dropped`);
}

// ---------------------------------------------------------------------------------------------
// Targets.

function convertTargets(panel: Json, path: string, panelDs: DatasourceKind, ctx: PanelContext): { targets: PanelTarget[]; interval: string } {
  const w = ctx.warnings;
  const targets: PanelTarget[] = [];
  const used = new Set<string>();
  const intervals: string[] = [];
  const raw = arrAt(panel, 'targets');
  raw.forEach((t, i) => {
    const p = `${path}.targets[${i}]`;
    if (!isObj(t)) return w.add(p, 'is not an object; skipped');
    const ds = t['datasource'] !== undefined && t['datasource'] !== null ? ctx.datasources.resolve(t['datasource']) : panelDs;
    if (ds.kind === 'other') {
      if (panelDs.kind !== 'other') w.add(`${p}.datasource`, `data source "${ds.type}" is not Prometheus; the query is dropped`);
      return;
    }
    let refId = strAt(t, 'refId') ?? '';
    if (!REF_ID.test(refId) || used.has(refId)) {
      const fresh = freshRefId(used);
      if (refId !== '') w.add(`${p}.refId`, `"${refId}" is ${used.has(refId) ? 'used twice' : 'not a valid refId'}; renamed "${fresh}"`);
      refId = fresh;
    }
    used.add(refId);
    let legendFormat = strAt(t, 'legendFormat') ?? '';
    // Grafana 10 writes "__auto" for its automatic legend, which is the series name: our default.
    if (legendFormat === '__auto') legendFormat = '';
    const instant = boolAt(t, 'instant') === true;
    if (instant && boolAt(t, 'range') === true) w.add(`${p}.instant`, 'queries that run both as range and instant are not supported; run as an instant query');
    const factor = numAt(t, 'intervalFactor');
    if (factor !== undefined && factor > 1) w.add(`${p}.intervalFactor`, `resolution 1/${factor} is not supported; the panel uses full resolution`);
    const ti = strAt(t, 'interval');
    if (ti) intervals.push(ti);
    const expr = strAt(t, 'expr') ?? '';
    if (expr === '' && (t['query'] !== undefined || t['rawSql'] !== undefined || t['target'] !== undefined)) {
      w.add(p, 'the query has no PromQL expression (another data source\'s format?); kept empty');
    }
    targets.push({ refId, expr, legendFormat, instant, hide: boolAt(t, 'hide') === true });
  });
  const panelInterval = strAt(panel, 'interval') ?? '';
  return { targets, interval: convertInterval(panelInterval !== '' ? panelInterval : (intervals[0] ?? ''), panelInterval !== '' ? `${path}.interval` : `${path}.targets`, intervals, ctx) };
}

function freshRefId(used: ReadonlySet<string>): string {
  for (let i = 0; ; i++) {
    const id = i < 26 ? String.fromCharCode(65 + i) : `Q${i}`;
    if (!used.has(id)) return id;
  }
}

/** Grafana's min interval ("30s", ">30s" in old exports); variables cannot be kept. */
function convertInterval(text: string, path: string, targetIntervals: readonly string[], ctx: PanelContext): string {
  if (!path.endsWith('.interval') && new Set(targetIntervals).size > 1) ctx.warnings.add(path, `the queries have different min intervals (${[...new Set(targetIntervals)].join(', ')}); the panel uses ${text}`);
  const v = text.trim().replace(/^>/, '');
  if (v === '') return '';
  if (DURATION.test(v)) return v;
  ctx.warnings.add(path, `min interval "${text}" is not a fixed duration; the panel uses the automatic step`);
  return '';
}

// ---------------------------------------------------------------------------------------------
// Per-type options.

function timeseriesOptions(panel: Json, path: string, ctx: PanelContext): PanelOptionsByType['timeseries'] {
  const custom = objAt(objAt(objAt(panel, 'fieldConfig') ?? {}, 'defaults') ?? {}, 'custom') ?? {};
  const p = `${path}.fieldConfig.defaults.custom`;
  const d = DEFAULT_PANEL_OPTIONS.timeseries;
  const draw = strAt(custom, 'drawStyle') ?? 'line';
  if (draw === 'bars') ctx.warnings.add(`${p}.drawStyle`, 'bars over time are not supported; drawn as lines');
  const fill = numAt(custom, 'fillOpacity') ?? 0;
  const drawStyle = draw === 'points' ? 'points' : fill > 0 ? 'area' : 'line';
  const stackMode = strAt(objAt(custom, 'stacking') ?? {}, 'mode') ?? 'none';
  const stacking = stackMode === 'normal' || stackMode === 'percent' ? stackMode : 'none';
  const thresholdsMode = strAt(objAt(custom, 'thresholdsStyle') ?? {}, 'mode') ?? 'off';
  if (thresholdsMode.includes('area')) ctx.warnings.add(`${p}.thresholdsStyle`, 'threshold areas are not supported; drawn as lines');
  const showThresholds = thresholdsMode !== 'off';
  if (custom['lineInterpolation'] !== undefined && strAt(custom, 'lineInterpolation') !== 'linear') ctx.warnings.add(`${p}.lineInterpolation`, `"${strAt(custom, 'lineInterpolation')}" interpolation is not supported; drawn linear`);
  return { drawStyle, stacking, lineWidth: clampInt(numAt(custom, 'lineWidth') ?? d.lineWidth, 0, 10), showThresholds, legend: legendOf(objAt(objAt(panel, 'options') ?? {}, 'legend')) };
}

function legendOf(legend: Json | undefined): 'bottom' | 'right' | 'hidden' {
  if (legend === undefined) return 'bottom';
  if (boolAt(legend, 'showLegend') === false || strAt(legend, 'displayMode') === 'hidden' || boolAt(legend, 'show') === false) return 'hidden';
  return strAt(legend, 'placement') === 'right' || boolAt(legend, 'rightSide') === true ? 'right' : 'bottom';
}

function clampInt(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, Math.round(v)));
}

type Common = Omit<ConvertedPanel, 'type' | 'options'>;

function graphPanel(panel: Json, path: string, common: Common, ctx: PanelContext): ConvertedPanel {
  const w = ctx.warnings;
  const lines = boolAt(panel, 'lines') ?? true;
  const bars = boolAt(panel, 'bars') === true;
  const points = boolAt(panel, 'points') === true;
  if (bars) w.add(`${path}.bars`, 'bars over time are not supported; drawn as lines');
  const fill = numAt(panel, 'fill') ?? 1;
  const drawStyle = points && !lines && !bars ? 'points' : fill > 0 ? 'area' : 'line';
  const stacking = boolAt(panel, 'stack') === true ? (boolAt(panel, 'percentage') === true ? 'percent' : 'normal') : 'none';
  if (arrAt(panel, 'seriesOverrides').length > 0) w.add(`${path}.seriesOverrides`, `${arrAt(panel, 'seriesOverrides').length} series override(s) (second y-axis, per-series style) are not supported`);
  if (Object.keys(objAt(panel, 'aliasColors') ?? {}).length > 0) w.add(`${path}.aliasColors`, 'fixed series colours are not supported');
  if (boolAt(panel, 'steppedLine') === true) w.add(`${path}.steppedLine`, 'stepped lines are not supported; drawn linear');
  const xmode = strAt(objAt(panel, 'xaxis') ?? {}, 'mode');
  if (xmode !== undefined && xmode !== 'time') w.add(`${path}.xaxis.mode`, `x-axis mode "${xmode}" is not supported; drawn over time`);
  const { thresholds, show } = graphThresholds(panel, path, ctx);
  const fieldConfig = thresholds.length > 0 ? { ...common.fieldConfig, thresholds } : common.fieldConfig;
  return {
    ...common,
    fieldConfig,
    type: 'timeseries',
    options: { drawStyle, stacking, lineWidth: clampInt(numAt(panel, 'linewidth') ?? 1, 0, 10), showThresholds: show, legend: legendOf(objAt(panel, 'legend')) },
  };
}

function reducer(panel: Json, path: string, ctx: PanelContext): StatReducer {
  const ro = objAt(objAt(panel, 'options') ?? {}, 'reduceOptions');
  if (ro === undefined) return 'last';
  const p = `${path}.options.reduceOptions`;
  if (boolAt(ro, 'values') === true) ctx.warnings.add(`${p}.values`, 'showing every value is not supported; each series is reduced to one value');
  const calcs = arrAt(ro, 'calcs').filter((c): c is string => typeof c === 'string');
  if (calcs.length > 1) ctx.warnings.add(`${p}.calcs`, `only the first calculation (${calcs[0]}) is used`);
  const calc = calcs[0];
  if (calc === undefined) return 'last';
  const r = CALCS[calc];
  if (r === undefined) {
    ctx.warnings.add(`${p}.calcs`, `calculation "${calc}" is not supported; the last value is shown`);
    return 'last';
  }
  return r;
}

function singlestatReducer(panel: Json, path: string, ctx: PanelContext): StatReducer {
  const name = strAt(panel, 'valueName') ?? 'avg';
  const r = SINGLESTAT_VALUES[name];
  if (r === undefined) {
    ctx.warnings.add(`${path}.valueName`, `value "${name}" is not supported; the last value is shown`);
    return 'last';
  }
  return r;
}

function statOptions(panel: Json, path: string, ctx: PanelContext): PanelOptionsByType['stat'] {
  const o = objAt(panel, 'options') ?? {};
  const cm = strAt(o, 'colorMode') ?? 'value';
  return {
    reducer: reducer(panel, path, ctx),
    colorMode: cm === 'background' || cm === 'background_solid' ? 'background' : cm === 'none' ? 'none' : 'value',
    sparkline: (strAt(o, 'graphMode') ?? 'area') === 'area',
  };
}

function singlestatPanel(panel: Json, path: string, common: Common, ctx: PanelContext): ConvertedPanel {
  const w = ctx.warnings;
  const r = singlestatReducer(panel, path, ctx);
  if (strAt(panel, 'prefix') || strAt(panel, 'postfix')) w.add(path, 'prefix and postfix text are not supported');
  const maps = arrAt(panel, 'valueMaps').filter((m) => !(isObj(m) && m['value'] === 'null' && m['text'] === 'N/A'));
  const ranges = arrAt(panel, 'rangeMaps').filter((m) => !(isObj(m) && m['from'] === 'null' && m['to'] === 'null'));
  if (maps.length > 0 || ranges.length > 0) w.add(`${path}.valueMaps`, 'value mappings are not supported; values are shown as numbers');
  const colors = arrAt(panel, 'colors').filter((c): c is string => typeof c === 'string');
  const values = (strAt(panel, 'thresholds') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  let thresholds: Threshold[] = [];
  if (values.some((v) => !Number.isFinite(v))) {
    w.add(`${path}.thresholds`, `"${strAt(panel, 'thresholds')}" is not a list of numbers; thresholds dropped`);
  } else if (values.length > 0) {
    const steps = [{ value: null, color: cssColor(colors[0] ?? 'green') }, ...values.map((v, i) => ({ value: v, color: cssColor(colors[i + 1] ?? colors[colors.length - 1] ?? 'red') }))];
    thresholds = orderedThresholds(steps, (v) => v, `${path}.thresholds`, ctx);
  }
  const gauge = objAt(panel, 'gauge');
  if (gauge !== undefined && boolAt(gauge, 'show') === true) {
    return {
      ...common,
      fieldConfig: { ...common.fieldConfig, thresholds, min: numAt(gauge, 'minValue') ?? 0, max: numAt(gauge, 'maxValue') ?? 100 },
      type: 'gauge',
      options: { reducer: r },
    };
  }
  const colorMode = boolAt(panel, 'colorBackground') === true ? 'background' : boolAt(panel, 'colorValue') === true ? 'value' : 'none';
  return {
    ...common,
    fieldConfig: { ...common.fieldConfig, thresholds },
    type: 'stat',
    options: { reducer: r, colorMode, sparkline: boolAt(objAt(panel, 'sparkline') ?? {}, 'show') === true },
  };
}

function heatmapSource(panel: Json, path: string, targets: readonly PanelTarget[], ctx: PanelContext): 'buckets' | 'series' {
  const o = objAt(panel, 'options') ?? {};
  const calculate = boolAt(o, 'calculate');
  const dataFormat = strAt(panel, 'dataFormat');
  const bucketQueries = targets.some((t) => /_bucket\b/.test(t.expr)) || arrAt(panel, 'targets').some((t) => isObj(t) && strAt(t, 'format') === 'heatmap');
  if (calculate === true || dataFormat === 'timeseries') {
    const where = calculate === true ? `${path}.options.calculate` : `${path}.dataFormat`;
    if (bucketQueries) return 'buckets';
    ctx.warnings.add(where, 'Grafana buckets the raw values itself; Pharos draws one row per series instead');
    return 'series';
  }
  return 'buckets';
}

function tableOldWarnings(panel: Json, path: string, ctx: PanelContext): void {
  const transform = strAt(panel, 'transform');
  if (transform !== undefined && transform !== 'timeseries_to_rows' && transform !== 'table') {
    ctx.warnings.add(`${path}.transform`, `table transform "${transform}" is not supported; series are listed as rows`);
  }
  const styles = arrAt(panel, 'styles').filter(isObj);
  const custom = styles.filter((s) => !(strAt(s, 'type') === 'date' && strAt(s, 'pattern') === 'Time') && strAt(s, 'pattern') !== '/.*/');
  if (custom.length > 0) ctx.warnings.add(`${path}.styles`, `${custom.length} column style(s) (units, colours, hidden columns) are not supported`);
}

function textOptions(panel: Json, path: string, ctx: PanelContext): PanelOptionsByType['text'] {
  const o = objAt(panel, 'options');
  const fromOptions = o !== undefined && (o['content'] !== undefined || o['mode'] !== undefined);
  const mode = (fromOptions ? strAt(o!, 'mode') : strAt(panel, 'mode')) ?? 'markdown';
  const content = (fromOptions ? strAt(o!, 'content') : strAt(panel, 'content')) ?? '';
  const modePath = fromOptions ? `${path}.options.mode` : `${path}.mode`;
  if (mode === 'html') {
    ctx.warnings.add(modePath, 'HTML content is shown as plain text (tags removed)');
    return { mode: 'plain', content: htmlToText(content) };
  }
  if (mode === 'markdown') return { mode: 'markdown', content };
  ctx.warnings.add(modePath, `text mode "${mode}" is shown as plain text`);
  return { mode: 'plain', content };
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

/** Readable text from HTML: block ends become line breaks, scripts and styles vanish, tags go. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|h[1-6]|li|tr|pre|blockquote)\s*>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|apos|nbsp|#39);/g, (_, e: string) => ENTITIES[e]!)
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
