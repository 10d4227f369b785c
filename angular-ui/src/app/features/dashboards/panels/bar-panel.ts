import { ChangeDetectionStrategy, Component, ElementRef, computed, inject, input, output } from '@angular/core';
import { BarChartModule } from '@swimlane/ngx-charts';
import type { BarOptions, FieldConfig } from '@pharos/dashboard-model';
import { valueFormatter } from '../../../shared/units/units';
import { chartValues, describeChart } from './chart-values';
import type { PanelData } from './panel-data';
import { containerSize, emitWhenPainted } from './panel-lifecycle';
import { valueTiles } from './stat-model';

/**
 * Bar: one bar per series of its reduced value (ngx-charts), horizontal or vertical, in the
 * panel's unit on the value axis and the bar labels, coloured by thresholds when the panel has
 * them and by series otherwise.
 */
@Component({
  selector: 'ph-bar-panel',
  imports: [BarChartModule],
  template: `
    <div class="box" data-testid="bar-panel" role="figure" [attr.aria-label]="summary()">
      @if (chart().values.length === 0) {
        <p class="empty">No data</p>
      } @else if (size.width() > 0 && size.height() > 0) {
        @if (options().orientation === 'horizontal') {
          <ngx-charts-bar-horizontal
            [view]="[size.width(), size.height()]"
            [results]="chart().values"
            [customColors]="colorOf()"
            [xAxis]="true"
            [yAxis]="true"
            [showGridLines]="true"
            [showDataLabel]="true"
            [dataLabelFormatting]="format()"
            [xAxisTickFormatting]="format()"
            [trimYAxisTicks]="true"
            [maxYAxisTickLength]="24"
            [roundDomains]="true"
            [animations]="false"
          >
            <ng-template #tooltipTemplate let-model="model">
              <span class="tip">{{ model.name }}: {{ format()(model.value) }}</span>
            </ng-template>
          </ngx-charts-bar-horizontal>
        } @else {
          <ngx-charts-bar-vertical
            [view]="[size.width(), size.height()]"
            [results]="chart().values"
            [customColors]="colorOf()"
            [xAxis]="true"
            [yAxis]="true"
            [showGridLines]="true"
            [showDataLabel]="true"
            [dataLabelFormatting]="format()"
            [yAxisTickFormatting]="format()"
            [trimXAxisTicks]="true"
            [maxXAxisTickLength]="16"
            [roundDomains]="true"
            [animations]="false"
          >
            <ng-template #tooltipTemplate let-model="model">
              <span class="tip">{{ model.name }}: {{ format()(model.value) }}</span>
            </ng-template>
          </ngx-charts-bar-vertical>
        }
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
export class BarPanelView {
  readonly data = input.required<PanelData>();
  readonly options = input.required<BarOptions>();
  readonly fieldConfig = input.required<FieldConfig>();
  /** `performance.now()` once the frame showing new data has been painted. */
  readonly painted = output<number>();

  protected readonly size = containerSize(inject(ElementRef).nativeElement);
  protected readonly chart = computed(() => chartValues(valueTiles(this.data(), this.options().reducer, this.fieldConfig()), 'bar'));
  protected readonly summary = computed(() => describeChart('Bar chart', this.chart().values, this.chart().omitted));
  protected readonly format = computed(() => valueFormatter(this.fieldConfig().unit, this.fieldConfig().decimals));
  protected readonly colorOf = computed(() => {
    const byName = new Map(this.chart().values.map((v) => [v.name, v.color]));
    return (name: string): string => byName.get(name) ?? 'var(--accent)';
  });

  constructor() {
    emitWhenPainted(this.data, () => this.size.width() > 0, (at) => this.painted.emit(at));
  }
}
