import { describe, expect, it } from 'vitest';
import { tileGrid } from './tile-layout';

describe('tileGrid', () => {
  it('lays tiles in a row on a wide panel and a column on a tall one', () => {
    expect(tileGrid(3, 900, 200, 1.2)).toEqual({ cols: 3, rows: 1 });
    expect(tileGrid(3, 200, 900, 1.2)).toEqual({ cols: 1, rows: 3 });
  });
  it('wraps many tiles into a grid', () => {
    expect(tileGrid(4, 400, 400, 1)).toEqual({ cols: 2, rows: 2 });
    expect(tileGrid(10, 1000, 300, 1.2)).toEqual({ cols: 5, rows: 2 });
  });
  it('is one tile for one series and a row before the size is known', () => {
    expect(tileGrid(1, 500, 100, 1.2)).toEqual({ cols: 1, rows: 1 });
    expect(tileGrid(3, 0, 0, 1)).toEqual({ cols: 3, rows: 1 });
    expect(tileGrid(0, 100, 100, 1)).toEqual({ cols: 1, rows: 1 });
  });
});
