import { describe, expect, it } from 'vitest';
import { compact, layoutRows, movePanel, resizePanel, type GridItem } from './grid-layout';

const item = (id: number, x: number, y: number, w: number, h: number): GridItem => ({ id, gridPos: { x, y, w, h } });
const pos = (items: readonly GridItem[]) => Object.fromEntries(items.map((i) => [i.id, [i.gridPos.x, i.gridPos.y, i.gridPos.w, i.gridPos.h]]));

function assertNoOverlap(items: readonly GridItem[]): void {
  for (const a of items) {
    for (const b of items) {
      if (a === b) continue;
      const o = a.gridPos.x < b.gridPos.x + b.gridPos.w && b.gridPos.x < a.gridPos.x + a.gridPos.w && a.gridPos.y < b.gridPos.y + b.gridPos.h && b.gridPos.y < a.gridPos.y + a.gridPos.h;
      expect(o, `${a.id} overlaps ${b.id}`).toBe(false);
    }
  }
}

describe('grid layout', () => {
  it('lets panels fall up into free rows and keeps unchanged ones as the same objects', () => {
    const a = item(1, 0, 0, 12, 4);
    const items = [a, item(2, 12, 10, 12, 4), item(3, 0, 20, 24, 4)];
    const out = compact(items);
    expect(out[0]).toBe(a);
    expect(pos(out)).toEqual({ 1: [0, 0, 12, 4], 2: [12, 0, 12, 4], 3: [0, 4, 24, 4] });
  });

  it('moves a panel onto another and pushes that one down', () => {
    const items = [item(1, 0, 0, 12, 4), item(2, 12, 0, 12, 4), item(3, 0, 4, 24, 6)];
    const out = movePanel(items, 3, 0, 0);
    expect(pos(out)).toEqual({ 3: [0, 0, 24, 6], 1: [0, 6, 12, 4], 2: [12, 6, 12, 4] });
    assertNoOverlap(out);
  });

  it('swaps a panel with the one above when moved up into it', () => {
    const items = [item(1, 0, 0, 24, 8), item(2, 0, 8, 8, 5)];
    expect(pos(movePanel(items, 2, 0, 7))).toEqual({ 1: [0, 5, 24, 8], 2: [0, 0, 8, 5] });
  });

  it('resizes a panel wider and the neighbour moves below it', () => {
    const items = [item(1, 0, 0, 12, 4), item(2, 12, 0, 12, 4)];
    const out = resizePanel(items, 1, 18, 5);
    expect(pos(out)).toEqual({ 1: [0, 0, 18, 5], 2: [12, 5, 12, 4] });
  });

  it('clamps panels into the 24 columns and to at least 2 rows', () => {
    const out = movePanel([item(1, 0, 0, 12, 4)], 1, 20, -3);
    expect(pos(out)).toEqual({ 1: [12, 0, 12, 4] });
    expect(pos(resizePanel([item(1, 6, 0, 6, 4)], 1, 40, 1))).toEqual({ 1: [6, 0, 18, 2] });
  });

  it('keeps any random sequence of moves free of overlaps', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    let items: GridItem[] = Array.from({ length: 12 }, (_, i) => item(i + 1, (i % 3) * 8, Math.floor(i / 3) * 5, 8, 5));
    for (let i = 0; i < 200; i++) {
      const id = rand(12) + 1;
      items = i % 2 ? movePanel(items, id, rand(24), rand(30)) : resizePanel(items, id, rand(24) + 1, rand(10) + 2);
      assertNoOverlap(items);
    }
    expect(items).toHaveLength(12);
    expect(layoutRows(items)).toBeGreaterThan(0);
  });

  it('refuses to move a panel that is not there', () => {
    expect(() => movePanel([], 9, 0, 0)).toThrow(/no panel 9/);
  });
});
