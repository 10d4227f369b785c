import { describe, expect, it } from 'vitest';
import { BitReader, writeBits, writeWide } from './bit-io.js';
import { xorshift32 as rng } from './test-random.js';

/** The bit-at-a-time reading the windowed reader must agree with. */
function referenceBits(buf: Uint8Array, pos: number, n: number): number {
  let out = 0;
  for (let k = 0; k < n; k++) {
    const p = pos + k;
    const bit = p >>> 3 < buf.length ? (buf[p >>> 3]! >>> (7 - (p & 7))) & 1 : 0;
    out = out * 2 + bit;
  }
  return out;
}

/** The bit-at-a-time writing the windowed writer must agree with (low `n` bits of `value`). */
function referenceWrite(buf: Uint8Array, pos: number, value: number, n: number): number {
  for (let k = n - 1; k >= 0; k--) {
    if (Math.floor(value / 2 ** k) % 2 === 1) buf[pos >>> 3]! |= 0x80 >>> (pos & 7);
    pos++;
  }
  return pos;
}

describe('writeBits', () => {
  it('writes every width at every bit offset as a bit-at-a-time writer does, keeping the bits before and ignoring bits above the width', () => {
    const next = rng(5);
    for (let offset = 0; offset < 16; offset++) {
      for (let n = 1; n <= 32; n++) {
        for (let k = 0; k < 8; k++) {
          const prefix = next();
          const value = next();
          const got = new Uint8Array(12);
          const want = new Uint8Array(12);
          // Earlier bits of the stream, then the field: both writers must leave the prefix intact.
          const p1 = writeBits(got, 0, prefix >>> (32 - offset), offset);
          referenceWrite(want, 0, prefix >>> (32 - offset), offset);
          expect(writeBits(got, p1, value, n)).toBe(offset + n);
          referenceWrite(want, offset, n === 32 ? value : value % 2 ** n, n);
          expect(Array.from(got), `offset ${offset} n ${n} value ${value}`).toEqual(Array.from(want));
        }
      }
    }
  });
});

describe('BitReader', () => {
  it('reads every width at every bit offset as a bit-at-a-time reader does, up to the last byte', () => {
    const next = rng(7);
    const buf = Uint8Array.from({ length: 64 }, () => next() & 0xff);
    const r = new BitReader();
    for (let pos = 0; pos < buf.length * 8; pos++) {
      for (let n = 1; n <= 32; n++) {
        r.reset(buf, pos);
        expect(r.bits(n), `pos ${pos} n ${n}`).toBe(referenceBits(buf, pos, n));
        expect(r.pos).toBe(pos + n);
      }
    }
  });

  it('reads back what the writer wrote, in mixed widths', () => {
    const next = rng(11);
    const buf = new Uint8Array(4096);
    const written: [number, number][] = [];
    let pos = 0;
    while (pos < 30_000) {
      const n = 1 + (next() % 53);
      const value = n <= 32 ? next() >>> (32 - n) : (next() >>> (64 - n)) * 4294967296 + next();
      pos = n <= 32 ? writeBits(buf, pos, value, n) : writeWide(buf, pos, value, n);
      written.push([value, n]);
    }
    const r = new BitReader();
    r.reset(buf, 0);
    for (const [value, n] of written) expect(r.wide(n)).toBe(value);
    expect(r.pos).toBe(pos);
  });
});
