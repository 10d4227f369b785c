import { describe, expect, it } from 'vitest';
import { LabelSetInterner, hashBytes } from './label-interner.js';
import type { Labels } from './labels.js';

/** Distinct 40-byte keys, one per series, and their labels. */
function key(i: number): Buffer {
  return Buffer.from(`series-${String(i).padStart(8, '0')}-${'x'.repeat(24)}`);
}
const hashOf = (b: Buffer): number => hashBytes(new DataView(b.buffer, b.byteOffset, b.byteLength), 0, b.length);

describe('LabelSetInterner slots', () => {
  it('gives each held set a dense slot that stays through promotion and is reused only after the set was dropped', () => {
    // ~20 keys per generation (40 key bytes + 48 overhead each).
    const interner = new LabelSetInterner(20 * 88);
    const labels = new Map<number, Labels>();
    const slotOf = new Map<number, number>();
    const set = (i: number): void => {
      const b = key(i);
      const l: Labels = ['__name__', `m${i}`];
      labels.set(i, l);
      interner.set(hashOf(b), b, 0, b.length, l);
      expect(interner.lastSlot).toBeGreaterThanOrEqual(0);
      slotOf.set(i, interner.lastSlot);
    };
    for (let i = 0; i < 20; i++) set(i);
    expect(new Set(slotOf.values()).size).toBe(20);
    expect(Math.max(...slotOf.values())).toBe(19);
    // The next key rotates: 0..19 become old. Hitting 0..9 promotes them with their slots.
    for (let i = 20; i < 30; i++) set(i);
    for (let i = 0; i < 10; i++) {
      const b = key(i);
      expect(interner.get(hashOf(b), b, 0, b.length)).toBe(labels.get(i));
      expect(interner.lastSlot).toBe(slotOf.get(i));
      expect(interner.labelsAt(slotOf.get(i)!)).toBe(labels.get(i));
    }
    // Filling the young generation again drops 10..19 (never promoted): their slots are reused.
    const dropped = new Set([10, 11, 12, 13, 14, 15, 16, 17, 18, 19].map((i) => slotOf.get(i)!));
    for (let i = 30; i < 60; i++) set(i);
    for (let i = 10; i < 20; i++) {
      const b = key(i);
      expect(interner.get(hashOf(b), b, 0, b.length)).toBeUndefined();
      expect(interner.lastSlot).toBe(-1);
    }
    const reused = [...slotOf.entries()].filter(([i, s]) => i >= 30 && dropped.has(s));
    expect(reused.length).toBe(10);
    // Slots held at the same time are distinct, and name what they hold.
    const held = new Map<number, number>();
    for (let i = 0; i < 60; i++) {
      const b = key(i);
      const got = interner.get(hashOf(b), b, 0, b.length);
      if (got === undefined) continue;
      const s = interner.lastSlot;
      expect(interner.labelsAt(s)).toBe(got);
      expect(held.has(s)).toBe(false);
      held.set(s, i);
    }
    expect(interner.slotCount).toBeLessThanOrEqual(60);
  });

  it('keeps a promoted set whose old generation is dropped by the same promotion', () => {
    const interner = new LabelSetInterner(4 * 88);
    const keep: Labels = ['__name__', 'keep'];
    const k = key(0);
    interner.set(hashOf(k), k, 0, k.length, keep);
    const slot = interner.lastSlot;
    for (let i = 1; i < 4; i++) interner.set(hashOf(key(i)), key(i), 0, key(i).length, ['__name__', `m${i}`]);
    for (let i = 4; i < 8; i++) interner.set(hashOf(key(i)), key(i), 0, key(i).length, ['__name__', `m${i}`]); // 0..3 old, young full
    // Promoting 0 rotates first: the old generation holding it is dropped meanwhile.
    expect(interner.get(hashOf(k), k, 0, k.length)).toBe(keep);
    expect(interner.lastSlot).toBe(slot);
    expect(interner.labelsAt(slot)).toBe(keep);
    for (let i = 8; i < 11; i++) interner.set(hashOf(key(i)), key(i), 0, key(i).length, ['__name__', `m${i}`]);
    expect(interner.get(hashOf(k), k, 0, k.length)).toBe(keep);
    expect(interner.lastSlot).toBe(slot);
  });

  it('has no slot for a set it did not store (adversarial collisions) and frees it', () => {
    const interner = new LabelSetInterner();
    for (let i = 0; i < 65; i++) interner.set(7, key(i), 0, key(i).length, ['__name__', `m${i}`]);
    expect(interner.lastSlot).toBe(-1); // 64 slots in a row taken: the 65th of one hash is refused
    expect(interner.labelsAt(64)).toBeUndefined();
    const before = interner.slotCount;
    interner.set(8, key(100), 0, key(100).length, ['__name__', 'other']);
    expect(interner.lastSlot).toBe(64); // the refused one's slot was freed and taken again
    expect(interner.slotCount).toBe(before);
  });

  it('lookup finds the same sets as get whatever the order, guessing the next set only as long as it pays', () => {
    const interner = new LabelSetInterner();
    const keys = Array.from({ length: 200 }, (_, i) => key(i));
    const view = (b: Buffer): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);
    const want: Labels[] = keys.map((_, i) => ['__name__', `m${i}`]);
    for (const [i, b] of keys.entries()) {
      expect(interner.lookup(view(b), b, 0, b.length)).toBeUndefined();
      interner.set(interner.lastHash, b, 0, b.length, want[i]!);
    }
    let order = keys.map((_, i) => i);
    for (let round = 0; round < 6; round++) {
      // Rounds 0-1 in insertion order (the guess holds), then shuffled, then reversed.
      if (round === 2) order = order.map((_, i) => (i * 37) % 200);
      if (round === 4) order = order.slice().reverse();
      for (const i of order) {
        const b = keys[i]!;
        // Copies at another offset: the guess compares bytes, not positions.
        const copy = Buffer.concat([Buffer.from('pad'), b]);
        expect(interner.lookup(view(copy), copy, 3, copy.length)).toBe(want[i]);
        expect(interner.labelsAt(interner.lastSlot)).toBe(want[i]);
      }
    }
    // Same length as a held key, different bytes: never mistaken for the guess.
    for (let i = 0; i < 200; i++) {
      interner.lookup(view(keys[i]!), keys[i]!, 0, keys[i]!.length);
      const other = Buffer.from(keys[(i + 1) % 200]!);
      other[other.length - 1] = 0x21;
      expect(interner.lookup(view(other), other, 0, other.length)).toBeUndefined();
      expect(interner.lastSlot).toBe(-1);
    }
  });

  it('lookupPrefix finds the expected set at the start of longer bytes, and a miss changes nothing', () => {
    const interner = new LabelSetInterner();
    const sets = Array.from({ length: 8 }, (_, i) => ['__name__', `m${i}`] as Labels);
    const body = Buffer.concat(Array.from({ length: 8 }, (_, i) => Buffer.concat([key(i), Buffer.from('|sample|')])));
    const at = (i: number): number => i * (40 + 8);
    const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
    for (let i = 0; i < 8; i++) interner.set(hashBytes(view, at(i), at(i) + 40), body, at(i), at(i) + 40, sets[i]!);
    // Not trusted yet: nothing has been guessed right.
    expect(interner.lookupPrefix(body, at(0), body.length)).toBeUndefined();
    interner.attachBody(body);
    for (let i = 0; i < 4; i++) expect(interner.lookup(view, body, at(i), at(i) + 40)).toBe(sets[i]);
    // Series 4 expected next: found from its start, whatever follows.
    expect(interner.lookupPrefix(body, at(4), body.length)).toBe(sets[4]);
    expect(interner.lastKeyLength).toBe(40);
    const slot = interner.lastSlot;
    expect(interner.labelsAt(slot)).toBe(sets[4]);
    // Series 5 expected; bytes of series 6 (or too short for the key) are a miss that leaves the guess as it was.
    expect(interner.lookupPrefix(body, at(6), body.length)).toBeUndefined();
    expect(interner.lookupPrefix(body, at(5), at(5) + 39)).toBeUndefined();
    expect(interner.lastSlot).toBe(slot);
    expect(interner.lookupPrefix(body, at(5), at(5) + 40)).toBe(sets[5]);
    interner.detachBody();
    // Without the body attached, the same answers by the native comparison.
    expect(interner.lookupPrefix(Buffer.from(body), at(6), body.length)).toBe(sets[6]);
  });
});
