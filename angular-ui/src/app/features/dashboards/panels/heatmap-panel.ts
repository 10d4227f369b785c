import { ChangeDetectionStrategy, Component, ElementRef, computed, effect, inject, input, output, signal, viewChild } from '@angular/core';
import type { FieldConfig, HeatmapOptions } from '@pharos/dashboard-model';
import { ThemeSwitch } from '../../../core/theme';
import type { TimeZone } from '../../../shared/time/time-range';
import { valueFormatter } from '../../../shared/units/units';
import { HeatmapDataError, buildHeatmap, type HeatmapMatrix } from './heatmap-buckets';
import { buildColorLut, cellAt, heatmapScale, legendGradient, paintCells } from './heatmap-colors';
import { describeCell, rowLabel, timeTicks } from './heatmap-labels';
import type { PanelData } from './panel-data';
import { containerSize, emitWhenPainted } from './panel-lifecycle';

const LUT = buildColorLut();
let instances = 0;
const LEGEND_PX = 24;
const AXIS_PX = 18;
const NAME_PX = 16;
const FONT = '11px system-ui, sans-serif';

/** Where a histogram's cells landed on the canvas, for hit testing. */
interface Band {
  readonly matrix: HeatmapMatrix;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

interface Cursor {
  readonly band: number;
  readonly step: number;
  readonly row: number;
}

/**
 * Heatmap: time across, buckets (or series) up, each cell coloured by its count on a square-root
 * scale with a legend. Cells are written once per data change as one pixel each into an
 * offscreen canvas and scaled up without smoothing, so a redraw for resize or theme is one
 * `drawImage` per histogram. Several histograms stack. Hover — or focus and the arrow keys —
 * shows a cell's time, bucket bounds and count.
 */
@Component({
  selector: 'ph-heatmap-panel',
  template: `
    <div class="plot">
      @if (error(); as message) {
        <p class="message error" role="alert">{{ message }}</p>
      } @else if (built().length === 0) {
        <p class="message">No data</p>
      }
      <canvas
        #canvas
        [class.hidden]="built().length === 0"
        tabindex="0"
        role="img"
        [attr.aria-label]="summary()"
        [attr.aria-describedby]="keysId"
        data-testid="heatmap"
        (mousemove)="hover($event)"
        (mouseleave)="cursor.set(null)"
        (keydown)="key($event)"
        (blur)="cursor.set(null)"
      ></canvas>
      @if (highlight(); as h) {
        <div class="cell" [style.left.px]="h.x" [style.top.px]="h.y" [style.width.px]="h.w" [style.height.px]="h.h"></div>
        <div class="tip" [style.left.px]="h.tipLeft" [style.right.px]="h.tipRight" [style.top.px]="h.tipY" [style.max-width.px]="h.tipMax">{{ h.text }}</div>
      }
      <span [id]="keysId" class="visually-hidden">Arrow keys move between cells.</span>
      <span class="visually-hidden" aria-live="polite">{{ highlight()?.text ?? '' }}</span>
    </div>
    @if (built().length > 0) {
      <div class="legend" aria-hidden="true">
        <span>{{ legend().lo }}</span>
        <span class="ramp" [style.background]="gradient"></span>
        <span>{{ legend().hi }}</span>
      </div>
    }
  `,
  styles: `
    :host { display: flex; flex-direction: column; flex: 1; min-height: 0; min-width: 0; }
    .plot { position: relative; flex: 1; min-height: 40px; }
    canvas { position: absolute; inset: 0; width: 100%; height: 100%; display: block; }
    canvas.hidden { visibility: hidden; }
    .message { margin: 0; padding: 12px 0; color: var(--fg-muted); text-align: center; }
    .message.error { color: var(--danger); }
    .cell { position: absolute; pointer-events: none; outline: 2px solid var(--fg); outline-offset: 0; }
    .tip { position: absolute; pointer-events: none; transform: translateY(-50%); width: max-content; z-index: 2;
      background: var(--bg-raised); color: var(--fg); border: 1px solid var(--border); border-radius: 4px; padding: 3px 6px; font-size: 12px; }
    .legend { height: ${LEGEND_PX}px; display: flex; align-items: center; justify-content: flex-end; gap: 6px; font-size: 11px; color: var(--fg-muted); }
    .ramp { width: 120px; height: 10px; border-radius: 2px; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class HeatmapPanelView {
  readonly data = input.required<PanelData>();
  readonly options = input.required<HeatmapOptions>();
  readonly fieldConfig = input.required<FieldConfig>();
  readonly timezone = input<TimeZone>('local');
  /** `performance.now()` once the frame showing new data has been painted. */
  readonly painted = output<number>();

  protected readonly gradient = legendGradient();
  /** Unique per instance: a dashboard can show several heatmaps. */
  protected readonly keysId = `ph-heatmap-keys-${++instances}`;
  protected readonly cursor = signal<Cursor | null>(null);

  private readonly host: HTMLElement = inject(ElementRef).nativeElement;
  private readonly size = containerSize(this.host);
  private readonly canvas = viewChild.required<ElementRef<HTMLCanvasElement>>('canvas');
  private readonly theme = inject(ThemeSwitch).theme;
  private readonly bands = signal<readonly Band[]>([]);

  private readonly result = computed(() => {
    try {
      return { matrices: buildHeatmap(this.data(), this.options().source), error: null };
    } catch (err) {
      if (err instanceof HeatmapDataError) return { matrices: [], error: err.message };
      throw err;
    }
  });
  protected readonly error = computed(() => this.result().error);
  protected readonly built = computed(() => this.result().matrices);

  /** Bucket bounds (or series values) in the panel's unit; counts as plain numbers. */
  private readonly formatUnit = computed(() => valueFormatter(this.fieldConfig().unit, this.fieldConfig().decimals));
  private readonly formatCount = computed(() => (this.options().source === 'buckets' ? valueFormatter('short', null) : this.formatUnit()));

  protected readonly legend = computed(() => {
    const ms = this.built();
    const source = this.options().source;
    const lo = source === 'buckets' ? 0 : Math.min(...ms.map((m) => m.min));
    const hi = Math.max(...ms.map((m) => m.max));
    return { lo: this.formatCount()(lo), hi: this.formatCount()(hi) };
  });

  protected readonly summary = computed(() => {
    const ms = this.built();
    if (ms.length === 0) return 'Heatmap: no data';
    const what = this.options().source === 'buckets' ? `${ms.length} histogram${ms.length === 1 ? '' : 's'}` : `${ms[0]?.rows ?? 0} series`;
    return `Heatmap of ${what} over ${this.data().grid.steps} steps; highest ${this.options().source === 'buckets' ? 'count' : 'value'} ${this.legend().hi}`;
  });

  /** One offscreen image per histogram, one pixel per cell: rebuilt only when the data changes. */
  private readonly images = computed(() => {
    const source = this.options().source;
    return this.built().map((m) => {
      if (m.rows === 0 || m.steps === 0) return null;
      const off = document.createElement('canvas');
      off.width = m.steps;
      off.height = m.rows;
      const img = new ImageData(m.steps, m.rows);
      paintCells(m, heatmapScale(m, source), LUT, img.data);
      off.getContext('2d')?.putImageData(img, 0, 0);
      return off;
    });
  });

  protected readonly highlight = computed(() => {
    const c = this.cursor();
    const band = c === null ? undefined : this.bands()[c.band];
    if (c === null || band === undefined) return null;
    const m = band.matrix;
    const cw = band.w / m.steps;
    const ch = band.h / m.rows;
    const x = band.x + c.step * cw;
    const y = band.y + (m.rows - 1 - c.row) * ch;
    const text = describeCell(m, c.step, c.row, this.data().grid, this.timezone(), this.formatUnit(), this.formatCount());
    // The tip goes on the side of the cell with more room and wraps within it.
    const width = this.size.width();
    const flip = x + cw / 2 > width / 2;
    const tipLeft = flip ? null : x + cw + 8;
    const tipRight = flip ? width - x + 8 : null;
    const tipMax = Math.max(120, flip ? x - 8 : width - (x + cw + 8));
    return { x, y, w: Math.max(1, cw), h: Math.max(1, ch), tipLeft, tipRight, tipY: y + ch / 2, tipMax, text };
  });

  constructor() {
    effect(() => this.draw());
    emitWhenPainted(this.data, () => this.size.width() > 0, (at) => this.painted.emit(at));
  }

  protected hover(e: MouseEvent): void {
    for (const [i, b] of this.bands().entries()) {
      const cell = cellAt(b.matrix, e.offsetX - b.x, e.offsetY - b.y, b.w, b.h);
      if (cell !== null) {
        this.cursor.set({ band: i, ...cell });
        return;
      }
    }
    this.cursor.set(null);
  }

  protected key(e: KeyboardEvent): void {
    const bands = this.bands();
    if (bands.length === 0) return;
    const c = this.cursor() ?? { band: 0, step: bands[0]!.matrix.steps - 1, row: 0 };
    const m = bands[c.band]!.matrix;
    let next: Cursor = c;
    switch (e.key) {
      case 'ArrowLeft':
        next = { ...c, step: Math.max(0, c.step - 1) };
        break;
      case 'ArrowRight':
        next = { ...c, step: Math.min(m.steps - 1, c.step + 1) };
        break;
      case 'ArrowUp':
        // Up the buckets, then on into the histogram above.
        next = c.row < m.rows - 1 ? { ...c, row: c.row + 1 } : c.band > 0 ? { band: c.band - 1, step: Math.min(c.step, bands[c.band - 1]!.matrix.steps - 1), row: 0 } : c;
        break;
      case 'ArrowDown':
        next = c.row > 0 ? { ...c, row: c.row - 1 } : c.band < bands.length - 1 ? { band: c.band + 1, step: Math.min(c.step, bands[c.band + 1]!.matrix.steps - 1), row: bands[c.band + 1]!.matrix.rows - 1 } : c;
        break;
      case 'Escape':
        this.cursor.set(null);
        return;
      default:
        return;
    }
    e.preventDefault();
    this.cursor.set(next);
  }

  private draw(): void {
    this.theme(); // axis text follows the theme's colours
    const width = this.size.width();
    const height = this.size.height() - LEGEND_PX;
    const matrices = this.built();
    const images = this.images();
    const zone = this.timezone();
    const grid = this.data().grid;
    const formatUnit = this.formatUnit();
    const canvas = this.canvas().nativeElement;
    const ctx = canvas.getContext('2d');
    if (ctx === null || width <= 0 || height <= 0) return;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    if (matrices.length === 0) {
      this.bands.set([]);
      return;
    }
    const style = getComputedStyle(this.host);
    const muted = style.getPropertyValue('--fg-muted').trim() || '#666';
    const fg = style.getPropertyValue('--fg').trim() || '#000';
    ctx.font = FONT;
    ctx.textBaseline = 'middle';
    // Row labels decide the left margin.
    const labels = matrices.map((m) => Array.from({ length: m.rows }, (_, r) => rowLabel(m, r, formatUnit)));
    const left = Math.min(width / 3, Math.ceil(Math.max(...labels.flat().map((l) => ctx.measureText(l).width), 10)) + 8);
    const plotW = Math.max(1, width - left - 4);
    const named = matrices.length > 1 || matrices[0]!.name !== '';
    const bandH = Math.max(1, (height - AXIS_PX) / matrices.length - (named ? NAME_PX : 0));
    const bands: Band[] = [];
    ctx.imageSmoothingEnabled = false;
    matrices.forEach((m, i) => {
      const top = i * (bandH + (named ? NAME_PX : 0)) + (named ? NAME_PX : 0);
      if (named) {
        ctx.fillStyle = fg;
        ctx.textAlign = 'left';
        ctx.fillText(m.name === '' ? '(no labels)' : m.name, left, top - NAME_PX / 2, plotW);
      }
      const img = images[i];
      if (img) ctx.drawImage(img, left, top, plotW, bandH);
      // Label as many rows as fit 12 px apart, from the top (the largest bucket).
      ctx.fillStyle = muted;
      ctx.textAlign = 'right';
      const rowH = bandH / m.rows;
      const every = Math.max(1, Math.ceil(12 / rowH));
      for (let r = m.rows - 1; r >= 0; r -= every) ctx.fillText(labels[i]![r]!, left - 6, top + (m.rows - 1 - r + 0.5) * rowH);
      bands.push({ matrix: m, x: left, y: top, w: plotW, h: bandH });
    });
    // Time axis under the last band; cells span [t, t + step), so tick t sits at its cell's left edge.
    const spanMs = grid.stepMs * grid.steps;
    ctx.textAlign = 'center';
    ctx.fillStyle = muted;
    for (const t of timeTicks(grid.startMs, grid.startMs + spanMs, Math.max(2, Math.floor(plotW / 90)), zone)) {
      const x = left + ((t.ms - grid.startMs) / spanMs) * plotW;
      ctx.fillText(t.label, Math.min(width - 20, Math.max(left + 20, x)), height - AXIS_PX / 2);
    }
    this.bands.set(bands);
  }
}
