import { ChangeDetectionStrategy, Component, ElementRef, computed, effect, inject, input, output } from '@angular/core';
import { DEFAULT_FIELD_CONFIG, DEFAULT_PANEL_OPTIONS } from '@pharos/dashboard-model';
import { CanvasTimeseries } from '../../../shared/chart/canvas-timeseries';
import type { TimeZone } from '../../../shared/time/time-range';
import type { PanelData } from '../../dashboards/panels/panel-data';
import { containerSize } from '../../dashboards/panels/panel-lifecycle';

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
    <div class="box" data-testid="graph" [attr.data-series]="data().series.length" [style.height.px]="data().series.length > 0 ? height() : null">
      @if (data().series.length > 0) {
        <ph-canvas-timeseries [data]="data()" [options]="options" [fieldConfig]="fieldConfig" [timezone]="zone()" title="Query result" (painted)="painted.emit($event)" />
      } @else {
        <p class="empty" data-testid="graph-empty">No data points in this range.</p>
      }
    </div>
  `,
  styles: `
    :host { display: block; }
    .box { width: 100%; min-height: 120px; }
    .empty { color: var(--fg-muted); padding: 24px 0; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ExploreGraph {
  readonly data = input.required<PanelData>();
  readonly zone = input.required<TimeZone>();
  readonly widthChange = output<number>();
  /** `performance.now()` once the frame showing new data has been painted. */
  readonly painted = output<number>();

  protected readonly options = DEFAULT_PANEL_OPTIONS.timeseries;
  protected readonly fieldConfig = DEFAULT_FIELD_CONFIG;
  protected readonly height = computed(() => HEIGHT + Math.min(240, Math.ceil(this.data().series.length / 4) * 22));
  constructor() {
    const { width } = containerSize(inject<ElementRef<HTMLElement>>(ElementRef).nativeElement);
    effect(() => {
      const w = width();
      if (w > 0) this.widthChange.emit(w);
    });
  }
}
