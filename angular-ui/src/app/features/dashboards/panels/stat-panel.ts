import { ChangeDetectionStrategy, Component, ElementRef, computed, inject, input, output } from '@angular/core';
import type { FieldConfig, StatOptions } from '@pharos/dashboard-model';
import { ThemeSwitch } from '../../../core/theme';
import { readableTextOn, withContrast } from './color-contrast';
import type { PanelData } from './panel-data';
import { containerSize, emitWhenPainted, resolveCssColor, surfaceColor } from './panel-lifecycle';
import { finiteExtent, sparklinePaths, type SparklinePaths } from './sparkline';
import { describeTiles, valueTiles } from './stat-model';
import { tileGrid } from './tile-layout';

interface StatTileView {
  readonly key: string;
  readonly name: string;
  readonly text: string;
  /** Value text colour. */
  readonly fg: string;
  /** Series name colour: the theme's text, or the value's on a coloured background. */
  readonly nameFg: string;
  readonly bg: string;
  readonly spark: SparklinePaths | null;
}

/** Bold text from this size on is "large" in WCAG terms and needs 3:1 contrast instead of 4.5:1. */
const LARGE_BOLD_PX = 18.67;

/**
 * Stat: each series' reduced value large, in the panel's unit, coloured by thresholds (the text
 * or the tile background, per `colorMode`), with an optional sparkline of its values drawn as
 * one SVG path. Several series tile the panel, wrapping as room allows.
 */
@Component({
  selector: 'ph-stat-panel',
  template: `
    <div class="box" data-testid="stat-panel" role="group" [attr.aria-label]="summary()">
      @if (tiles().length === 0) {
        <p class="empty">No data</p>
      } @else {
        <div class="grid" [style.grid-template-columns]="'repeat(' + grid().cols + ', minmax(0, 1fr))'" [style.grid-template-rows]="'repeat(' + grid().rows + ', minmax(0, 1fr))'">
          @for (t of tiles(); track t.key) {
            <div class="tile" [style.background]="t.bg" data-testid="stat">
              <!-- The text sits above the sparkline's top part, so neither hides the other. -->
              <div class="texts" [style.padding-bottom.px]="t.spark ? sparkHeight() * 0.6 : 0">
                @if (tiles().length > 1) {
                  <span class="name" [style.color]="t.nameFg" [title]="t.name">{{ t.name }}</span>
                }
                <span class="value" [style.color]="t.fg" [style.font-size.px]="fontPx()">{{ t.text }}</span>
              </div>
              @if (t.spark) {
                <svg class="spark" aria-hidden="true" focusable="false" [attr.viewBox]="'0 0 ' + tileWidth() + ' ' + sparkHeight()" preserveAspectRatio="none">
                  <path class="area" [attr.d]="t.spark.area" [attr.fill]="t.fg" />
                  <path class="line" [attr.d]="t.spark.line" [attr.stroke]="t.fg" />
                </svg>
              }
            </div>
          }
        </div>
      }
    </div>
  `,
  styles: `
    :host { display: block; flex: 1; min-height: 0; min-width: 0; }
    .box { width: 100%; height: 100%; min-height: 40px; }
    .grid { display: grid; gap: 6px; width: 100%; height: 100%; }
    .tile { position: relative; display: flex; flex-direction: column; align-items: center; justify-content: center; overflow: hidden; border-radius: 4px; min-width: 0; }
    .texts { position: relative; z-index: 1; display: flex; flex-direction: column; align-items: center; max-width: 100%; }
    .value { font-weight: 700; line-height: 1.1; white-space: nowrap; }
    .name { font-size: 12px; max-width: 100%; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; padding: 0 6px; }
    .spark { position: absolute; left: 0; right: 0; bottom: 0; width: 100%; height: 40%; }
    .spark .area { opacity: 0.15; }
    .spark .line { fill: none; stroke-width: 1.5; vector-effect: non-scaling-stroke; }
    .empty { margin: auto; color: var(--fg-muted); text-align: center; padding: 12px 0; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class StatPanelView {
  readonly data = input.required<PanelData>();
  readonly options = input.required<StatOptions>();
  readonly fieldConfig = input.required<FieldConfig>();
  /** `performance.now()` once the frame showing new data has been painted. */
  readonly painted = output<number>();

  private readonly host: HTMLElement = inject(ElementRef).nativeElement;
  private readonly size = containerSize(this.host);
  private readonly theme = inject(ThemeSwitch).theme;

  private readonly values = computed(() => valueTiles(this.data(), this.options().reducer, this.fieldConfig()));
  protected readonly summary = computed(() => describeTiles('Stat', this.values()));
  protected readonly grid = computed(() => tileGrid(this.values().length, this.size.width(), this.size.height(), 2));
  protected readonly tileWidth = computed(() => Math.max(1, Math.floor(this.size.width() / this.grid().cols)));
  private readonly tileHeight = computed(() => Math.max(1, Math.floor(this.size.height() / this.grid().rows)));
  protected readonly sparkHeight = computed(() => Math.max(1, Math.round(this.tileHeight() * 0.4)));

  /** One size for all tiles, so values compare at a glance: fits the longest text in a tile. */
  protected readonly fontPx = computed(() => {
    const longest = this.values().reduce((m, t) => Math.max(m, t.text.length), 1);
    const byWidth = (this.tileWidth() * 0.9) / (longest * 0.62);
    const byHeight = this.tileHeight() * (this.values().length > 1 ? 0.4 : 0.5);
    return Math.round(Math.max(12, Math.min(96, byWidth, byHeight)));
  });

  protected readonly tiles = computed<StatTileView[]>(() => {
    this.theme(); // colours are resolved against the theme's variables
    const { colorMode, sparkline } = this.options();
    const fc = this.fieldConfig();
    const el = this.host;
    const surface = resolveCssColor(surfaceColor(el), el);
    const minRatio = this.fontPx() >= LARGE_BOLD_PX ? 3 : 4.5;
    const w = this.tileWidth();
    const h = this.sparkHeight();
    return this.values().map((t) => {
      let fg = 'var(--fg)';
      let nameFg = 'var(--fg)';
      let bg = 'transparent';
      if (t.color !== null && colorMode === 'value') {
        fg = withContrast(resolveCssColor(t.color, el), surface, minRatio);
      } else if (t.color !== null && colorMode === 'background') {
        bg = resolveCssColor(t.color, el);
        fg = readableTextOn(bg);
        nameFg = fg;
      } else if (colorMode === 'background') {
        bg = 'var(--bg-raised)';
      }
      let spark: SparklinePaths | null = null;
      if (sparkline && t.values.length > 1 && this.size.width() > 0) {
        const [lo, hi] = finiteExtent(t.values);
        if (!Number.isNaN(lo)) spark = sparklinePaths(t.values, w, h, fc.min ?? lo, fc.max ?? hi);
      }
      return { key: t.key, name: t.name, text: t.text, fg, nameFg, bg, spark };
    });
  });

  constructor() {
    emitWhenPainted(this.data, () => this.size.width() > 0, (at) => this.painted.emit(at));
  }
}
