import { describe, expect, it } from 'vitest';
import { LiveGrid, livePanelData } from './live-grid';

const S = 1000;

describe('LiveGrid', () => {
  it('places a FULL update on the grid and slides with APPENDs, replacing the re-sent last step', () => {
    const g = new LiveGrid('A', '{{i}}', 4 * S, S); // 5 steps
    g.apply({ kind: 'FULL', startMs: 10 * S, endMs: 14 * S, series: [{ labels: { i: 'a' }, timestamps: [10, 11, 12, 13, 14].map((t) => t * S), values: [1, 2, 3, 4, 5] }] });
    let d = livePanelData([g]);
    expect(d.grid).toEqual({ startMs: 10 * S, endMs: 14 * S, stepMs: S, steps: 5 });
    expect(Array.from(d.series[0]!.values)).toEqual([1, 2, 3, 4, 5]);
    g.apply({ kind: 'APPEND', startMs: 14 * S, endMs: 16 * S, series: [{ labels: { i: 'a' }, timestamps: [14, 15, 16].map((t) => t * S), values: [50, 6, '+Inf'] }] });
    d = livePanelData([g]);
    expect(d.grid.startMs).toBe(12 * S);
    expect(Array.from(d.series[0]!.values)).toEqual([3, 4, 50, 6, Infinity]);
    expect(d.series[0]!.name).toBe('a');
  });

  it('drops series that slid out of the window and keeps new ones', () => {
    const g = new LiveGrid('A', '', 2 * S, S);
    g.apply({ kind: 'FULL', startMs: 0, endMs: 2 * S, series: [{ labels: { __name__: 'old' }, timestamps: [0], values: [1] }] });
    g.apply({ kind: 'APPEND', startMs: 2 * S, endMs: 3 * S, series: [{ labels: { __name__: 'new' }, timestamps: [3 * S], values: [7] }] });
    expect(livePanelData([g]).series.map((s) => s.name)).toEqual(['new']);
  });

  it('numbers colliding legend names across targets', () => {
    const a = new LiveGrid('A', 'x', 0, S);
    const b = new LiveGrid('B', 'x', 0, S);
    for (const g of [a, b]) g.apply({ kind: 'FULL', startMs: 0, endMs: 0, series: [{ labels: { k: g.refId }, timestamps: [0], values: [1] }] });
    expect(livePanelData([a, b]).series.map((s) => s.name)).toEqual(['x', 'x (2)']);
  });
});
