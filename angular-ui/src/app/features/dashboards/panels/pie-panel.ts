import { ChangeDetectionStrategy, Component, ElementRef, computed, inject, input, output } from '@angular/core';
import { LegendPosition, PieChartModule } from '@swimlane/ngx-charts';
import type { FieldConfig, PieOptions } from '@pharos/dashboard-model';
import { valueFormatter } from '../../../shared/units/units';
import { chartValues, describeChart } from './chart-values';
import type { PanelData } from './panel-data';
import { containerSize, emitWhenPainted } from './panel-lifecycle';
import { valueTiles } from './stat-model';

/**
 * Pie or donut of the series' reduced values (ngx-charts), with a legend beside a wide panel
 * and below a tall one, and slice labels only where there is room for them.
 */
@Component({
  selector: 'ph-pie-panel',
  imports: [PieChartModule],
  template: `
    <div class="box" data-testid="pie-panel" role="figure" [attr.aria-label]="summary()">
      @if (chart().values.length === 0) {
        <p class="empty">No data</p>
      } @else if (size.width() > 0 && size.height() > 0) {
        <ngx-charts-pie-chart
          [view]="[size.width(), chartHeight()]"
          [results]="chart().values"
          [customColors]="colorOf()"
          [doughnut]="options().donut"
          [legend]="true"
          legendTitle="Series"
          [legendPosition]="legendPosition()"
          [labels]="showLabels()"
          [labelFormatting]="labelOf()"
          [trimLabels]="true"
          [animations]="false"
        >
          <ng-template #tooltipTemplate let-model="model">
            <span class="tip">{{ model.name }}: {{ format()(model.value) }}</span>
          </ng-template>
        </ngx-charts-pie-chart>
      }
    </div>
  `,
  styles: `
    :host { display: block; flex: 1; min-height: 0; min-width: 0; overflow: hidden; }
    .box { width: 100%; height: 100%; min-height: 60px; }
    /* ngx-charts' own styles draw grid lines and text in fixed greys; follow the theme (more specific than theirs). */
    :host ::ng-deep .ngx-charts .gridline-path { stroke: var(--border); }
    :host ::ng-deep .ngx-charts text { fill: var(--fg-muted); }
    .empty { margin: auto; color: var(--fg-muted); text-align: center; padding: 12px 0; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class PiePanelView {
  readonly data = input.required<PanelData>();
  readonly options = input.required<PieOptions>();
  readonly fieldConfig = input.required<FieldConfig>();
  /** `performance.now()` once the frame showing new data has been painted. */
  readonly painted = output<number>();

  protected readonly size = containerSize(inject(ElementRef).nativeElement);
  protected readonly chart = computed(() => chartValues(valueTiles(this.data(), this.options().reducer, this.fieldConfig()), 'pie'));
  protected readonly summary = computed(() => describeChart(this.options().donut ? 'Donut chart' : 'Pie chart', this.chart().values, this.chart().omitted));
  protected readonly format = computed(() => valueFormatter(this.fieldConfig().unit, this.fieldConfig().decimals));
  // A side legend gets a fixed share of the width and truncates names; only a very wide panel has room for it.
  protected readonly legendPosition = computed(() => (this.size.width() >= Math.max(480, this.size.height() * 2.2) ? LegendPosition.Right : LegendPosition.Below));
  /**
   * ngx-charts puts a legend below outside the `view` it is given, so the chart is given the
   * panel's height less the legend's: a title line and rows of about 24 px, each entry about
   * 7 px per character of its name plus the swatch.
   */
  protected readonly chartHeight = computed(() => {
    const h = this.size.height();
    if (this.legendPosition() === LegendPosition.Right) return h;
    const w = Math.max(1, this.size.width());
    let rows = 1;
    let used = 0;
    for (const v of this.chart().values) {
      const entry = Math.min(w, v.name.length * 7 + 40);
      if (used + entry > w) {
        rows++;
        used = 0;
      }
      used += entry;
    }
    return Math.max(60, h - Math.min(h / 2, 30 + rows * 24));
  });
  // Outside labels need room around the pie; a small panel reads better with the legend alone.
  protected readonly showLabels = computed(() => Math.min(this.size.width(), this.chartHeight()) >= 260 && this.chart().values.length <= 12);
  protected readonly labelOf = computed(() => {
    const byName = new Map(this.chart().values.map((v) => [v.name, v.text]));
    return (name: string): string => `${name}: ${byName.get(name) ?? ''}`;
  });
  protected readonly colorOf = computed(() => {
    const byName = new Map(this.chart().values.map((v) => [v.name, v.color]));
    return (name: string): string => byName.get(name) ?? 'var(--accent)';
  });

  constructor() {
    emitWhenPainted(this.data, () => this.size.width() > 0, (at) => this.painted.emit(at));
  }
}
