import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { compressSync, uncompressSync } from 'snappy';
import { describe, expect, it } from 'vitest';
import { createWasmMemory, SNAPPY_ERRORS, WASM_PAGE_BYTES, wasmBytesOver } from './bytes.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** Layout of the scratch memory: guard, output, guard, input, guard. */
const GUARD = 64;
const memory = createWasmMemory(64);
const { equal, uncompress } = wasmBytesOver(memory);

/**
 * Runs the wasm decompressor on a whole snappy block (preamble included) and checks that it
 * wrote nothing outside its output range; returns the output or the error code.
 */
function wasmUncompress(block: Uint8Array): Buffer | number {
  let declared = 0;
  let p = 0;
  for (let shift = 0; ; shift += 7) {
    const c = block[p++]!;
    declared += (c & 0x7f) * 2 ** shift;
    if (c < 0x80 || p === 5) break;
  }
  const size = memory.buffer.byteLength;
  const op = GUARD;
  const ip = op + declared + GUARD;
  const need = ip + block.length - p + GUARD;
  if (need > size) memory.grow(Math.ceil((need - size) / WASM_PAGE_BYTES));
  const mem = new Uint8Array(memory.buffer);
  mem.fill(0xa5, 0, need);
  mem.set(block.subarray(p), ip);
  const code = uncompress(ip, ip + block.length - p, op, op + declared);
  for (const [from, to] of [[0, op], [op + declared, ip], [ip + block.length - p, need]] as const) {
    for (let i = from; i < to; i++) if (mem[i] !== 0xa5) throw new Error(`byte ${i} outside the output was written`);
  }
  expect(Buffer.from(mem.subarray(ip, ip + block.length - p)).equals(Buffer.from(block.subarray(p)))).toBe(true);
  return code === 0 ? Buffer.from(mem.slice(op, op + declared)) : code;
}

function nativeUncompress(block: Uint8Array): Buffer | undefined {
  try {
    return uncompressSync(block, { asBuffer: true, copyOutputData: true }) as Buffer;
  } catch {
    return undefined;
  }
}

/** Bytes that compress into every element kind: literals, and copies near and far, overlapping too. */
const compressible = fc
  .array(
    fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 80 }),
      fc.record({ byte: fc.integer({ min: 0, max: 255 }), run: fc.integer({ min: 1, max: 300 }) }).map(({ byte, run }) => new Uint8Array(run).fill(byte)),
      fc.constantFrom(...['__name__', 'node_cpu_seconds_total', 'instance="host-17:9100"', 'x'.repeat(70)].map((s) => Buffer.from(s))),
    ),
    { maxLength: 200 },
  )
  .map((parts) => Buffer.concat(parts));

/** `bytes.wat`'s element encodings, to build blocks the native compressor never emits. */
const varint = (n: number): number[] => {
  const out: number[] = [];
  for (; n >= 0x80; n = Math.floor(n / 128)) out.push((n & 0x7f) | 0x80);
  out.push(n);
  return out;
};
const literal = (bytes: number[]): number[] => {
  const n = bytes.length - 1;
  if (n < 60) return [n << 2, ...bytes];
  const len: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) len.push(v & 0xff);
  return [(59 + len.length) << 2, ...len, ...bytes];
};
const copy4 = (length: number, offset: number): number[] => [((length - 1) << 2) | 3, offset & 0xff, (offset >>> 8) & 0xff, (offset >>> 16) & 0xff, offset >>> 24];
const copy2 = (length: number, offset: number): number[] => [((length - 1) << 2) | 2, offset & 0xff, offset >>> 8];
const copy1 = (length: number, offset: number): number[] => [((length - 4) << 2) | ((offset >>> 8) << 5) | 1, offset & 0xff];
const block = (declared: number, ...elements: number[][]): Uint8Array => Uint8Array.from([...varint(declared), ...elements.flat()]);

describe('bytes.wat', () => {
  it('is what bytes-module.ts embeds', () => {
    expect(execFileSync(process.execPath, ['scripts/build-wasm.mjs', '--check'], { cwd: repoRoot, encoding: 'utf8' })).toMatch(/matches/);
  });

  describe('uncompress', () => {
    it('decompresses what the native snappy compressor makes, byte for byte', () => {
      fc.assert(
        fc.property(compressible, (raw) => {
          expect(wasmUncompress(compressSync(raw))).toEqual(raw);
        }),
        { numRuns: 300 },
      );
    });

    it('decodes every element form: long literal lengths, 1-, 2- and 4-byte offsets, overlapping copies', () => {
      type Op = { literal: number[] } | { copy: (length: number, offset: number) => number[]; length: number; offset: number };
      // Builds the block and, as the format defines copies (byte by byte from `offset` back), its output.
      const build = (...ops: Op[]): [Uint8Array, Buffer] => {
        const out: number[] = [];
        const elements: number[][] = [];
        for (const op of ops) {
          if ('literal' in op) {
            elements.push(literal(op.literal));
            out.push(...op.literal);
          } else {
            elements.push(op.copy(op.length, op.offset));
            for (let i = 0; i < op.length; i++) out.push(out[out.length - op.offset]!);
          }
        }
        return [block(out.length, ...elements), Buffer.from(out)];
      };
      const text = [...Buffer.from('abcdefghijklmnopqrstuvwxyz0123456789')];
      const cases = [
        build({ literal: text }, { copy: copy1, length: 11, offset: 36 }, { copy: copy2, length: 64, offset: 1 }, { copy: copy4, length: 40, offset: 47 }),
        build({ literal: Array.from({ length: 70_000 }, (_, i) => (i * 31) & 0xff) }, { copy: copy4, length: 64, offset: 69_999 }),
        build({ literal: [7, 8, 9] }, { copy: copy2, length: 64, offset: 3 }, { copy: copy4, length: 64, offset: 2 }, { copy: copy1, length: 5, offset: 1 }),
        build({ literal: [1] }, { copy: copy1, length: 11, offset: 1 }, { literal: text.slice(0, 17) }, { copy: copy2, length: 17, offset: 17 }),
      ];
      for (const [input, want] of cases) {
        expect(wasmUncompress(input)).toEqual(want);
        expect(nativeUncompress(input)).toEqual(want);
      }
    });

    it('refuses malformed blocks with a code naming the problem, writing nowhere else', () => {
      const text = [...Buffer.from('0123456789')];
      const refusals: [Uint8Array, number][] = [
        [block(10, [text.length - 1 << 2, ...text.slice(0, 5)]), -1],
        [block(12, literal(text), [0x01]), -1],
        [block(5, literal(text)), -3],
        [block(14, literal(text), copy1(4, 11)), -4],
        [block(14, literal(text), copy2(4, 0)), -4],
        [block(20, literal(text)), -5],
        [block(1 << 20, [(63 << 2), 0xff, 0xff, 0xff, 0xff]), -2],
      ];
      for (const [input, code] of refusals) {
        expect(wasmUncompress(input)).toBe(code);
        expect(SNAPPY_ERRORS[code]).toBeDefined();
      }
    });

    it('never writes outside its output and agrees with the native decompressor on damaged blocks', () => {
      fc.assert(
        fc.property(compressible, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (raw, damage) => {
          const input = Uint8Array.from(compressSync(raw));
          for (const [at, byte] of damage) input[at % input.length] = byte;
          // The decoder refuses a bad preamble, or a length over its limits, before decompressing.
          const declared = declaredOf(input);
          fc.pre(declared !== undefined && declared <= 1 << 20);
          const ours = wasmUncompress(input);
          const native = nativeUncompress(input);
          if (typeof ours !== 'number') expect(native).toEqual(ours);
          // A block the native decompressor reads whole into the declared length is one ours reads too.
          else if (native !== undefined) expect(native.length).not.toBe(declaredOf(input));
        }),
        { numRuns: 500 },
      );
    });
  });

  it('equal compares ranges whatever their length and alignment', () => {
    const mem = new Uint8Array(memory.buffer);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(40), fc.nat(40), fc.nat(), (bytes, a, b, flip) => {
        mem.set(bytes, a);
        mem.set(bytes, 200 + b);
        expect(equal(a, 200 + b, bytes.length)).toBe(1);
        if (bytes.length === 0) return;
        mem[200 + b + (flip % bytes.length)]! ^= 0x10;
        expect(equal(a, 200 + b, bytes.length)).toBe(0);
      }),
    );
  });
});

/** The length a block's preamble declares; undefined when the preamble is cut or over 5 bytes. */
function declaredOf(input: Uint8Array): number | undefined {
  let v = 0;
  for (let i = 0; i < 5 && i < input.length; i++) {
    v += (input[i]! & 0x7f) * 2 ** (7 * i);
    if (input[i]! < 0x80) return v;
  }
  return undefined;
}
