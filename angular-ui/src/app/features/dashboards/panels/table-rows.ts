import type { FieldConfig, TableOptions } from '@pharos/dashboard-model';
import { valueFormatter } from '../../../shared/units/units';
import type { PanelData } from './panel-data';
import { reduceSeries } from './reduce';

export interface TableColumn {
  /** Header text: the label name, "Series", "Query" or "Value". */
  readonly title: string;
  /** Values sort as numbers (and are right-aligned) rather than as text. */
  readonly numeric: boolean;
}

export interface TableRow {
  /** Identity for rendering: the series' position in the panel data. */
  readonly key: string;
  /** Display text per column. */
  readonly cells: readonly string[];
  /** The series' value (NaN = none), what the value column sorts by. */
  readonly value: number;
}

export interface PanelTable {
  readonly columns: readonly TableColumn[];
  /** Index of the value column in `columns` (the last). */
  readonly valueColumn: number;
  readonly rows: readonly TableRow[];
}

/**
 * One row per series: its labels as columns, then its value in the panel's unit. An instant
 * result has one step; a range result shows the last point, as Grafana's "last *" reducer.
 * Label columns are `options.columns` in that order, or every label present, sorted, with
 * `__name__` first; a result whose series have no labels at all (`sum(x)`) gets one "Series"
 * column with the legend name instead. With several targets a "Query" column tells them apart.
 */
export function buildTable(data: PanelData, options: TableOptions, fieldConfig: FieldConfig): PanelTable {
  const format = valueFormatter(fieldConfig.unit, fieldConfig.decimals);
  const labelNames = options.columns.length > 0 ? [...options.columns] : allLabelNames(data);
  const byName = labelNames.length === 0;
  const byQuery = new Set(data.series.map((s) => s.refId)).size > 1;
  const columns: TableColumn[] = [
    ...(byQuery ? [{ title: 'Query', numeric: false }] : []),
    ...(byName ? [{ title: 'Series', numeric: false }] : labelNames.map((title) => ({ title, numeric: false }))),
    { title: 'Value', numeric: true },
  ];
  const rows = data.series.map((s, i) => {
    const value = reduceSeries(s.values, 'last');
    const cells: string[] = [];
    if (byQuery) cells.push(s.refId);
    if (byName) cells.push(s.name);
    else for (const n of labelNames) cells.push(s.labels[n] ?? '');
    cells.push(Number.isNaN(value) ? '' : format(value));
    return { key: String(i), cells, value };
  });
  return { columns, valueColumn: columns.length - 1, rows };
}

function allLabelNames(data: PanelData): string[] {
  const names = new Set<string>();
  for (const s of data.series) for (const k of Object.keys(s.labels)) names.add(k);
  names.delete('__name__');
  const sorted = [...names].sort();
  return data.series.some((s) => s.labels['__name__'] !== undefined) ? ['__name__', ...sorted] : sorted;
}

export type SortDirection = 'ascending' | 'descending';

export interface TableSort {
  readonly column: number;
  readonly direction: SortDirection;
}

// Numeric collation so instance ports and pod ordinals sort as people count ("node-9" < "node-10").
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/**
 * The rows sorted by one column: numerically for the value column, as text (numbers inside
 * counted) for the others. Rows without a value, or with an empty cell, go last in either
 * direction, and ties keep their order (the sort is stable), so re-sorting does not shuffle.
 */
export function sortTable(table: PanelTable, sort: TableSort | null): readonly TableRow[] {
  if (sort === null) return table.rows;
  const { column, direction } = sort;
  if (!Number.isInteger(column) || column < 0 || column >= table.columns.length) {
    throw new RangeError(`cannot sort by column ${column}: the table has ${table.columns.length} columns`);
  }
  const sign = direction === 'ascending' ? 1 : -1;
  const rows = [...table.rows];
  if (column === table.valueColumn) {
    rows.sort((a, b) => {
      const an = Number.isNaN(a.value);
      const bn = Number.isNaN(b.value);
      if (an || bn) return an === bn ? 0 : an ? 1 : -1;
      return a.value === b.value ? 0 : a.value < b.value ? -sign : sign;
    });
  } else {
    rows.sort((a, b) => {
      const x = a.cells[column]!;
      const y = b.cells[column]!;
      if (x === '' || y === '') return x === y ? 0 : x === '' ? 1 : -1;
      return sign * collator.compare(x, y);
    });
  }
  return rows;
}

/** The next sort when a header is activated: ascending, then descending, then back to the result's order. */
export function nextSort(current: TableSort | null, column: number): TableSort | null {
  if (current === null || current.column !== column) return { column, direction: 'ascending' };
  return current.direction === 'ascending' ? { column, direction: 'descending' } : null;
}
