import { describe, expect, it } from 'vitest';
import type { Labels } from '#pharos/metric-model';
import { LabelSetTable } from './label-set-table.js';

describe('LabelSetTable', () => {
  it('finds exact label sets per tenant through growth and hash collisions', () => {
    const labelsById: Labels[] = [];
    const tenantById: string[] = [];
    const table = new LabelSetTable(labelsById, tenantById);
    const n = 5000;
    for (let id = 1; id <= n; id++) {
      labelsById[id] = ['__name__', 'm', 'i', String(id % 2500)];
      tenantById[id] = id <= 2500 ? 'a' : 'b';
      // Every other set under one shared hash: only the full comparison tells them apart.
      const hash = id % 2 === 0 ? 42 : table.hash(labelsById[id]!);
      table.insert(hash, id, id);
    }
    for (let id = 1; id <= n; id++) {
      const copy = labelsById[id]!.map((s) => (' ' + s).slice(1));
      const hash = id % 2 === 0 ? 42 : table.hash(copy);
      expect(table.find(tenantById[id]!, copy, hash)).toBe(id);
    }
    // Same labels, other tenant; and a set never added.
    expect(table.find('c', labelsById[3]!, table.hash(labelsById[3]!))).toBe(-1);
    expect(table.find('a', ['__name__', 'm', 'i', 'x'], table.hash(['__name__', 'm', 'i', 'x']))).toBe(-1);
    // String boundaries count: ["ab", "c"] is not ["a", "bc"].
    expect(table.hash(['ab', 'c'])).not.toBe(table.hash(['a', 'bc']));
  });
});
