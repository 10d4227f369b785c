import { createWasmMemory, SNAPPY_ERRORS, WASM_PAGE_BYTES, wasmBytesOver, type WasmBytes, type WasmMemory } from './wasm/bytes.js';

/**
 * Accounted bytes per entry besides its key and its value's own cost (table slot, span, value
 * slot), so that tiny keys still count toward a generation's bound.
 */
export const BYTE_KEY_ENTRY_OVERHEAD = 48;

/** Linear probes before giving up: a run this long means adversarial collisions. */
const MAX_PROBE = 64;

/**
 * Attached bodies larger than this are compared through `Buffer#compare` instead of being
 * copied (or decompressed) into the table's memory, which never shrinks (remote-write bodies
 * are ~0.5 MB).
 */
export const MAX_ATTACHED_BODY_BYTES = 16 * 1024 * 1024;

/** A snappy block that {@link ByteKeyGeneration.uncompressBody} could not decompress. */
export class SnappyBlockError extends Error {
  override readonly name = 'SnappyBlockError';
}

/**
 * One generation of a byte-keyed map, held as columns rather than one object per entry: key
 * bytes packed in one slab, an open-addressing table and per-entry offset/length in typed
 * arrays. With 100k entries, per-entry objects and ArrayBuffers made GC the largest cost of
 * decoding, and a `Map` lookup cost more than hashing the key. The label interner and the
 * OTLP series caches both keep two of these (young and old) and drop the old one when the
 * young one fills; entries are never removed one by one.
 *
 * Hashes are the caller's (any int32; quality only affects speed): a hit
 * is confirmed by comparing the key bytes in full, so a collision never returns another key's
 * value.
 */
export class ByteKeyGeneration<T> {
  /**
   * Open addressing, linear probing; slot k holds `[hash, entry + 1]` at `2k`, `2k + 1`
   * (0 = empty), so a probe reads one cache line rather than a table and a hash column.
   * At most half the slots are used: runs stay short.
   */
  private table: Int32Array;
  /** `[offset, length]` of each entry's key in the slab (offsets from the slab's start). */
  private spans: Int32Array;
  /**
   * Holds the attached body's copy at `[0, bodyCapacity)` and the key slab after it, so that
   * one WebAssembly function compares a body's bytes with a key (wasm/bytes.ts). Grows by
   * pages: the slab in place, the body area by moving the slab up (rare: to the largest body).
   */
  private readonly memory: WasmMemory;
  private readonly wasm: WasmBytes;
  /** Views over `memory` (replaced whenever it grows, which detaches the old buffer). */
  private mem: Uint8Array;
  private memBuffer: Buffer;
  private bodyCapacity = 0;
  private slabCapacity: number;
  private slabUsed = 0;
  /** The caller's body (see {@link attachBody}) and whether its bytes are copied in yet. */
  private body: Uint8Array | null = null;
  private bodyCopied = false;
  /** The view {@link uncompressBody} returned last while its bytes are still in the body area. */
  private residentBody: Buffer | null = null;
  /** Entry `e`'s value is `values[e]`, `e` as {@link find} returns it. */
  readonly values: T[] = [];
  /** Accounted bytes: each entry's key length, value cost and {@link BYTE_KEY_ENTRY_OVERHEAD}. */
  bytes = 0;

  /**
   * @param initialSlots table slots to start with (a power of two ≥ 4); the table doubles
   *   whenever it would be more than half full.
   * @param initialSlabBytes key bytes to reserve (rounded up to whole 64 KiB pages); the slab
   *   doubles as needed.
   */
  constructor(initialSlots = 1024, initialSlabBytes = 64 * 1024) {
    if (!Number.isInteger(initialSlots) || initialSlots < 4 || (initialSlots & (initialSlots - 1)) !== 0 || initialSlots > 1 << 28) {
      throw new RangeError(`initialSlots must be a power of two from 4 to 2^28, got ${initialSlots}`);
    }
    if (!Number.isInteger(initialSlabBytes) || initialSlabBytes < 1) {
      throw new RangeError(`initialSlabBytes must be a positive integer, got ${initialSlabBytes}`);
    }
    this.table = new Int32Array(2 * initialSlots);
    this.spans = new Int32Array(2 * (initialSlots >>> 2));
    const pages = Math.ceil(initialSlabBytes / WASM_PAGE_BYTES);
    this.memory = createWasmMemory(pages);
    this.wasm = wasmBytesOver(this.memory);
    this.slabCapacity = pages * WASM_PAGE_BYTES;
    this.mem = new Uint8Array(this.memory.buffer);
    this.memBuffer = Buffer.from(this.memory.buffer);
  }

  /**
   * Names the buffer that the following lookups mostly probe with (a request body, whose
   * label bytes are the keys): the first comparison copies it into the table's memory once,
   * and comparisons with it then run in WebAssembly. Its bytes MUST NOT change until
   * {@link detachBody} or the next attach. Lookups with other buffers work as before.
   */
  attachBody(body: Uint8Array): void {
    if (body === this.residentBody) {
      this.body = body;
      this.bodyCopied = true;
      return;
    }
    // Another body's copy will take the body area.
    this.residentBody = null;
    this.body = body.byteLength <= MAX_ATTACHED_BODY_BYTES ? body : null;
    this.bodyCopied = false;
  }

  /**
   * Decompresses a snappy block (its elements from `block[from]`, `length` bytes as its
   * preamble declares) into the body area and attaches the result as the body; returns a
   * view of it, or undefined when `length` is over {@link MAX_ATTACHED_BODY_BYTES} (the
   * caller decompresses it elsewhere). Throws {@link SnappyBlockError} for a malformed block.
   *
   * The view stays valid until the next `uncompressBody` or {@link attachBody} of another
   * buffer, which overwrite its bytes. The memory does not grow meanwhile (that would detach
   * the view): room for `length` more key bytes is made here, as keys added while a body is
   * attached are ranges of it, and a key from elsewhere that would need more is not stored.
   */
  uncompressBody(block: Uint8Array, from: number, length: number): Buffer | undefined {
    if (length > MAX_ATTACHED_BODY_BYTES) return undefined;
    const input = block.byteLength - from;
    // Output at [0, length), the compressed elements after it.
    this.makeRoom(length + input, length);
    this.residentBody = null;
    this.body = null;
    this.mem.set(new Uint8Array(block.buffer, block.byteOffset + from, input), length);
    const code = this.wasm.uncompress(length, length + input, 0, length);
    if (code !== 0) throw new SnappyBlockError(SNAPPY_ERRORS[code] ?? `error ${code}`);
    const view = Buffer.from(this.memory.buffer, 0, length);
    this.residentBody = view;
    this.body = view;
    this.bodyCopied = true;
    return view;
  }

  /** Forgets the attached body (the table keeps no reference to it). */
  detachBody(): void {
    this.body = null;
    this.bodyCopied = false;
  }

  /** Entries held. */
  get size(): number {
    return this.values.length;
  }

  /** Key bytes held in the slab. */
  get keyBytes(): number {
    return this.slabUsed;
  }

  /** The entry whose key is `buf[start, end)` under `hash`, or -1. */
  find(hash: number, buf: Uint8Array, start: number, end: number): number {
    const len = end - start;
    const table = this.table;
    const mask = (table.length >>> 1) - 1;
    let slot = hash & mask;
    for (let probe = 0; probe < MAX_PROBE; probe++) {
      const e = table[2 * slot + 1]! - 1;
      if (e < 0) return -1;
      if (table[2 * slot] === hash && this.spans[2 * e + 1] === len) {
        if (this.sameBytes(this.spans[2 * e]!, buf, start, len)) return e;
      }
      slot = (slot + 1) & mask;
    }
    return -1;
  }

  /** Length of entry `e`'s key, or -1 when there is no such entry. */
  keyLength(e: number): number {
    return e >= 0 && e < this.values.length ? this.spans[2 * e + 1]! : -1;
  }

  /** True when entry `e` (an index {@link find} returns) exists and its key is `buf[start, end)`. */
  keyEquals(e: number, buf: Uint8Array, start: number, end: number): boolean {
    if (e < 0 || e >= this.values.length) return false;
    const len = end - start;
    if (this.spans[2 * e + 1] !== len) return false;
    return this.sameBytes(this.spans[2 * e]!, buf, start, len);
  }

  /** True when the key at slab offset `off` is `buf[start, start + len)`. */
  private sameBytes(off: number, buf: Uint8Array, start: number, len: number): boolean {
    if (buf === this.body) {
      // The copy may move the slab up: its offset is read after.
      if (!this.bodyCopied) this.copyBody(buf);
      return this.wasm.equal(start, this.bodyCapacity + off, len) === 1;
    }
    const at = this.bodyCapacity + off;
    // Native memcmp: measured ~3x faster than a JS byte loop for 270-byte keys.
    return this.memBuffer.compare(buf, start, start + len, at, at + len) === 0;
  }

  private copyBody(body: Uint8Array): void {
    this.makeRoom(body.byteLength, 0);
    this.mem.set(body, 0);
    this.bodyCopied = true;
  }

  /**
   * Grows the memory, once, so that the body area holds `bodyBytes` and the slab has
   * `slabFree` bytes unused. The body area grows by half again at least (whole pages), as
   * the slab moves up with it; the slab at least doubles.
   */
  private makeRoom(bodyBytes: number, slabFree: number): void {
    const bodyExtra = bodyBytes <= this.bodyCapacity ? 0 : pages(Math.max(bodyBytes, 1.5 * this.bodyCapacity)) - this.bodyCapacity;
    const short = this.slabUsed + slabFree - this.slabCapacity;
    const slabExtra = short <= 0 ? 0 : pages(Math.max(short, this.slabCapacity));
    if (bodyExtra + slabExtra === 0) return;
    this.growBy(bodyExtra + slabExtra);
    if (bodyExtra > 0) {
      this.mem.copyWithin(this.bodyCapacity + bodyExtra, this.bodyCapacity, this.bodyCapacity + this.slabUsed);
      this.bodyCapacity += bodyExtra;
    }
    this.slabCapacity += slabExtra;
  }

  private growBy(bytes: number): void {
    this.memory.grow(Math.ceil(bytes / WASM_PAGE_BYTES));
    this.mem = new Uint8Array(this.memory.buffer);
    this.memBuffer = Buffer.from(this.memory.buffer);
  }

  /**
   * Stores `value` for the key `buf[start, end)` under `hash` (the bytes are copied) and
   * accounts `end - start + cost + BYTE_KEY_ENTRY_OVERHEAD` bytes. The caller has checked
   * with {@link find} that the key is absent. Returns false, storing nothing, when
   * {@link MAX_PROBE} slots in a row are taken: not caching is the safe answer to
   * adversarial collisions.
   */
  add(hash: number, buf: Uint8Array, start: number, end: number, value: T, cost = 0): boolean {
    const i = this.values.length;
    if (4 * (i + 1) > this.table.length) this.rehash(this.table.length * 2);
    const table = this.table;
    const mask = (table.length >>> 1) - 1;
    let slot = hash & mask;
    let probe = 0;
    while (table[2 * slot + 1] !== 0) {
      if (++probe === MAX_PROBE) return false;
      slot = (slot + 1) & mask;
    }
    const len = end - start;
    if (this.slabUsed + len > this.slabCapacity) {
      // Growing would detach the view of a decompressed body its caller reads (which made
      // room for its own keys): a key from elsewhere is not stored then.
      if (this.residentBody !== null && this.body === this.residentBody) return false;
      // Pages appended after the slab: it grows in place (at least doubling), nothing is copied.
      this.makeRoom(0, len);
    }
    // A plain Uint8Array view: `Buffer#subarray` goes through the species constructor and
    // `Buffer#copy` validates more; both measured slower.
    this.mem.set(new Uint8Array(buf.buffer, buf.byteOffset + start, len), this.bodyCapacity + this.slabUsed);
    if (2 * i + 2 > this.spans.length) {
      const spans = new Int32Array(this.spans.length * 2);
      spans.set(this.spans);
      this.spans = spans;
    }
    this.spans[2 * i] = this.slabUsed;
    this.spans[2 * i + 1] = len;
    this.values.push(value);
    table[2 * slot] = hash;
    table[2 * slot + 1] = i + 1;
    this.slabUsed += len;
    this.bytes += len + cost + BYTE_KEY_ENTRY_OVERHEAD;
    return true;
  }

  /** Table slots now (a power of two); exposed for tests of growth. */
  get slots(): number {
    return this.table.length >>> 1;
  }

  private rehash(length: number): void {
    const old = this.table;
    const table = new Int32Array(length);
    const mask = (length >>> 1) - 1;
    for (let k = 0; k < old.length; k += 2) {
      if (old[k + 1] === 0) continue;
      let slot = old[k]! & mask;
      while (table[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
      table[2 * slot] = old[k]!;
      table[2 * slot + 1] = old[k + 1]!;
    }
    this.table = table;
  }
}

/** `bytes` rounded up to whole WebAssembly pages. */
function pages(bytes: number): number {
  return Math.ceil(bytes / WASM_PAGE_BYTES) * WASM_PAGE_BYTES;
}
