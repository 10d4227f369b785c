import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import type { InstantResult } from '../api/metric-queries';
import { seriesSelector } from '../series/legend-format';

interface Row {
  readonly series: string;
  readonly value: string;
}

/**
 * The instant-query table: one row per series with the value exactly as the API sent it, so
 * nothing is lost to float formatting.
 */
@Component({
  selector: 'ph-table-view',
  template: `
    @if (rows().length === 0) {
      <p class="empty" data-testid="table-empty">Empty result.</p>
    } @else {
      <table data-testid="result-table">
        <caption class="visually-hidden">Instant query result, {{ rows().length }} rows</caption>
        <thead><tr><th scope="col">Series</th><th scope="col" class="num">Value</th></tr></thead>
        <tbody>
          @for (r of rows(); track $index) {
            <tr><td class="series">{{ r.series }}</td><td class="num">{{ r.value }}</td></tr>
          }
        </tbody>
      </table>
    }
  `,
  styles: `
    table { border-collapse: collapse; width: 100%; font-family: var(--font-mono); font-size: 13px; }
    th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--border); vertical-align: top; }
    th { color: var(--fg-muted); font-weight: 600; font-family: var(--font-ui); }
    .num { text-align: right; white-space: nowrap; }
    .series { word-break: break-all; }
    .empty { color: var(--fg-muted); }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class TableView {
  readonly result = input.required<InstantResult>();

  protected readonly rows = computed<Row[]>(() => {
    const r = this.result();
    switch (r.resultType) {
      case 'scalar':
      case 'string':
        return [{ series: r.resultType, value: r.result[1] }];
      case 'vector':
        return r.result.map((s) => ({
          series: seriesSelector(s.metric),
          value: s.value ? s.value[1] : JSON.stringify(s.histogram?.[1]),
        }));
      case 'matrix':
        return r.result.map((s) => ({
          series: seriesSelector(s.metric),
          value: (s.values ?? []).map(([t, v]) => `${v} @${t}`).join('\n'),
        }));
    }
  });
}
