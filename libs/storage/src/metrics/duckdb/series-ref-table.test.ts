import { describe, expect, it } from 'vitest';
import { SeriesRefTable } from './series-ref-table.js';
import { xorshift32 } from './test-random.js';

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
    // Replacing keeps the count, takes the new id and tag, and the old id no longer answers.
    table.set(refs, 0, n + 9, 0xffffffff);
    expect(table.size).toBe(n);
    expect(table.get(refs, 0, 0xffffffff)).toBe(n + 9);
    expect(table.get(refs, 0, 1)).toBe(-1);
    // An id holds one ref.
    expect(() => table.set(refs, 4, n + 9, 0xffffffff)).toThrow(/already holds another ref/);
    expect(() => table.set(refs, 0, 1, -1)).toThrow(RangeError);
    expect(() => table.set(refs, 0, 1, 2 ** 32)).toThrow(RangeError);
    expect(() => table.set(refs, 0, 2 ** 31)).toThrow(RangeError);
  });
});

describe('SeriesRefTable guesses', () => {
  const n = 4000;
  const build = (): { table: SeriesRefTable; refs: Uint32Array } => {
    const next = xorshift32(0x1234567);
    const refs = new Uint32Array(4 * n);
    for (let i = 0; i < refs.length; i++) refs[i] = next();
    // Refs sharing their first word (the slot hash) with another: probes must tell them apart.
    for (let i = 8; i < 4 * n; i += 4 * 97) refs[i] = refs[i - 4]!;
    const table = new SeriesRefTable();
    for (let i = 0; i < n; i++) table.set(refs, 4 * i, i + 1, 1 + (i % 2));
    return { table, refs };
  };

  it('answers exactly whatever the order of lookups: repeated, shuffled, interleaved with misses and wrong tags', () => {
    const { table, refs } = build();
    const next = xorshift32(99);
    const order = Array.from({ length: n }, (_, i) => i);
    const unknown = Uint32Array.from([1, 2, 3, 4]);
    for (let pass = 0; pass < 6; pass++) {
      // Passes 0–2 repeat one order (guesses learnt and hit); 3 shuffles (guesses miss);
      // 4–5 take every other series of the shuffled order (a guess names a skipped series).
      if (pass === 3) {
        for (let i = n - 1; i > 0; i--) {
          const j = next() % (i + 1);
          [order[i], order[j]] = [order[j]!, order[i]!];
        }
      }
      for (let k = 0; k < n; k++) {
        const i = order[k]!;
        if (pass >= 4 && k % 2 === 1) continue;
        expect(table.get(refs, 4 * i, 1 + (i % 2))).toBe(i + 1);
        if (k % 101 === 0) {
          expect(table.get(refs, 4 * i, 2 - (i % 2))).toBe(-1);
          expect(table.get(unknown, 0, 1)).toBe(-1);
        }
      }
    }
  });

  it('never guesses a re-pointed id', () => {
    const { table, refs } = build();
    for (let pass = 0; pass < 3; pass++) for (let i = 0; i < 10; i++) expect(table.get(refs, 4 * i, 1 + (i % 2))).toBe(i + 1);
    // Series 5's ref now names id n + 1: the learnt successor of 4 (id 6) must not answer.
    table.set(refs, 20, n + 1, 1 + (5 % 2));
    for (let i = 0; i < 10; i++) expect(table.get(refs, 4 * i, 1 + (i % 2))).toBe(i === 5 ? n + 1 : i + 1);
  });
});
