import type { FieldConfig, TimeseriesOptions } from '@pharos/dashboard-model';
import type { PanelData } from '../../features/dashboards/panels/panel-data';
import type { TimeZone } from '../time/time-range';
import { axisTicks } from '../units/units';
import { decimateRun, runEnd, runStart, type PixelMap } from './decimate';
import { seriesColor } from './palette';
import { drawnExtent, linearMap, yDomain, type LinearMap } from './scale';
import { StackBuffers, stackSeries } from './stack';
import { timeTicks } from './time-ticks';

/**
 * Draws a time-series panel onto a 2D canvas: axes, gridlines, thresholds and one line, area
 * or point set per visible series. Plain TypeScript (the Angular component only sizes the
 * canvas and forwards events), so draw-call counts are unit-tested with a recording context.
 *
 * Cost per frame is O(series × pixel columns) canvas calls whatever the point count: every
 * run of points goes through per-pixel M4 decimation into one reused scratch buffer.
 */

/** The part of CanvasRenderingContext2D the renderer uses. */
export type ChartContext = Pick<
  CanvasRenderingContext2D,
  | 'setTransform'
  | 'clearRect'
  | 'save'
  | 'restore'
  | 'beginPath'
  | 'moveTo'
  | 'lineTo'
  | 'rect'
  | 'clip'
  | 'stroke'
  | 'fill'
  | 'fillText'
  | 'measureText'
  | 'setLineDash'
  | 'closePath'
> & {
  strokeStyle: CanvasRenderingContext2D['strokeStyle'];
  fillStyle: CanvasRenderingContext2D['fillStyle'];
  lineWidth: number;
  lineJoin: CanvasLineJoin;
  globalAlpha: number;
  font: string;
  textAlign: CanvasTextAlign;
  textBaseline: CanvasTextBaseline;
};

/** Colours and font read from the page theme (CSS variables), so light and dark both work. */
export interface ChartTheme {
  readonly text: string;
  readonly grid: string;
  readonly font: string;
}

/** Where the plot sits inside the canvas, in CSS pixels, and its scales. */
export interface PlotLayout {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
  /** time (ms) → x */
  readonly x: LinearMap;
  /** value (stack height when stacked) → y */
  readonly y: LinearMap;
}

const FONT_PX = 11;
const PAD = 8;
const X_AXIS_HEIGHT = FONT_PX + 10;
const MIN_TICK_SPACING_X = 90;
const MIN_TICK_SPACING_Y = 28;
const AREA_ALPHA = 0.18;

export class TimeseriesRenderer {
  private data: PanelData | null = null;
  private options: TimeseriesOptions | null = null;
  private field: FieldConfig | null = null;
  private visible: boolean[] = [];
  private ys: readonly Float64Array[] = [];
  private extent = { min: NaN, max: NaN };
  private readonly stacks = new StackBuffers();
  /** Decimated x,y pairs of the run being drawn, and of the stack below it (area fills). */
  private scratch = new Float64Array(0);
  private scratchBelow = new Float64Array(0);
  private plot: PlotLayout | null = null;

  /** The layout of the last frame drawn (null before the first), for hover and selection. */
  get layout(): PlotLayout | null {
    return this.plot;
  }

  /** The smallest and largest value drawn (stack heights when stacked); NaN when none. */
  get drawnRange(): { readonly min: number; readonly max: number } {
    return this.extent;
  }

  /**
   * Takes new data or settings: stacks the visible series and finds their extent. Call on
   * every change of data, options, field config or visibility, before `draw`.
   */
  prepare(data: PanelData, options: TimeseriesOptions, field: FieldConfig, visible: readonly boolean[]): void {
    if (visible.length !== data.series.length) throw new RangeError(`visibility has ${visible.length} entries for ${data.series.length} series`);
    if (!(options.lineWidth >= 0 && options.lineWidth <= 10)) throw new RangeError(`lineWidth must be from 0 to 10, got ${options.lineWidth}`);
    for (const s of data.series) {
      if (s.values.length !== data.grid.steps) throw new RangeError(`series "${s.name}" has ${s.values.length} values for a grid of ${data.grid.steps} steps`);
    }
    this.data = data;
    this.options = options;
    this.field = field;
    this.visible = [...visible];
    const values = data.series.map((s) => s.values);
    this.ys = stackSeries(values, this.visible, options.stacking, this.stacks);
    this.extent = drawnExtent(values, this.ys, this.visible);
    const pairs = 2 * data.grid.steps;
    if (this.scratch.length < pairs) {
      this.scratch = new Float64Array(pairs);
      this.scratchBelow = new Float64Array(pairs);
    }
  }

  /** The y of series `k` at step `i` in CSS pixels (NaN where it has no point), for the crosshair dots. */
  pointY(k: number, i: number): number {
    const own = this.data?.series[k]?.values[i];
    const y = this.ys[k]?.[i];
    if (this.plot === null || own === undefined || y === undefined || !Number.isFinite(own) || !this.visible[k]) return NaN;
    return this.plot.y.a * y + this.plot.y.b;
  }

  /** Draws the whole chart onto a canvas of `width` × `height` CSS pixels. */
  draw(ctx: ChartContext, width: number, height: number, pxRatio: number, theme: ChartTheme, zone: TimeZone): void {
    const data = this.data;
    const options = this.options;
    const field = this.field;
    if (data === null || options === null || field === null) throw new Error('draw() before prepare()');
    ctx.setTransform(pxRatio, 0, 0, pxRatio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.font = theme.font;
    const percent = options.stacking === 'percent';
    const axisUnit = percent ? 'percentunit' : field.unit;
    const top = PAD;
    const plotHeight = Math.max(1, height - top - X_AXIS_HEIGHT);
    const maxTicksY = Math.max(2, Math.floor(plotHeight / MIN_TICK_SPACING_Y));
    const domain = yDomain(this.extent, {
      fixedMin: field.min,
      fixedMax: field.max,
      includeZero: options.drawStyle === 'area' || options.stacking !== 'none',
      percent,
      unit: axisUnit,
      maxTicks: maxTicksY,
    });
    const yTicks = axisTicks(domain.min, domain.max, maxTicksY, axisUnit, percent ? null : field.decimals);
    let labelWidth = 0;
    for (const l of yTicks.labels) labelWidth = Math.max(labelWidth, ctx.measureText(l).width);
    const left = Math.ceil(labelWidth) + PAD + 4;
    const plotWidth = Math.max(1, width - left - PAD);
    const grid = data.grid;
    // A one-step grid (an instant) still needs a time span to place its point in.
    const half = grid.steps > 1 ? 0 : Math.max(grid.stepMs, 1000) / 2;
    const x = linearMap(grid.startMs - half, grid.endMs + half, left, left + plotWidth);
    const y = linearMap(domain.min, domain.max, top + plotHeight, top);
    this.plot = { left, top, width: plotWidth, height: plotHeight, x, y };

    this.drawAxes(ctx, theme, zone, yTicks.values, yTicks.labels, grid.startMs - half, grid.endMs + half, Math.max(2, Math.floor(plotWidth / MIN_TICK_SPACING_X)));

    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, plotWidth, plotHeight);
    ctx.clip();
    const map = { x0: x.a * grid.startMs + x.b, dx: x.a * grid.stepMs, yA: y.a, yB: y.b, pxRatio };
    // Lower series first, so in a stack each fill sits on the one below.
    let below = -1;
    for (let k = 0; k < data.series.length; k++) {
      if (!this.visible[k]) continue;
      this.drawSeries(ctx, k, below, map, options, seriesColor(k));
      below = k;
    }
    if (options.showThresholds) this.drawThresholds(ctx, field, domain, left, plotWidth);
    ctx.restore();
  }

  private drawAxes(ctx: ChartContext, theme: ChartTheme, zone: TimeZone, yValues: readonly number[], yLabels: readonly string[], fromMs: number, toMs: number, maxTicksX: number): void {
    const p = this.plot!;
    ctx.lineWidth = 1;
    ctx.strokeStyle = theme.grid;
    ctx.fillStyle = theme.text;
    ctx.beginPath();
    // Half-pixel offsets keep one-pixel gridlines sharp.
    for (const v of yValues) {
      const py = Math.round(p.y.a * v + p.y.b) + 0.5;
      ctx.moveTo(p.left, py);
      ctx.lineTo(p.left + p.width, py);
    }
    const xTicks = timeTicks(fromMs, toMs, maxTicksX, zone);
    for (const t of xTicks.values) {
      const px = Math.round(p.x.a * t + p.x.b) + 0.5;
      ctx.moveTo(px, p.top);
      ctx.lineTo(px, p.top + p.height);
    }
    ctx.stroke();
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let i = 0; i < yValues.length; i++) ctx.fillText(yLabels[i]!, p.left - 6, p.y.a * yValues[i]! + p.y.b);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (let i = 0; i < xTicks.values.length; i++) ctx.fillText(xTicks.labels[i]!, p.x.a * xTicks.values[i]! + p.x.b, p.top + p.height + 5);
  }

  private drawSeries(ctx: ChartContext, k: number, below: number, map: PixelMap, options: TimeseriesOptions, color: string): void {
    const own = this.data!.series[k]!.values;
    const ys = this.ys[k]!;
    const steps = own.length;
    const out = this.scratch;
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = options.lineWidth;
    ctx.lineJoin = options.lineWidth > 1 ? 'round' : 'miter';
    const dot = Math.max(1.5, options.lineWidth);

    if (options.drawStyle === 'area') {
      const stacked = options.stacking !== 'none' && below >= 0;
      const zeroY = Math.min(Math.max(map.yB, this.plot!.top), this.plot!.top + this.plot!.height);
      ctx.globalAlpha = AREA_ALPHA;
      ctx.beginPath();
      for (let from = runStart(own, 0, steps); from < steps; from = runStart(own, runEnd(own, from, steps), steps)) {
        const to = runEnd(own, from, steps);
        const n = decimateRun(ys, from, to, map, out);
        ctx.moveTo(out[0]!, out[1]!);
        for (let j = 1; j < n; j++) ctx.lineTo(out[2 * j]!, out[2 * j + 1]!);
        if (stacked) {
          // Back along the top of the stack below, over the same steps.
          const m = decimateRun(this.ys[below]!, from, to, map, this.scratchBelow);
          for (let j = m - 1; j >= 0; j--) ctx.lineTo(this.scratchBelow[2 * j]!, this.scratchBelow[2 * j + 1]!);
        } else {
          ctx.lineTo(out[2 * (n - 1)]!, zeroY);
          ctx.lineTo(out[0]!, zeroY);
        }
        ctx.closePath();
      }
      ctx.fill();
      ctx.globalAlpha = 1;
    }

    ctx.beginPath();
    let lone = false;
    for (let from = runStart(own, 0, steps); from < steps; from = runStart(own, runEnd(own, from, steps), steps)) {
      const to = runEnd(own, from, steps);
      const n = decimateRun(ys, from, to, map, out);
      if (options.drawStyle === 'points') {
        for (let j = 0; j < n; j++) ctx.rect(out[2 * j]! - dot, out[2 * j + 1]! - dot, 2 * dot, 2 * dot);
      } else if (n === 1) {
        // A point between two gaps: a line cannot show it, so it gets a dot of its own.
        lone = true;
      } else {
        ctx.moveTo(out[0]!, out[1]!);
        for (let j = 1; j < n; j++) ctx.lineTo(out[2 * j]!, out[2 * j + 1]!);
      }
    }
    if (options.drawStyle === 'points') ctx.fill();
    else {
      if (options.lineWidth > 0) ctx.stroke();
      if (lone) this.fillLonePoints(ctx, own, ys, map, dot);
    }
  }

  private fillLonePoints(ctx: ChartContext, own: Float64Array, ys: Float64Array, map: PixelMap, dot: number): void {
    const steps = own.length;
    ctx.beginPath();
    for (let from = runStart(own, 0, steps); from < steps; from = runStart(own, runEnd(own, from, steps), steps)) {
      if (runEnd(own, from, steps) !== from + 1) continue;
      ctx.rect(map.x0 + from * map.dx - dot, map.yA * ys[from]! + map.yB - dot, 2 * dot, 2 * dot);
    }
    ctx.fill();
  }

  private drawThresholds(ctx: ChartContext, field: FieldConfig, domain: { min: number; max: number }, left: number, width: number): void {
    const y = this.plot!.y;
    ctx.lineWidth = 1;
    ctx.setLineDash([6, 4]);
    for (const t of field.thresholds) {
      if (t.value === null || t.value < domain.min || t.value > domain.max) continue;
      const py = Math.round(y.a * t.value + y.b) + 0.5;
      ctx.strokeStyle = t.color;
      ctx.beginPath();
      ctx.moveTo(left, py);
      ctx.lineTo(left + width, py);
      ctx.stroke();
    }
    ctx.setLineDash([]);
  }
}
