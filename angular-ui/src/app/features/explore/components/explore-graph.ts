import { ChangeDetectionStrategy, Component, type ElementRef, type OnDestroy, afterNextRender, computed, input, output, signal, viewChild } from '@angular/core';
import { DEFAULT_FIELD_CONFIG, DEFAULT_PANEL_OPTIONS } from '@pharos/dashboard-model';
import { CanvasTimeseries } from '../../../shared/chart/canvas-timeseries';
import type { TimeZone } from '../../../shared/time/time-range';
import type { PanelData } from '../../dashboards/panels/panel-data';

const HEIGHT = 360;

/**
 * Explore's graph: the dashboards' canvas renderer (one draw call per pixel column, not an SVG
 * object per point) at a height that grows with the legend. Reports its width, from which the
 * page derives the automatic step.
 */
@Component({
  selector: 'ph-explore-graph',
  imports: [CanvasTimeseries],
  template: `
    <div #box class="box" data-testid="graph" [attr.data-series]="data().series.length" [style.height.px]="data().series.length > 0 ? height() : null">
      @if (data().series.length > 0) {
        <ph-canvas-timeseries [data]="data()" [options]="options" [fieldConfig]="fieldConfig" [timezone]="zone()" title="Query result" (painted)="painted.emit($event)" />
      } @else {
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
export class ExploreGraph implements OnDestroy {
  readonly data = input.required<PanelData>();
  readonly zone = input.required<TimeZone>();
  readonly widthChange = output<number>();
  /** `performance.now()` once the frame showing new data has been painted. */
  readonly painted = output<number>();

  protected readonly options = DEFAULT_PANEL_OPTIONS.timeseries;
  protected readonly fieldConfig = DEFAULT_FIELD_CONFIG;
  protected readonly height = computed(() => HEIGHT + Math.min(240, Math.ceil(this.data().series.length / 4) * 22));
  private readonly box = viewChild.required<ElementRef<HTMLElement>>('box');
  private observer: ResizeObserver | undefined;
  private width = signal(0);

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
  }

  ngOnDestroy(): void {
    this.observer?.disconnect();
  }
}
