import fc from 'fast-check';
import { compressSync } from 'snappy';
import { describe, expect, it } from 'vitest';
import { BYTE_KEY_ENTRY_OVERHEAD, ByteKeyGeneration, MAX_ATTACHED_BODY_BYTES, SnappyBlockError } from './byte-key-table.js';

const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');

/** A distinct, spread-out 30-bit hash per integer, unrelated to the key bytes. */
const spread = (k: number): number => Math.imul(k + 1, 0x9e3779b1) & 0x3fffffff;

describe('ByteKeyGeneration', () => {
  it('finds what it holds and nothing else', () => {
    const g = new ByteKeyGeneration<string>();
    expect(g.find(5, bytes('a'), 0, 1)).toBe(-1);
    expect(g.add(5, bytes('a'), 0, 1, 'A')).toBe(true);
    expect(g.add(9, bytes('bb'), 0, 2, 'B')).toBe(true);
    expect(g.find(5, bytes('a'), 0, 1)).toBe(0);
    expect(g.find(9, bytes('bb'), 0, 2)).toBe(1);
    expect(g.values).toEqual(['A', 'B']);
    expect(g.size).toBe(2);
    // Same bytes under another hash: a different key as far as the table knows.
    expect(g.find(6, bytes('a'), 0, 1)).toBe(-1);
  });

  it('confirms a hash hit by comparing the key bytes in full', () => {
    const g = new ByteKeyGeneration<string>();
    g.add(7, bytes('alpha'), 0, 5, 'A');
    g.add(7, bytes('omega'), 0, 5, 'O');
    g.add(7, bytes('alphabet'), 0, 8, 'AB');
    g.add(7, bytes(''), 0, 0, 'empty');
    expect(g.values[g.find(7, bytes('alpha'), 0, 5)]).toBe('A');
    expect(g.values[g.find(7, bytes('omega'), 0, 5)]).toBe('O');
    expect(g.values[g.find(7, bytes('alphabet'), 0, 8)]).toBe('AB');
    expect(g.values[g.find(7, bytes('xyz'), 1, 1)]).toBe('empty');
    // Same hash and length, other bytes (differing only in the last byte): a miss.
    expect(g.find(7, bytes('alphx'), 0, 5)).toBe(-1);
    expect(g.find(7, bytes('gamma'), 0, 5)).toBe(-1);
    expect(g.find(7, bytes('alphabex'), 0, 8)).toBe(-1);
  });

  it('reads keys at any offset of Buffers and plain Uint8Arrays, and copies them', () => {
    const g = new ByteKeyGeneration<number>();
    const backing = new Uint8Array(64);
    backing.set(bytes('__name__=up,job=api'), 20);
    // A view that starts inside its ArrayBuffer, so byteOffset matters.
    const view = backing.subarray(16, 48);
    expect(g.add(42, view, 4, 23, 1)).toBe(true);
    const asBuffer = Buffer.from('xx__name__=up,job=apiyy');
    expect(g.find(42, asBuffer, 2, 21)).toBe(0);
    expect(g.find(42, Uint8Array.from(asBuffer), 2, 21)).toBe(0);
    expect(g.find(42, view, 4, 23)).toBe(0);
    expect(g.keyBytes).toBe(19);
    // The table holds a copy: changing the source afterwards changes nothing stored.
    backing.fill(0);
    expect(g.find(42, asBuffer, 2, 21)).toBe(0);
    expect(g.find(42, view, 4, 23)).toBe(-1);
  });

  it('gives up after 64 colliding slots in a row rather than probing on', () => {
    // 256 slots: no rehash below 128 entries, so the run of one hash stays 64 slots long.
    const g = new ByteKeyGeneration<number>(256);
    const key = (i: number): Buffer => bytes(`k${String(i).padStart(3, '0')}`);
    for (let i = 0; i < 64; i++) expect(g.add(3, key(i), 0, 4, i)).toBe(true);
    const before = g.bytes;
    expect(g.add(3, key(64), 0, 4, 64)).toBe(false);
    expect(g.size).toBe(64);
    expect(g.bytes).toBe(before);
    expect(g.keyBytes).toBe(64 * 4);
    expect(g.find(3, key(64), 0, 4)).toBe(-1);
    for (let i = 0; i < 64; i++) expect(g.find(3, key(i), 0, 4)).toBe(i);
    // A hash whose home slot is inside the run stores past its end.
    expect(g.add(3 + 10, key(65), 0, 4, 65)).toBe(true);
    expect(g.find(3 + 10, key(65), 0, 4)).toBe(64);
  });

  it('rehashes as it fills, keeping every entry findable', () => {
    const g = new ByteKeyGeneration<number>(4);
    expect(g.slots).toBe(4);
    const n = 5000;
    for (let i = 0; i < n; i++) {
      const k = bytes(`series-${i}`);
      expect(g.add(spread(i), k, 0, k.length, i)).toBe(true);
    }
    // At most half the slots in use.
    expect(g.slots).toBeGreaterThanOrEqual(2 * n);
    expect(g.slots & (g.slots - 1)).toBe(0);
    for (let i = 0; i < n; i++) {
      const k = bytes(`series-${i}`);
      expect(g.values[g.find(spread(i), k, 0, k.length)]).toBe(i);
    }
    expect(g.find(spread(n), bytes(`series-${n}`), 0, `series-${n}`.length)).toBe(-1);
  });

  it('separates hashes that shared a home slot once the table grows', () => {
    // Hashes equal in their low 2 bits collide in a 4-slot table but not after growth.
    const g = new ByteKeyGeneration<string>(4);
    g.add(1, bytes('a'), 0, 1, 'a');
    g.add(5, bytes('b'), 0, 1, 'b');
    g.add(9, bytes('c'), 0, 1, 'c');
    g.add(13, bytes('d'), 0, 1, 'd');
    expect(g.slots).toBeGreaterThan(4);
    expect(['a', 'b', 'c', 'd'].map((s, i) => g.values[g.find(1 + 4 * i, bytes(s), 0, 1)])).toEqual(['a', 'b', 'c', 'd']);
    expect(g.find(5, bytes('a'), 0, 1)).toBe(-1);
  });

  it('grows the key slab and keeps the bytes already held', () => {
    const g = new ByteKeyGeneration<number>(4, 1);
    const keys: Buffer[] = [];
    let total = 0;
    for (let i = 0; i < 400; i++) {
      // Lengths 0..299, and one key far larger than twice the slab so far.
      const k = i === 7 ? Buffer.alloc(10_000, 0x5a) : Buffer.alloc(i % 300, i & 0xff);
      if (k.length > 0) k[k.length - 1] = i >>> 8;
      keys.push(k);
      total += k.length;
      expect(g.add(spread(i), k, 0, k.length, i)).toBe(true);
    }
    expect(g.keyBytes).toBe(total);
    keys.forEach((k, i) => expect(g.find(spread(i), k, 0, k.length)).toBe(i));
  });

  it('accounts key length, value cost and per-entry overhead', () => {
    const g = new ByteKeyGeneration<string>();
    expect(g.bytes).toBe(0);
    g.add(1, bytes('abc'), 0, 3, 'x');
    expect(g.bytes).toBe(3 + BYTE_KEY_ENTRY_OVERHEAD);
    g.add(2, bytes('defgh'), 1, 4, 'y', 100);
    expect(g.bytes).toBe(3 + BYTE_KEY_ENTRY_OVERHEAD + 3 + 100 + BYTE_KEY_ENTRY_OVERHEAD);
    expect(g.keyBytes).toBe(6);
  });

  it('refuses sizes it cannot use, naming them', () => {
    expect(() => new ByteKeyGeneration(6)).toThrow(/initialSlots must be a power of two.*got 6/);
    expect(() => new ByteKeyGeneration(2)).toThrow(/initialSlots/);
    expect(() => new ByteKeyGeneration(1.5)).toThrow(/initialSlots/);
    expect(() => new ByteKeyGeneration(8, 0)).toThrow(/initialSlabBytes must be a positive integer, got 0/);
  });

  describe('an attached body (keys compared in WebAssembly)', () => {
    /** `keys` laid out in one body at `gaps[i]` bytes after the previous key; their `[start, end)`. */
    const layout = (keys: readonly Uint8Array[], gaps: readonly number[]): { body: Buffer; spans: [number, number][] } => {
      const spans: [number, number][] = [];
      let at = 0;
      keys.forEach((k, i) => {
        at += gaps[i % gaps.length]!;
        spans.push([at, at + k.length]);
        at += k.length;
      });
      const body = Buffer.alloc(at + 7, 0xee);
      keys.forEach((k, i) => body.set(k, spans[i]![0]));
      return { body, spans };
    };

    it('answers as the native comparison does, whatever the lengths, offsets and differing byte', () => {
      // Keys that differ from another only late (the SIMD loop's last block, the byte tail).
      const key = fc.uint8Array({ minLength: 0, maxLength: 300 });
      fc.assert(
        fc.property(fc.array(key, { minLength: 1, maxLength: 40 }), fc.array(fc.nat(19), { minLength: 1 }), fc.nat(), (base, gaps, seed) => {
          const keys: Uint8Array[] = [];
          for (const k of base) {
            keys.push(k);
            if (k.length === 0) continue;
            const twin = Uint8Array.from(k);
            twin[(seed + k.length) % k.length] ^= 1 << (seed % 8);
            keys.push(twin);
          }
          const { body, spans } = layout(keys, gaps);
          const held = new ByteKeyGeneration<number>(4, 1);
          const stored = new Map<string, number>();
          // Every other key stored, from a buffer of its own (the entries' hashes: one per key text).
          const hashOf = (k: Uint8Array): number => spread(Buffer.from(k).toString('hex').length);
          keys.forEach((k, i) => {
            const hex = Buffer.from(k).toString('hex');
            if (i % 2 === 0 && !stored.has(hex)) {
              expect(held.add(hashOf(k), Buffer.from(k), 0, k.length, i)).toBe(true);
              stored.set(hex, held.size - 1);
            }
          });
          held.attachBody(body);
          keys.forEach((k, i) => {
            const [start, end] = spans[i]!;
            const want = stored.get(Buffer.from(k).toString('hex')) ?? -1;
            expect(held.find(hashOf(k), body, start, end)).toBe(want);
            for (let e = 0; e < held.size; e++) {
              expect(held.keyEquals(e, body, start, end)).toBe(held.keyEquals(e, Buffer.from(k), 0, k.length));
            }
          });
          held.detachBody();
        }),
        { numRuns: 200 },
      );
    });

    it('keeps its keys while the slab grows and when a larger body moves the slab up', () => {
      const g = new ByteKeyGeneration<number>(4, 1);
      const keys = Array.from({ length: 3000 }, (_, i) => Buffer.from(`{__name__="m${i % 17}",instance="host-${i}:9100",job="node"}`));
      const small = layout(keys.slice(0, 10), [3]);
      g.attachBody(small.body);
      small.spans.forEach(([start, end], i) => expect(g.add(spread(i), small.body, start, end, i)).toBe(true));
      expect(g.find(spread(0), small.body, ...small.spans[0]!)).toBe(0);
      // The body is copied in by that comparison; thousands more keys grow the slab past it.
      for (let i = 10; i < keys.length; i++) expect(g.add(spread(i), keys[i]!, 0, keys[i]!.length, i)).toBe(true);
      small.spans.forEach(([start, end], i) => expect(g.find(spread(i), small.body, start, end)).toBe(i));
      // A body far larger than the first: the body area grows and the slab moves after it.
      const large = layout(keys, [1, 5, 0]);
      g.attachBody(large.body);
      large.spans.forEach(([start, end], i) => {
        expect(g.find(spread(i), large.body, start, end)).toBe(i);
        expect(g.keyEquals(i, large.body, start, end)).toBe(true);
        expect(g.keyEquals((i + 1) % keys.length, large.body, start, end)).toBe(false);
      });
      expect(g.keyBytes).toBe(keys.reduce((a, k) => a + k.length, 0));
    });

    it('copies a body attached again, so changed bytes are seen; after detaching, compares natively', () => {
      const g = new ByteKeyGeneration<string>();
      const body = Buffer.from('xxalpha-keyyy');
      g.add(3, Buffer.from('alpha-key'), 0, 9, 'A');
      g.attachBody(body);
      expect(g.find(3, body, 2, 11)).toBe(0);
      body.write('omega', 2);
      g.attachBody(body);
      expect(g.find(3, body, 2, 11)).toBe(-1);
      expect(g.keyEquals(0, body, 2, 11)).toBe(false);
      g.detachBody();
      body.write('alpha', 2);
      expect(g.find(3, body, 2, 11)).toBe(0);
      // A body over the copy bound is compared natively without being copied.
      const huge = Buffer.alloc(17 * 1024 * 1024);
      huge.write('alpha-key', 5);
      g.attachBody(huge);
      expect(g.find(3, huge, 5, 14)).toBe(0);
    });
  });

  describe('a body decompressed into the table (uncompressBody)', () => {
    const keys = Array.from({ length: 2000 }, (_, i) => Buffer.from(`{__name__="node_cpu_seconds_total",cpu="${i % 16}",instance="host-${i}:9100"}`));
    /** A body of the keys, each followed by some sample bytes; the snappy block and the keys' ranges. */
    const body = (round: number): { block: Buffer; spans: [number, number][]; raw: Buffer } => {
      const parts: Buffer[] = [];
      const spans: [number, number][] = [];
      let at = 0;
      keys.forEach((k, i) => {
        spans.push([at, at + k.length]);
        const sample = Buffer.from(`|${round}:${i}|`);
        parts.push(k, sample);
        at += k.length + sample.length;
      });
      const raw = Buffer.concat(parts);
      return { block: compressSync(raw), spans, raw };
    };
    const preamble = (block: Buffer): number => {
      let i = 0;
      while (block[i]! >= 0x80) i++;
      return i + 1;
    };

    it('returns the body, compares with it, and keeps it valid while its own keys fill the slab', () => {
      const g = new ByteKeyGeneration<number>(4, 1);
      const { block, spans, raw } = body(1);
      const view = g.uncompressBody(block, preamble(block), raw.length)!;
      expect(view.equals(raw)).toBe(true);
      // ~140 KB of keys into a 64 KiB slab: room was made up front, so the view is not detached.
      spans.forEach(([start, end], i) => expect(g.add(spread(i), view, start, end, i)).toBe(true));
      expect(view.length).toBe(raw.length);
      expect(view.equals(raw)).toBe(true);
      spans.forEach(([start, end], i) => expect(g.find(spread(i), view, start, end)).toBe(i));
      // A key from another buffer that would need the memory to grow is not stored meanwhile...
      const foreign = Buffer.alloc(4 * 1024 * 1024, 7);
      expect(g.add(12345, foreign, 0, foreign.length, -1)).toBe(false);
      // ...and is once the body is let go.
      g.detachBody();
      expect(g.add(12345, foreign, 0, foreign.length, -1)).toBe(true);
      // The next body overwrites the first; the keys held compare with it as before.
      const next = body(2);
      const view2 = g.uncompressBody(next.block, preamble(next.block), next.raw.length)!;
      expect(view2.equals(next.raw)).toBe(true);
      next.spans.forEach(([start, end], i) => expect(g.keyEquals(i, view2, start, end)).toBe(true));
      // Another buffer attached takes the body area: the comparisons follow it.
      const copy = Buffer.from(next.raw);
      copy[next.spans[5]![0] + 3] ^= 1;
      g.attachBody(copy);
      expect(g.keyEquals(5, copy, ...next.spans[5]!)).toBe(false);
      expect(g.keyEquals(6, copy, ...next.spans[6]!)).toBe(true);
    });

    it('names a malformed block, and leaves bodies over its bound to the caller', () => {
      const g = new ByteKeyGeneration<number>();
      const { block, raw } = body(3);
      expect(() => g.uncompressBody(block.subarray(0, block.length - 3), preamble(block), raw.length)).toThrow(SnappyBlockError);
      expect(() => g.uncompressBody(block, preamble(block), raw.length + 1)).toThrow(/fewer bytes than its preamble declares/);
      expect(g.uncompressBody(block, preamble(block), MAX_ATTACHED_BODY_BYTES + 1)).toBeUndefined();
    });
  });
});
