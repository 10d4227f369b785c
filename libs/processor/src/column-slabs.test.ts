import { describe, expect, it } from 'vitest';
import { ColumnSlabs } from './column-slabs.js';

describe('ColumnSlabs', () => {
  it('hands out disjoint 8-byte-aligned slices, a new block when one is full, and large requests on their own', () => {
    const slabs = new ColumnSlabs(1024);
    const taken = [1, 13, 8, 250, 7, 256, 100, 3, 256, 200, 64].map((n) => ({ n, mem: slabs.take(n) }));
    for (const { n, mem } of taken) {
      expect(mem.byteOffset % 8).toBe(0);
      expect(mem.byteLength).toBeGreaterThanOrEqual(n);
      mem.fill(0xab);
    }
    // Slices of one block never overlap: filling each left the others' bytes as they were.
    for (let i = 0; i < taken.length; i++) {
      for (let j = i + 1; j < taken.length; j++) {
        const a = taken[i]!.mem;
        const b = taken[j]!.mem;
        if (a.buffer !== b.buffer) continue;
        expect(a.byteOffset + a.byteLength <= b.byteOffset || b.byteOffset + b.byteLength <= a.byteOffset).toBe(true);
      }
    }
    expect(new Set(taken.map((t) => t.mem.buffer)).size).toBeGreaterThan(1);
    const big = slabs.take(300);
    expect(big.byteOffset).toBe(0);
    expect(big.buffer.byteLength).toBe(304);
    expect(() => new ColumnSlabs(100)).toThrow(RangeError);
  });
});
