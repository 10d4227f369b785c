import { ChangeDetectionStrategy, Component, computed, effect, input, output } from '@angular/core';
import type { Panel } from '@pharos/dashboard-model';
import { CanvasTimeseries } from '../../../shared/chart/canvas-timeseries';
import type { PanelData } from '../panels/panel-data';
import { BarPanelView } from '../panels/bar-panel';
import { GaugePanelView } from '../panels/gauge-panel';
import { HeatmapPanelView } from '../panels/heatmap-panel';
import { PiePanelView } from '../panels/pie-panel';
import { StatPanelView } from '../panels/stat-panel';
import { TablePanelView } from '../panels/table-panel';
import { TextPanelView } from '../panels/text-panel';
import type { PanelResult } from '../state/panel-requests';

const NO_DATA: PanelData = { grid: { startMs: 0, endMs: 0, stepMs: 1000, steps: 0 }, series: [] };

/** Picks the renderer for a panel's type and hands it the panel's settings and data. */
@Component({
  selector: 'ph-panel-view',
  imports: [CanvasTimeseries, StatPanelView, GaugePanelView, BarPanelView, PiePanelView, HeatmapPanelView, TablePanelView, TextPanelView],
  template: `
    @let p = panel();
    @if (p.type !== 'text' && !result()) {
      <p class="message" aria-live="polite">Loading…</p>
    } @else if (p.type !== 'text' && data().series.length === 0 && result()!.errors.length > 0) {
      <p class="message error">{{ result()!.errors[0] }}</p>
    } @else if (p.type !== 'text' && data().series.length === 0) {
      <p class="message" data-testid="panel-no-data">No data</p>
    } @else {
      @switch (p.type) {
        @case ('timeseries') {
          <ph-canvas-timeseries [data]="data()" [options]="$any(p.options)" [fieldConfig]="p.fieldConfig" [timezone]="timezone()" [title]="p.title" (painted)="painted.emit($event)" (rangeSelected)="rangeSelected.emit($event)" />
        }
        @case ('stat') { <ph-stat-panel [data]="data()" [options]="$any(p.options)" [fieldConfig]="p.fieldConfig" (painted)="painted.emit($event)" /> }
        @case ('gauge') { <ph-gauge-panel [data]="data()" [options]="$any(p.options)" [fieldConfig]="p.fieldConfig" (painted)="painted.emit($event)" /> }
        @case ('bar') { <ph-bar-panel [data]="data()" [options]="$any(p.options)" [fieldConfig]="p.fieldConfig" (painted)="painted.emit($event)" /> }
        @case ('pie') { <ph-pie-panel [data]="data()" [options]="$any(p.options)" [fieldConfig]="p.fieldConfig" (painted)="painted.emit($event)" /> }
        @case ('heatmap') { <ph-heatmap-panel [data]="data()" [options]="$any(p.options)" [fieldConfig]="p.fieldConfig" [timezone]="timezone()" (painted)="painted.emit($event)" /> }
        @case ('table') { <ph-table-panel [data]="data()" [options]="$any(p.options)" [fieldConfig]="p.fieldConfig" (painted)="painted.emit($event)" /> }
        @case ('text') { <ph-text-panel [options]="$any(p.options)" (painted)="painted.emit($event)" /> }
      }
    }
  `,
  styles: `
    :host { display: flex; flex-direction: column; flex: 1; min-height: 0; }
    :host > * { flex: 1; min-height: 0; }
    .message { margin: auto; color: var(--fg-muted); font-size: 13px; flex: 0; text-align: center; }
    .message.error { color: var(--danger); }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class PanelView {
  readonly panel = input.required<Panel>();
  readonly result = input<PanelResult | undefined>(undefined);
  readonly timezone = input<'local' | 'utc'>('local');
  readonly painted = output<number>();
  readonly rangeSelected = output<{ fromMs: number; toMs: number }>();

  protected readonly data = computed(() => this.result()?.data ?? NO_DATA);

  constructor() {
    // A panel answered with no series (or only an error) shows a message instead of a
    // renderer; it counts as painted once that message is on screen.
    effect(() => {
      const r = this.result();
      if (r && r.data.series.length === 0 && this.panel().type !== 'text') {
        requestAnimationFrame(() => requestAnimationFrame(() => this.painted.emit(performance.now())));
      }
    });
  }
}
