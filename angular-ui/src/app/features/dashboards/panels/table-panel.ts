import { ChangeDetectionStrategy, Component, ElementRef, computed, inject, input, output, signal } from '@angular/core';
import type { FieldConfig, TableOptions } from '@pharos/dashboard-model';
import type { PanelData } from './panel-data';
import { containerSize, emitWhenPainted } from './panel-lifecycle';
import { buildTable, nextSort, sortTable, type TableSort } from './table-rows';

/** Rows put in the DOM at most; past this a table is for export, not for reading on a dashboard. */
const MAX_ROWS = 1000;

/**
 * Table: one row per series, label columns and the value in the panel's unit. A semantic
 * table: column headers are `<th scope="col">` holding buttons that sort (ascending,
 * descending, back to the result's order), with `aria-sort` on the sorted column.
 */
@Component({
  selector: 'ph-table-panel',
  template: `
    <div class="scroll" data-testid="table-panel">
      @if (table().rows.length === 0) {
        <p class="empty">No data</p>
      } @else {
        <table>
          <caption class="visually-hidden">{{ table().rows.length }} series{{ sortCaption() }}</caption>
          <thead>
            <tr>
              @for (c of table().columns; track $index) {
                <th scope="col" [class.num]="c.numeric" [attr.aria-sort]="ariaSort($index)">
                  <button type="button" (click)="sortBy($index)">
                    {{ c.title }}<span class="arrow" aria-hidden="true">{{ arrow($index) }}</span>
                  </button>
                </th>
              }
            </tr>
          </thead>
          <tbody>
            @for (r of shown(); track r.key) {
              <tr>
                @for (cell of r.cells; track $index) {
                  <td [class.num]="table().columns[$index]!.numeric">{{ cell }}</td>
                }
              </tr>
            }
          </tbody>
        </table>
        @if (rows().length > shown().length) {
          <p class="more">Showing {{ shown().length }} of {{ rows().length }} rows; sort to bring others to the top.</p>
        }
      }
    </div>
  `,
  styles: `
    :host { display: block; flex: 1; min-height: 0; min-width: 0; }
    .scroll { width: 100%; height: 100%; overflow: auto; }
    table { border-collapse: collapse; width: 100%; font-size: 13px; }
    th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--border); white-space: nowrap; }
    td { font-family: var(--font-mono); }
    th { position: sticky; top: 0; background: var(--bg-raised); padding: 0; z-index: 1; }
    th button { all: unset; box-sizing: border-box; display: block; width: 100%; padding: 5px 8px; cursor: pointer; font-weight: 600; color: var(--fg); }
    th button:focus-visible { outline: 2px solid var(--focus); outline-offset: -2px; }
    th.num button, .num { text-align: right; }
    .arrow { display: inline-block; width: 1em; color: var(--fg-muted); }
    tbody tr:hover { background: var(--bg-raised); }
    .empty, .more { color: var(--fg-muted); margin: 8px 0; text-align: center; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class TablePanelView {
  readonly data = input.required<PanelData>();
  readonly options = input.required<TableOptions>();
  readonly fieldConfig = input.required<FieldConfig>();
  /** `performance.now()` once the frame showing new data has been painted. */
  readonly painted = output<number>();

  private readonly size = containerSize(inject(ElementRef).nativeElement);
  protected readonly sort = signal<TableSort | null>(null);
  protected readonly table = computed(() => buildTable(this.data(), this.options(), this.fieldConfig()));
  protected readonly rows = computed(() => {
    const t = this.table();
    const s = this.sort();
    // A sort on a column that no longer exists (the columns option changed) falls back to none.
    return sortTable(t, s !== null && s.column < t.columns.length ? s : null);
  });
  protected readonly shown = computed(() => this.rows().slice(0, MAX_ROWS));
  protected readonly sortCaption = computed(() => {
    const s = this.sort();
    const c = s === null ? undefined : this.table().columns[s.column];
    return c === undefined ? '' : `, sorted by ${c.title} ${s!.direction}`;
  });

  constructor() {
    emitWhenPainted(this.data, () => this.size.width() > 0, (at) => this.painted.emit(at));
  }

  protected sortBy(column: number): void {
    this.sort.update((s) => nextSort(s, column));
  }

  protected ariaSort(column: number): 'ascending' | 'descending' | null {
    const s = this.sort();
    return s !== null && s.column === column ? s.direction : null;
  }

  protected arrow(column: number): string {
    const dir = this.ariaSort(column);
    return dir === 'ascending' ? '▲' : dir === 'descending' ? '▼' : '';
  }
}
