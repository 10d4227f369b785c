import { describe, expect, it } from 'vitest';
import { SeriesRefTable } from './series-ref-table.js';

describe('SeriesRefTable tags', () => {
  it('answers a ref only for the tag it was stored with, through growth and replacement', () => {
    const table = new SeriesRefTable();
    const n = 3000;
    const refs = new Uint32Array(4 * n);
    for (let i = 0; i < refs.length; i++) refs[i] = (Math.imul(i + 7, 0x85ebca6b) >>> 0) ^ 0xdeadbeef;
    for (let i = 0; i < n; i++) table.set(refs, 4 * i, i + 1, 1 + (i % 3));
    expect(table.size).toBe(n);
    for (let i = 0; i < n; i++) {
      expect(table.get(refs, 4 * i, 1 + (i % 3))).toBe(i + 1);
      expect(table.get(refs, 4 * i, 1 + ((i + 1) % 3))).toBe(-1);
      expect(table.get(refs, 4 * i)).toBe(-1);
    }
    // Replacing keeps the count and takes the new tag.
    table.set(refs, 0, 9, 0xffffffff);
    expect(table.size).toBe(n);
    expect(table.get(refs, 0, 0xffffffff)).toBe(9);
    expect(table.get(refs, 0, 1)).toBe(-1);
    expect(() => table.set(refs, 0, 1, -1)).toThrow(RangeError);
    expect(() => table.set(refs, 0, 1, 2 ** 32)).toThrow(RangeError);
    expect(() => table.set(refs, 0, 2 ** 31)).toThrow(RangeError);
  });
});
