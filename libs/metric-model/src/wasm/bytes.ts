import { BYTES_WASM_BASE64 } from './bytes-module.js';

/**
 * Byte routines in WebAssembly for key tables whose keys and probe bytes share one memory
 * (see `ByteKeyGeneration`), from bytes.wat:
 *
 * - `equal`: byte-range equality with SIMD. A label set's ~270 bytes compare in ~30 ns this
 *   way against ~90 ns through `Buffer#compare`, whose cost is the call into C++ and its
 *   argument checks rather than the `memcmp`; on the remote-write decode worker the latter
 *   was ~18 % of the thread (bench/RESULTS.md, "2026-11-28 18:20 UTC — decode worker").
 * - `uncompress`: a snappy block decompressed straight into that memory, so a request body
 *   needs neither a buffer of its own (the native binding's output, copied into a new Buffer,
 *   and the external memory that drove its thread's full collections) nor a copy for the
 *   comparisons. It costs about what the native binding does (~110 µs for a 414 KB body).
 *
 * Loads need no alignment in WebAssembly (the `align` immediate is a hint), so keys sit at any
 * offset. An access past the memory's end traps (a `RuntimeError`); `uncompress` also checks
 * every write against the output range it was given, so a malformed block never writes
 * outside it.
 */

/**
 * The parts of the WebAssembly JS API used here. TypeScript declares them only in its DOM
 * libraries, which this Node-only project does not load; Node has had them all since v8.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  /** Appends `pages` pages (zeroed); the previous `buffer` is detached. */
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let compiled: object | undefined;

/** WebAssembly's page size: memories grow by whole pages. */
export const WASM_PAGE_BYTES = 65536;

/** The routines of bytes.wat over one memory. */
export interface WasmBytes {
  /** 1 when the memory's `n` bytes at `a` and at `b` are the same, else 0. */
  readonly equal: (a: number, b: number, n: number) => number;
  /**
   * Decompresses the snappy elements at `[ip, ipEnd)` (a block after its length preamble)
   * into `[op, opEnd)`: 0 when they fill it exactly, else one of {@link SNAPPY_ERRORS}' codes.
   * The ranges must not overlap.
   */
  readonly uncompress: (ip: number, ipEnd: number, op: number, opEnd: number) => number;
}

/** What each negative code of {@link WasmBytes.uncompress} means. */
export const SNAPPY_ERRORS: Readonly<Record<number, string>> = {
  [-1]: 'the block ends inside an element',
  [-2]: 'a literal length overflows',
  [-3]: 'it holds more bytes than its preamble declares',
  [-4]: 'a copy reaches before the start of the output',
  [-5]: 'it holds fewer bytes than its preamble declares',
};

/** A new memory of `pages` zeroed pages. */
export function createWasmMemory(pages: number): WasmMemory {
  return new wasm.Memory({ initial: pages });
}

/** The routines over `memory` (one instance of the shared compiled module). */
export function wasmBytesOver(memory: WasmMemory): WasmBytes {
  compiled ??= new wasm.Module(Buffer.from(BYTES_WASM_BASE64, 'base64'));
  const { exports } = new wasm.Instance(compiled, { env: { memory } });
  return { equal: exports['equal'] as WasmBytes['equal'], uncompress: exports['uncompress'] as WasmBytes['uncompress'] };
}
