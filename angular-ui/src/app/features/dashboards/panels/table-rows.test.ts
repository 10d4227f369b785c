import { describe, expect, it } from 'vitest';
import { DEFAULT_FIELD_CONFIG } from '@pharos/dashboard-model';
import { buildTable, nextSort, sortTable } from './table-rows';
import type { PanelData, PanelSeries } from './panel-data';

const f = (...v: number[]) => Float64Array.from(v);
const s = (labels: Record<string, string>, values: Float64Array, refId = 'A', name = JSON.stringify(labels)): PanelSeries => ({ refId, name, labels, values });
const data = (steps: number, ...series: PanelSeries[]): PanelData => ({ grid: { startMs: 0, endMs: (steps - 1) * 1000, stepMs: 1000, steps }, series });
const bytes = { ...DEFAULT_FIELD_CONFIG, unit: 'bytes' };

describe('buildTable', () => {
  const range = data(
    3,
    s({ __name__: 'mem', job: 'node', instance: 'b:9100' }, f(1, 2048, NaN)),
    s({ __name__: 'mem', job: 'node', instance: 'a:9100', zone: 'eu' }, f(NaN, NaN, 1536)),
    s({ __name__: 'mem', job: 'api', instance: 'c:9100' }, f(NaN, NaN, NaN)),
  );

  it('has one row per series, all labels sorted with __name__ first, and the last value in the unit', () => {
    const t = buildTable(range, { columns: [] }, bytes);
    expect(t.columns.map((c) => c.title)).toEqual(['__name__', 'instance', 'job', 'zone', 'Value']);
    expect(t.valueColumn).toBe(4);
    expect(t.columns[4]!.numeric).toBe(true);
    expect(t.rows.map((r) => r.cells)).toEqual([
      ['mem', 'b:9100', 'node', '', '2 KiB'],
      ['mem', 'a:9100', 'node', 'eu', '1.50 KiB'],
      ['mem', 'c:9100', 'api', '', ''],
    ]);
    expect(t.rows.map((r) => r.value)).toEqual([2048, 1536, NaN]);
  });

  it('shows the configured columns in their order, and decimals as configured', () => {
    const t = buildTable(range, { columns: ['job', 'pod', 'instance'] }, { ...DEFAULT_FIELD_CONFIG, unit: 'none', decimals: 1 });
    expect(t.columns.map((c) => c.title)).toEqual(['job', 'pod', 'instance', 'Value']);
    expect(t.rows[0]!.cells).toEqual(['node', '', 'b:9100', '2048.0']);
  });

  it('names label-less series by their legend name and adds a Query column for several targets', () => {
    const t = buildTable(data(1, s({}, f(0.5), 'A', 'total'), s({}, f(2), 'B', 'errors')), { columns: [] }, { ...DEFAULT_FIELD_CONFIG, unit: 'percentunit' });
    expect(t.columns.map((c) => c.title)).toEqual(['Query', 'Series', 'Value']);
    expect(t.rows.map((r) => r.cells)).toEqual([
      ['A', 'total', '50%'],
      ['B', 'errors', '200%'],
    ]);
  });

  it('is an empty table (just the value column) for no series', () => {
    const t = buildTable(data(1), { columns: [] }, DEFAULT_FIELD_CONFIG);
    expect(t.rows).toEqual([]);
    expect(t.columns.map((c) => c.title)).toEqual(['Series', 'Value']);
  });
});

describe('sortTable', () => {
  const t = buildTable(
    data(
      1,
      s({ instance: 'node-10' }, f(5)),
      s({ instance: 'node-9' }, f(NaN)),
      s({ instance: 'node-2' }, f(-1)),
      s({}, f(100)),
      s({ instance: 'node-11' }, f(5)),
    ),
    { columns: [] },
    { ...DEFAULT_FIELD_CONFIG, unit: 'short' },
  );
  const col = (rows: readonly { cells: readonly string[] }[], i: number) => rows.map((r) => r.cells[i]);

  it('sorts values numerically (not as text), rows without a value last, ties in result order', () => {
    expect(col(sortTable(t, { column: 1, direction: 'ascending' }), 0)).toEqual(['node-2', 'node-10', 'node-11', '', 'node-9']);
    expect(col(sortTable(t, { column: 1, direction: 'descending' }), 0)).toEqual(['', 'node-10', 'node-11', 'node-2', 'node-9']);
  });

  it('sorts labels with numbers counted, empty cells last', () => {
    expect(col(sortTable(t, { column: 0, direction: 'ascending' }), 0)).toEqual(['node-2', 'node-9', 'node-10', 'node-11', '']);
    expect(col(sortTable(t, { column: 0, direction: 'descending' }), 0)).toEqual(['node-11', 'node-10', 'node-9', 'node-2', '']);
  });

  it('keeps the result order without a sort and refuses a column that does not exist', () => {
    expect(sortTable(t, null)).toBe(t.rows);
    expect(() => sortTable(t, { column: 2, direction: 'ascending' })).toThrow(/column 2: the table has 2 columns/);
  });

  it('cycles a header through ascending, descending and unsorted', () => {
    expect(nextSort(null, 1)).toEqual({ column: 1, direction: 'ascending' });
    expect(nextSort({ column: 1, direction: 'ascending' }, 1)).toEqual({ column: 1, direction: 'descending' });
    expect(nextSort({ column: 1, direction: 'descending' }, 1)).toBeNull();
    expect(nextSort({ column: 1, direction: 'descending' }, 0)).toEqual({ column: 0, direction: 'ascending' });
  });
});
