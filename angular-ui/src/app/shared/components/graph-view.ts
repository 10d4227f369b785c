import { ChangeDetectionStrategy, Component, type ElementRef, Injector, type OnDestroy, afterNextRender, computed, effect, inject, input, output, signal, viewChild } from '@angular/core';
import { LegendPosition, LineChartModule, ScaleType, type Color } from '@swimlane/ngx-charts';
import type { ChartSeries } from '../series/chart-series';
import { formatInstant, type TimeZone } from '../time/time-range';

/** Twenty distinguishable hues that keep 3:1 contrast on both the light and the dark background. */
const PALETTE: Color = {
  name: 'pharos',
  selectable: false,
  group: ScaleType.Ordinal,
  domain: [
    '#1f77b4', '#e6550d', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf',
    '#3182bd', '#fd8d3c', '#31a354', '#ff6b6b', '#756bb1', '#a0522d', '#c51b8a', '#636363', '#8c8c00', '#0e9aa7',
  ],
};

const HEIGHT = 360;

/**
 * The range-query graph: one line per series (ngx-charts), legend below. Reports its width so
 * the page can derive the step, and the time from receiving data to the frame after it drew.
 */
@Component({
  selector: 'ph-graph-view',
  imports: [LineChartModule],
  template: `
    <div #box class="box" data-testid="graph" [attr.data-series]="series().length" role="figure" [attr.aria-label]="'Graph of ' + series().length + ' series'">
      @if (width() > 0 && series().length > 0) {
        <ngx-charts-line-chart
          [view]="[width(), height()]"
          [results]="series()"
          [scheme]="palette"
          [legend]="true"
          [legendPosition]="legendBelow"
          legendTitle="Series"
          [xAxis]="true"
          [yAxis]="true"
          [animations]="false"
          [autoScale]="true"
          [roundDomains]="false"
          [xAxisTickFormatting]="tickFormat()"
        />
      } @else if (series().length === 0) {
        <p class="empty" data-testid="graph-empty">No data points in this range.</p>
      }
    </div>
  `,
  styles: `
    .box { width: 100%; min-height: 120px; }
    .empty { color: var(--fg-muted); padding: 24px 0; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class GraphView implements OnDestroy {
  readonly series = input.required<ChartSeries[]>();
  readonly zone = input.required<TimeZone>();
  readonly widthChange = output<number>();
  /** `performance.now()` once the frame showing new data has been painted. */
  readonly painted = output<number>();

  protected readonly palette = PALETTE;
  protected readonly legendBelow = LegendPosition.Below;
  protected readonly width = signal(0);
  protected readonly height = computed(() => HEIGHT + Math.min(240, Math.ceil(this.series().length / 4) * 22));
  protected readonly tickFormat = computed(() => {
    const zone = this.zone();
    return (d: Date): string => formatInstant(d.getTime(), zone).slice(5, 16);
  });

  private readonly box = viewChild.required<ElementRef<HTMLElement>>('box');
  private readonly injector = inject(Injector);
  private observer: ResizeObserver | undefined;

  constructor() {
    afterNextRender(() => {
      this.observer = new ResizeObserver((entries) => {
        const w = Math.floor(entries[0]?.contentRect.width ?? 0);
        if (w > 0 && w !== this.width()) {
          this.width.set(w);
          this.widthChange.emit(w);
        }
      });
      this.observer.observe(this.box().nativeElement);
    });
    effect(() => {
      this.series();
      // rAF callbacks run before the frame's layout and paint; the second one runs once the
      // frame holding the new lines has been painted.
      afterNextRender(() => requestAnimationFrame(() => requestAnimationFrame(() => this.painted.emit(performance.now()))), {
        injector: this.injector,
      });
    });
  }

  ngOnDestroy(): void {
    this.observer?.disconnect();
  }
}
