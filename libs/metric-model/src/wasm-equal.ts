/**
 * Byte-range equality in WebAssembly SIMD, for key tables whose keys and probe bytes share one
 * `WebAssembly.Memory` (see {@link ByteKeyGeneration}). A label set's ~270 bytes compare in
 * ~30 ns this way against ~90 ns through `Buffer#compare`, whose cost is the call into C++ and
 * its argument checks rather than the `memcmp`; on the remote-write decode worker the latter
 * was ~18 % of the thread (bench/RESULTS.md, "2026-11-28 18:20 UTC — decode worker").
 *
 * The module (163 bytes) is this text format, assembled with wabt's `wat2wasm --enable-simd`;
 * it imports the memory so that every table instantiates the one compiled module over its own:
 *
 * ```wat
 * (module
 *   (import "env" "memory" (memory 1))
 *   ;; 1 when the n bytes at a and b are equal, else 0
 *   (func (export "equal") (param $a i32) (param $b i32) (param $n i32) (result i32)
 *     (block $differ
 *       (block $tail
 *         (loop $wide
 *           (br_if $tail (i32.lt_u (local.get $n) (i32.const 16)))
 *           (br_if $differ (v128.any_true (v128.xor (v128.load (local.get $a)) (v128.load (local.get $b)))))
 *           (local.set $a (i32.add (local.get $a) (i32.const 16)))
 *           (local.set $b (i32.add (local.get $b) (i32.const 16)))
 *           (local.set $n (i32.sub (local.get $n) (i32.const 16)))
 *           (br $wide)))
 *       (loop $narrow
 *         (if (i32.eqz (local.get $n)) (then (return (i32.const 1))))
 *         (br_if $differ (i32.ne (i32.load8_u (local.get $a)) (i32.load8_u (local.get $b))))
 *         (local.set $a (i32.add (local.get $a) (i32.const 1)))
 *         (local.set $b (i32.add (local.get $b) (i32.const 1)))
 *         (local.set $n (i32.sub (local.get $n) (i32.const 1)))
 *         (br $narrow)))
 *     (i32.const 0)))
 * ```
 *
 * Loads need no alignment in WebAssembly (the `align` immediate is a hint), so keys sit at any
 * offset. An access past the memory's end traps (a `RuntimeError`), never reads other memory.
 */
const EQUAL_WASM_BASE64 =
  'AGFzbQEAAAABCAFgA39/fwF/Ag8BA2VudgZtZW1vcnkCAAEDAgEABwkBBWVxdWFsAAAKbwFtAAJAAkADQCACQRBJDQEgAP0ABAAgAf0ABAD9Uf1TDQIgAEEQaiEAIAFBEGohASACQRBrIQIMAAsLA0AgAkUEQEEBDwsgAC0AACABLQAARw0BIABBAWohACABQQFqIQEgAkEBayECDAALC0EACw==';

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

/** `equal(a, b, n)`: 1 when the memory's `n` bytes at `a` and at `b` are the same, else 0. */
export type WasmEqual = (a: number, b: number, n: number) => number;

/** WebAssembly's page size: memories grow by whole pages. */
export const WASM_PAGE_BYTES = 65536;

/** A new memory of `pages` zeroed pages. */
export function createWasmMemory(pages: number): WasmMemory {
  return new wasm.Memory({ initial: pages });
}

/** The equality function over `memory` (one instance of the shared compiled module). */
export function wasmEqualOver(memory: WasmMemory): WasmEqual {
  compiled ??= new wasm.Module(Buffer.from(EQUAL_WASM_BASE64, 'base64'));
  return new wasm.Instance(compiled, { env: { memory } }).exports['equal'] as WasmEqual;
}
