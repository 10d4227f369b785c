import { ChangeDetectionStrategy, Component, type ElementRef, type OnDestroy, afterNextRender, computed, effect, input, output, signal, untracked, viewChild } from '@angular/core';
import type { FieldConfig, TimeseriesOptions } from '@pharos/dashboard-model';
import type { PanelData } from '../../features/dashboards/panels/panel-data';
import { formatInstant, type TimeZone } from '../time/time-range';
import { valueFormatter } from '../units/units';
import { legendClick, visibleFlags } from './legend';
import { seriesColor } from './palette';
import { chartSummary } from './summary';
import { TimeseriesRenderer, type ChartTheme } from './timeseries-renderer';
import { nearestStep, tooltipRows, type TooltipRow } from './tooltip';

interface Hover {
  readonly x: number;
  readonly y: number;
  readonly time: string;
  readonly rows: readonly TooltipRow[];
}

/** Drags shorter than this are clicks, not a range. */
const MIN_DRAG_PX = 5;
/** Tooltips list at most this many series (the rest are counted), as a panel of 240 would not fit. */
const MAX_TOOLTIP_ROWS = 20;

/**
 * A time-series panel drawn on canvas (ngx-charts' SVG needs an object and path segment per
 * point and cannot paint a dashboard of dense graphs in time; see docs/ARCHITECTURE.md). Two
 * stacked canvases: the chart, redrawn only when data, settings, size or theme change, and an
 * overlay for the crosshair and drag selection, redrawn on pointer moves. The legend and
 * tooltip are HTML, so they are keyboard and screen-reader accessible.
 */
@Component({
  selector: 'ph-canvas-timeseries',
  template: `
    <div class="chart" [class.right]="options().legend === 'right'">
      <div
        #plot
        class="plot"
        role="img"
        data-testid="timeseries"
        [attr.aria-label]="summary()"
        (pointermove)="onPointerMove($event)"
        (pointerleave)="onPointerLeave()"
        (pointerdown)="onPointerDown($event)"
        (pointerup)="onPointerUp($event)"
      >
        <canvas #base aria-hidden="true"></canvas>
        <canvas #overlay class="overlay" aria-hidden="true"></canvas>
        @if (hover(); as h) {
          <div class="tooltip" role="tooltip" [style.left.px]="h.x" [style.top.px]="h.y">
            <div class="time">{{ h.time }}</div>
            @for (r of h.rows; track r.index) {
              <div class="row"><span class="swatch" [style.background]="r.color"></span><span class="name">{{ r.name }}</span><span class="value">{{ r.text }}</span></div>
            }
          </div>
        }
      </div>
      @if (options().legend !== 'hidden' && data().series.length > 0) {
        <ul class="legend" aria-label="Series (click to show only this one, Ctrl or ⌘-click to toggle)">
          @for (s of legend(); track s.name) {
            <li>
              <button type="button" [class.off]="s.hidden" [attr.aria-pressed]="!s.hidden" (click)="onLegendClick($event, s.name)">
                <span class="swatch" [style.background]="s.color"></span>{{ s.name }}
              </button>
            </li>
          }
        </ul>
      }
    </div>
  `,
  styles: `
    :host { display: block; width: 100%; height: 100%; min-height: 120px; }
    .chart { display: flex; flex-direction: column; width: 100%; height: 100%; }
    .chart.right { flex-direction: row; }
    .plot { position: relative; flex: 1 1 auto; min-height: 60px; min-width: 0; overflow: hidden; touch-action: none; }
    canvas { position: absolute; inset: 0; width: 100%; height: 100%; }
    .legend { list-style: none; margin: 0; padding: 2px 0 0; display: flex; flex-wrap: wrap; gap: 0 6px; max-height: 35%; overflow: auto; flex: 0 0 auto; }
    .chart.right .legend { flex-direction: column; flex-wrap: nowrap; max-height: none; max-width: 40%; padding: 0 0 0 6px; }
    .legend button { border: 0; background: none; min-height: 0; padding: 1px 4px; font-size: 12px; color: var(--fg); display: inline-flex; align-items: center; gap: 4px; white-space: nowrap; }
    .legend button.off { color: var(--fg-muted); text-decoration: line-through; }
    .swatch { display: inline-block; width: 12px; height: 3px; border-radius: 1px; flex: 0 0 auto; }
    .tooltip { position: absolute; z-index: 2; pointer-events: none; background: var(--bg-raised); color: var(--fg); border: 1px solid var(--border); border-radius: 4px; padding: 4px 6px; font-size: 12px; max-width: 360px; box-shadow: 0 2px 6px rgb(0 0 0 / 20%); }
    .tooltip .time { color: var(--fg-muted); margin-bottom: 2px; }
    .tooltip .row { display: flex; align-items: center; gap: 6px; }
    .tooltip .name { flex: 1 1 auto; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .tooltip .value { font-variant-numeric: tabular-nums; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class CanvasTimeseries implements OnDestroy {
  readonly data = input.required<PanelData>();
  readonly options = input.required<TimeseriesOptions>();
  readonly fieldConfig = input.required<FieldConfig>();
  readonly timezone = input<TimeZone>('local');
  /** Panel title, for the text alternative. */
  readonly title = input('');
  /** `performance.now()` once the frame showing new data has been painted. */
  readonly painted = output<number>();
  /** A time range dragged out on the plot (drag-to-zoom). */
  readonly rangeSelected = output<{ fromMs: number; toMs: number }>();

  protected readonly hover = signal<Hover | null>(null);
  private readonly hidden = signal<ReadonlySet<string>>(new Set());
  private readonly size = signal({ width: 0, height: 0 });
  private readonly themeVersion = signal(0);

  private readonly names = computed(() => this.data().series.map((s) => s.name));
  private readonly visible = computed(() => visibleFlags(this.names(), this.hidden()));
  private readonly format = computed(() => valueFormatter(this.fieldConfig().unit, this.fieldConfig().decimals));
  protected readonly legend = computed(() => {
    const hidden = this.hidden();
    return this.names().map((name, k) => ({ name, color: seriesColor(k), hidden: hidden.has(name) }));
  });
  /** Prepared (stacked, ranged) renderer state; recomputed only when what it depends on changes. */
  private readonly prepared = computed(() => {
    this.renderer.prepare(this.data(), this.options(), this.fieldConfig(), this.visible());
    return { range: this.renderer.drawnRange };
  });
  protected readonly summary = computed(() => {
    const data = this.data();
    const visible = this.visible();
    const { range } = this.prepared();
    return chartSummary({
      title: this.title(),
      seriesCount: data.series.length,
      visibleCount: visible.filter(Boolean).length,
      fromMs: data.grid.startMs,
      toMs: data.grid.endMs,
      zone: this.timezone(),
      min: range.min,
      max: range.max,
      format: this.format(),
    });
  });

  private readonly plot = viewChild.required<ElementRef<HTMLElement>>('plot');
  private readonly base = viewChild.required<ElementRef<HTMLCanvasElement>>('base');
  private readonly overlay = viewChild.required<ElementRef<HTMLCanvasElement>>('overlay');
  private readonly renderer = new TimeseriesRenderer();
  private resize: ResizeObserver | undefined;
  private themeWatch: MutationObserver | undefined;
  private frame = 0;
  /** New data is waiting to be shown: the next paint reports `painted`. */
  private dataPending = false;
  private dragFromX: number | null = null;
  private pointerX = NaN;
  private destroyed = false;

  constructor() {
    afterNextRender(() => {
      this.resize = new ResizeObserver((entries) => {
        const box = entries[0]?.contentRect;
        if (box) this.size.set({ width: Math.floor(box.width), height: Math.floor(box.height) });
      });
      this.resize.observe(this.plot().nativeElement);
      // The theme switch sets data-theme on <html>; canvas colours come from its CSS variables.
      this.themeWatch = new MutationObserver(() => this.themeVersion.update((v) => v + 1));
      this.themeWatch.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme', 'class'] });
    });
    effect(() => {
      this.data();
      untracked(() => (this.dataPending = true));
    });
    effect(() => {
      // Everything a full redraw depends on.
      this.prepared();
      this.size();
      this.timezone();
      this.themeVersion();
      untracked(() => this.schedule());
    });
  }

  ngOnDestroy(): void {
    this.destroyed = true;
    cancelAnimationFrame(this.frame);
    this.resize?.disconnect();
    this.themeWatch?.disconnect();
  }

  private schedule(): void {
    if (this.frame !== 0 || this.destroyed) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.drawNow();
    });
  }

  private drawNow(): void {
    const { width, height } = this.size();
    if (width <= 0 || height <= 0) return;
    this.prepared();
    const ratio = window.devicePixelRatio || 1;
    const canvas = this.base().nativeElement;
    const overlay = this.overlay().nativeElement;
    for (const c of [canvas, overlay]) {
      const w = Math.round(width * ratio);
      const h = Math.round(height * ratio);
      // Setting the size clears the canvas, so only when it changed.
      if (c.width !== w) c.width = w;
      if (c.height !== h) c.height = h;
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('this browser gives no 2D canvas context');
    this.renderer.draw(ctx, width, height, ratio, this.theme(), this.timezone());
    this.drawOverlay();
    if (this.dataPending) {
      this.dataPending = false;
      // This callback runs before the frame is painted; the next one runs after it.
      requestAnimationFrame(() => {
        if (!this.destroyed) this.painted.emit(performance.now());
      });
    }
  }

  private theme(): ChartTheme {
    const style = getComputedStyle(this.plot().nativeElement);
    const v = (name: string, fallback: string): string => style.getPropertyValue(name).trim() || fallback;
    return { text: v('--fg-muted', '#515a66'), grid: v('--border', '#c9ced6'), font: `11px ${style.fontFamily || 'sans-serif'}` };
  }

  /** Crosshair at the hovered step with a dot per series, and the drag selection. */
  private drawOverlay(): void {
    const canvas = this.overlay().nativeElement;
    const ctx = canvas.getContext('2d');
    const layout = this.renderer.layout;
    if (!ctx || !layout) return;
    const ratio = canvas.width / Math.max(1, this.size().width);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    const x = this.pointerX;
    if (Number.isNaN(x)) return;
    const style = getComputedStyle(this.plot().nativeElement);
    if (this.dragFromX !== null) {
      ctx.fillStyle = style.getPropertyValue('--accent').trim() || '#1d4ed8';
      ctx.globalAlpha = 0.15;
      ctx.fillRect(Math.min(this.dragFromX, x), layout.top, Math.abs(x - this.dragFromX), layout.height);
      ctx.globalAlpha = 1;
    }
    const data = this.data();
    if (data.grid.steps === 0) return;
    const i = nearestStep(data.grid, (x - layout.x.b) / layout.x.a);
    const cx = Math.round(layout.x.a * (data.grid.startMs + i * data.grid.stepMs) + layout.x.b) + 0.5;
    ctx.strokeStyle = style.getPropertyValue('--fg-muted').trim() || '#515a66';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(cx, layout.top);
    ctx.lineTo(cx, layout.top + layout.height);
    ctx.stroke();
    for (let k = 0; k < data.series.length; k++) {
      const y = this.renderer.pointY(k, i);
      if (Number.isNaN(y) || y < layout.top || y > layout.top + layout.height) continue;
      ctx.fillStyle = seriesColor(k);
      ctx.beginPath();
      ctx.arc(cx, y, 3, 0, 2 * Math.PI);
      ctx.fill();
    }
  }

  private localX(e: PointerEvent): number {
    return e.clientX - this.plot().nativeElement.getBoundingClientRect().left;
  }

  protected onPointerMove(e: PointerEvent): void {
    const layout = this.renderer.layout;
    const data = this.data();
    if (!layout || data.grid.steps === 0) return;
    const x = Math.min(Math.max(this.localX(e), layout.left), layout.left + layout.width);
    this.pointerX = x;
    const i = nearestStep(data.grid, (x - layout.x.b) / layout.x.a);
    const rows = tooltipRows(data.series, this.visible(), i, seriesColor, this.format());
    const shown = rows.length > MAX_TOOLTIP_ROWS ? rows.slice(0, MAX_TOOLTIP_ROWS) : rows;
    const more = rows.length - shown.length;
    const time = formatInstant(data.grid.startMs + i * data.grid.stepMs, this.timezone()) + (more > 0 ? ` (${more} more series)` : '');
    // Keep the tooltip inside the plot: to the left of the pointer on the right half.
    const { width } = this.size();
    const tx = x > width / 2 ? Math.max(0, x - 12 - Math.min(360, width / 2)) : x + 12;
    this.hover.set({ x: tx, y: layout.top + 4, time, rows: shown });
    this.drawOverlay();
  }

  protected onPointerLeave(): void {
    if (this.dragFromX !== null) return;
    this.pointerX = NaN;
    this.hover.set(null);
    this.drawOverlay();
  }

  protected onPointerDown(e: PointerEvent): void {
    if (e.button !== 0 || !this.renderer.layout) return;
    this.dragFromX = this.localX(e);
    this.plot().nativeElement.setPointerCapture(e.pointerId);
  }

  protected onPointerUp(e: PointerEvent): void {
    const from = this.dragFromX;
    const layout = this.renderer.layout;
    this.dragFromX = null;
    if (from === null || !layout) return;
    const to = Math.min(Math.max(this.localX(e), layout.left), layout.left + layout.width);
    if (Math.abs(to - from) >= MIN_DRAG_PX) {
      const t1 = (Math.min(from, to) - layout.x.b) / layout.x.a;
      const t2 = (Math.max(from, to) - layout.x.b) / layout.x.a;
      this.rangeSelected.emit({ fromMs: Math.round(t1), toMs: Math.round(t2) });
    }
    this.drawOverlay();
  }

  protected onLegendClick(e: MouseEvent, name: string): void {
    this.hidden.set(legendClick(this.hidden(), this.names(), name, e.ctrlKey || e.metaKey));
  }
}
