/**
 * Grafana field config → ours: `fieldConfig.defaults` of React panels (unit, decimals,
 * min/max, thresholds in absolute or percentage mode), the left y-axis of legacy graphs, and
 * the graph panel's own threshold lines.
 */

import { DEFAULT_FIELD_CONFIG, type FieldConfig, type Threshold } from './dashboard-model.js';
import { arrAt, cssColor, isObj, numAt, objAt, strAt, type Json, type PanelContext } from './grafana-json.js';

export function convertFieldConfig(panel: Json, path: string, ctx: PanelContext): FieldConfig {
  const defaults = objAt(objAt(panel, 'fieldConfig') ?? {}, 'defaults');
  const p = `${path}.fieldConfig.defaults`;
  if (defaults !== undefined && (defaults['unit'] !== undefined || defaults['thresholds'] !== undefined || defaults['min'] !== undefined || defaults['max'] !== undefined || defaults['decimals'] !== undefined)) {
    const min = numAt(defaults, 'min') ?? null;
    const max = numAt(defaults, 'max') ?? null;
    return {
      unit: strAt(defaults, 'unit') || DEFAULT_FIELD_CONFIG.unit,
      decimals: decimals(numAt(defaults, 'decimals'), `${p}.decimals`, ctx),
      min,
      max,
      thresholds: fieldThresholds(objAt(defaults, 'thresholds'), `${p}.thresholds`, min, max, ctx),
    };
  }
  // Angular panels: graph's left y-axis, singlestat's own fields.
  const yaxis = arrAt(panel, 'yaxes')[0];
  if (isObj(yaxis)) {
    return {
      unit: strAt(yaxis, 'format') || DEFAULT_FIELD_CONFIG.unit,
      decimals: decimals(numAt(yaxis, 'decimals') ?? numAt(panel, 'decimals'), `${path}.yaxes[0].decimals`, ctx),
      min: numAt(yaxis, 'min') ?? null,
      max: numAt(yaxis, 'max') ?? null,
      thresholds: [],
    };
  }
  const format = strAt(panel, 'format');
  if (format !== undefined || panel['decimals'] !== undefined) {
    return { ...DEFAULT_FIELD_CONFIG, unit: format || DEFAULT_FIELD_CONFIG.unit, decimals: decimals(numAt(panel, 'decimals'), `${path}.decimals`, ctx) };
  }
  return DEFAULT_FIELD_CONFIG;
}

function decimals(v: number | undefined, path: string, ctx: PanelContext): number | null {
  if (v === undefined) return null;
  const d = Math.round(v);
  if (d < 0 || d > 20) {
    ctx.warnings.add(path, `${v} decimals is out of range; automatic`);
    return null;
  }
  return d;
}

function fieldThresholds(t: Json | undefined, path: string, min: number | null, max: number | null, ctx: PanelContext): Threshold[] {
  if (t === undefined) return [];
  const steps = arrAt(t, 'steps').filter(isObj);
  if (steps.length === 0) return [];
  let toAbsolute = (v: number): number => v;
  if (strAt(t, 'mode') === 'percentage') {
    if (min !== null && max !== null) {
      toAbsolute = (v) => min + ((max - min) * v) / 100;
      ctx.warnings.add(`${path}.mode`, `percentage thresholds are converted to absolute values using min ${min} and max ${max}`);
    } else {
      ctx.warnings.add(`${path}.mode`, 'percentage thresholds need min and max to convert; their values are used as absolute values');
    }
  }
  return orderedThresholds(
    steps.map((s, i) => ({ value: i === 0 ? null : (numAt(s, 'value') ?? null), color: cssColor(strAt(s, 'color') ?? 'green') })),
    toAbsolute,
    path,
    ctx,
  );
}

/** The first step is the base (Grafana writes null or -Infinity); the rest must ascend. */
export function orderedThresholds(steps: readonly { value: number | null; color: string }[], toAbsolute: (v: number) => number, path: string, ctx: PanelContext): Threshold[] {
  const [first, ...rest] = steps;
  if (first === undefined) return [];
  const valued = rest.filter((s) => s.value !== null).map((s) => ({ value: toAbsolute(s.value!), color: s.color }));
  if (valued.length < rest.length) ctx.warnings.add(path, 'steps without a value are dropped');
  const sorted = [...valued].sort((a, b) => a.value - b.value);
  if (sorted.some((s, i) => s !== valued[i])) ctx.warnings.add(path, 'steps were not in ascending order; sorted');
  return [{ value: null, color: first.color }, ...sorted];
}

const GRAPH_THRESHOLD_COLORS: Readonly<Record<string, string>> = { critical: '#F2495C', warning: '#FF9830', ok: '#73BF69' };

export function graphThresholds(panel: Json, path: string, ctx: PanelContext): { thresholds: Threshold[]; show: boolean } {
  const raw = arrAt(panel, 'thresholds').filter(isObj);
  if (raw.length === 0) return { thresholds: [], show: false };
  const steps: { value: number; color: string }[] = [];
  raw.forEach((t, i) => {
    const value = numAt(t, 'value');
    if (value === undefined) return;
    if (strAt(t, 'op') === 'lt') {
      ctx.warnings.add(`${path}.thresholds[${i}]`, `"below ${value}" thresholds are not supported; dropped`);
      return;
    }
    const mode = strAt(t, 'colorMode') ?? 'critical';
    steps.push({ value, color: GRAPH_THRESHOLD_COLORS[mode] ?? cssColor(strAt(t, 'lineColor') ?? strAt(t, 'fillColor') ?? '#F2495C') });
  });
  if (steps.length === 0) return { thresholds: [], show: false };
  steps.sort((a, b) => a.value - b.value);
  return { thresholds: [{ value: null, color: 'transparent' }, ...steps], show: true };
}
