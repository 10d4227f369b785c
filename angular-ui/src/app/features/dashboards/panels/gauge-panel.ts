import { ChangeDetectionStrategy, Component, ElementRef, computed, inject, input, output } from '@angular/core';
import type { FieldConfig, GaugeOptions } from '@pharos/dashboard-model';
import { valueFormatter } from '../../../shared/units/units';
import { gaugeArcPath, gaugeFraction, gaugePoint, gaugeRange } from './gauge-geometry';
import type { PanelData } from './panel-data';
import { containerSize, emitWhenPainted } from './panel-lifecycle';
import { describeTiles, valueTiles } from './stat-model';
import { thresholdBands } from './thresholds';
import { tileGrid } from './tile-layout';

/** The drawing's own coordinates; the SVG scales to its tile. */
const W = 200;
const H = 164;
const CX = 100;
const CY = 100;
const BAND_R = 86;
const BAND_W = 5;
const ARC_R = 78;
const ARC_W = 16;

interface GaugeView {
  readonly key: string;
  readonly name: string;
  readonly text: string;
  readonly label: string;
  readonly valuePath: string;
  readonly color: string;
  readonly fontSize: number;
}

/**
 * Gauge: each series' reduced value on a 240° arc from the field config's min to max (0–100
 * for percent, else 0 to the largest value), the arc filled in the value's threshold colour and
 * ringed by the threshold bands. Drawn as SVG in fixed coordinates that scale with the tile;
 * several series tile the panel.
 */
@Component({
  selector: 'ph-gauge-panel',
  template: `
    <div class="box" data-testid="gauge-panel">
      @if (gauges().length === 0) {
        <p class="empty">No data</p>
      } @else {
        <div class="grid" [style.grid-template-columns]="'repeat(' + grid().cols + ', minmax(0, 1fr))'" [style.grid-template-rows]="'repeat(' + grid().rows + ', minmax(0, 1fr))'">
          @for (g of gauges(); track g.key) {
            <div class="tile" role="img" [attr.aria-label]="g.label" data-testid="gauge">
              <svg [attr.viewBox]="viewBox" preserveAspectRatio="xMidYMid meet" aria-hidden="true" focusable="false">
                @for (b of bands(); track $index) {
                  <path [attr.d]="b.path" [attr.fill]="b.color" />
                }
                <path class="track" [attr.d]="trackPath" />
                @if (g.valuePath) {
                  <path [attr.d]="g.valuePath" [attr.fill]="g.color" />
                }
                <text class="value" [attr.x]="cx" [attr.y]="cy + 8" text-anchor="middle" [attr.font-size]="g.fontSize">{{ g.text }}</text>
                <text class="limit" [attr.x]="minAt.x" [attr.y]="minAt.y + 22" text-anchor="middle">{{ limits().min }}</text>
                <text class="limit" [attr.x]="maxAt.x" [attr.y]="maxAt.y + 22" text-anchor="middle">{{ limits().max }}</text>
              </svg>
              @if (gauges().length > 1) {
                <span class="name" [title]="g.name">{{ g.name }}</span>
              }
            </div>
          }
        </div>
      }
    </div>
  `,
  styles: `
    :host { display: block; flex: 1; min-height: 0; min-width: 0; }
    .box { width: 100%; height: 100%; min-height: 60px; }
    .grid { display: grid; gap: 6px; width: 100%; height: 100%; }
    .tile { display: flex; flex-direction: column; align-items: center; justify-content: center; min-width: 0; min-height: 0; overflow: hidden; }
    svg { flex: 1; min-height: 0; width: 100%; }
    .track { fill: var(--border); }
    .value { fill: var(--fg); font-weight: 700; }
    .limit { fill: var(--fg-muted); font-size: 15px; }
    .name { font-size: 12px; max-width: 100%; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .empty { margin: auto; color: var(--fg-muted); text-align: center; padding: 12px 0; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class GaugePanelView {
  readonly data = input.required<PanelData>();
  readonly options = input.required<GaugeOptions>();
  readonly fieldConfig = input.required<FieldConfig>();
  /** `performance.now()` once the frame showing new data has been painted. */
  readonly painted = output<number>();

  protected readonly viewBox = `0 0 ${W} ${H}`;
  protected readonly cx = CX;
  protected readonly cy = CY;
  protected readonly trackPath = gaugeArcPath(CX, CY, ARC_R, ARC_W, 0, 1);
  protected readonly minAt = gaugePoint(CX, CY, ARC_R - ARC_W / 2, 0);
  protected readonly maxAt = gaugePoint(CX, CY, ARC_R - ARC_W / 2, 1);

  private readonly host: HTMLElement = inject(ElementRef).nativeElement;
  private readonly size = containerSize(this.host);
  private readonly values = computed(() => valueTiles(this.data(), this.options().reducer, this.fieldConfig()));
  private readonly range = computed(() => gaugeRange(this.fieldConfig(), this.values().map((t) => t.value)));
  protected readonly grid = computed(() => tileGrid(this.values().length, this.size.width(), this.size.height(), W / H));

  protected readonly limits = computed(() => {
    const fc = this.fieldConfig();
    const format = valueFormatter(fc.unit, fc.decimals);
    return { min: format(this.range().min), max: format(this.range().max) };
  });

  protected readonly bands = computed(() => {
    const { min, max } = this.range();
    const span = max - min;
    // Without thresholds there is nothing to ring the arc with.
    if (this.fieldConfig().thresholds.length === 0) return [];
    return thresholdBands(min, max, this.fieldConfig().thresholds, 'var(--border)').map((b) => ({
      path: gaugeArcPath(CX, CY, BAND_R, BAND_W, (b.from - min) / span, (b.to - min) / span),
      color: b.color,
    }));
  });

  protected readonly gauges = computed<GaugeView[]>(() => {
    const { min, max } = this.range();
    const { min: minText, max: maxText } = this.limits();
    return this.values().map((t) => ({
      key: t.key,
      name: t.name,
      text: t.text,
      label: `${describeTiles('Gauge', [t])} on a scale from ${minText} to ${maxText}`,
      valuePath: Number.isNaN(t.value) ? '' : gaugeArcPath(CX, CY, ARC_R, ARC_W, 0, gaugeFraction(t.value, min, max)),
      color: t.color ?? 'var(--accent)',
      // The value must fit inside the arc's opening (about 120 units wide).
      fontSize: Math.max(12, Math.min(34, Math.floor(120 / (t.text.length * 0.6)))),
    }));
  });

  constructor() {
    emitWhenPainted(this.data, () => this.size.width() > 0, (at) => this.painted.emit(at));
  }
}
