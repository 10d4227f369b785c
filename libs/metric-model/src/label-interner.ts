import { ByteKeyGeneration } from './byte-key-table.js';
import type { Labels } from './labels.js';

/** Initial table slots and key bytes of a generation: remote write sees many series at once. */
const INITIAL_SLOTS = 4096;
const INITIAL_SLAB_BYTES = 256 * 1024;

const generation = (): ByteKeyGeneration<Labels> => new ByteKeyGeneration<Labels>(INITIAL_SLOTS, INITIAL_SLAB_BYTES);

/**
 * Maps the encoded bytes of a label set to one shared `Labels` array, so recurring series
 * skip string creation and downstream per-array caches (such as `seriesHash`) keep hitting.
 * Hits are verified by comparing the bytes in full: a hash collision cannot return the
 * wrong labels. Memory is bounded by two generations of at most `maxBytesPerGeneration`
 * key bytes: when the young one fills it becomes the old one and the previous old one is
 * dropped; old hits are promoted (an LRU approximation without per-hit bookkeeping). Real
 * memory is a few times the key bytes (the strings and arrays of the labels).
 */
export class LabelSetInterner {
  private young = generation();
  private old = generation();

  constructor(private readonly maxBytesPerGeneration = 32 * 1024 * 1024) {}

  /** Labels stored for `buf[start, end)` under `hash` (from {@link hashBytes}), if any. */
  get(hash: number, buf: Uint8Array, start: number, end: number): Labels | undefined {
    const y = this.young.find(hash, buf, start, end);
    if (y >= 0) return this.young.values[y];
    const o = this.old.find(hash, buf, start, end);
    if (o < 0) return undefined;
    const labels = this.old.values[o]!;
    this.set(hash, buf, start, end, labels);
    return labels;
  }

  /** Stores labels decoded from `buf[start, end)` (the bytes are copied). */
  set(hash: number, buf: Uint8Array, start: number, end: number, labels: Labels): void {
    if (end - start > this.maxBytesPerGeneration) return;
    if (this.young.bytes + (end - start) > this.maxBytesPerGeneration) {
      this.old = this.young;
      this.young = generation();
    }
    this.young.add(hash, buf, start, end, labels);
  }

  get size(): number {
    return this.young.size + this.old.size;
  }

  clear(): void {
    this.young = generation();
    this.old = generation();
  }
}

/**
 * 30-bit hash of the bytes `[start, end)` of `view` (kept in V8's small-integer range).
 * Four independent multiply chains over 4-byte words: the chains overlap in the CPU, and
 * DataView reads are single loads, together ~2x faster than a byte-wise murmur on 270-byte
 * label blocks. Quality only affects speed: hits are verified byte for byte.
 */
export function hashBytes(view: DataView, start: number, end: number): number {
  let a = (end - start) ^ 0x9747b28c;
  let b = 0x7f4a7c15;
  let c = 0x01234567;
  let d = 0x89abcdef | 0;
  let i = start;
  for (; i + 16 <= end; i += 16) {
    a = Math.imul(a ^ view.getInt32(i, true), 0x5bd1e995);
    b = Math.imul(b ^ view.getInt32(i + 4, true), 0x85ebca6b);
    c = Math.imul(c ^ view.getInt32(i + 8, true), 0xc2b2ae35);
    d = Math.imul(d ^ view.getInt32(i + 12, true), 0x27d4eb2f);
    a ^= a >>> 15;
    b ^= b >>> 13;
    c ^= c >>> 16;
    d ^= d >>> 15;
  }
  for (; i < end; i++) a = Math.imul(a ^ view.getUint8(i), 0x5bd1e995);
  let h = a ^ Math.imul(b, 0xc2b2ae35) ^ Math.imul(c, 0x27d4eb2f) ^ Math.imul(d, 0x165667b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h & 0x3fffffff;
}
