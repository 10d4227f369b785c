import { ByteKeyGeneration } from './byte-key-table.js';
import type { Labels } from './labels.js';

/** Initial table slots and key bytes of a generation: remote write sees many series at once. */
const INITIAL_SLOTS = 4096;
const INITIAL_SLAB_BYTES = 256 * 1024;

/** Bounds of the trust `LabelSetInterner.lookup` puts in its guess of the next set. */
const MAX_PREDICT_SCORE = 16;
const PREDICT_MISS_COST = 4;

const generation = (): ByteKeyGeneration<number> => new ByteKeyGeneration<number>(INITIAL_SLOTS, INITIAL_SLAB_BYTES);

/**
 * The interner slot of each series of a batch (-1 where none), as a decoder that interns
 * label sets reports them: `slots[i]` for the batch's series `i`, all from `interner`.
 * See {@link LabelSetInterner.lastSlot}.
 */
export interface SeriesSlots {
  readonly interner: LabelSetInterner;
  readonly slots: Int32Array;
}

/**
 * Maps the encoded bytes of a label set to one shared `Labels` array, so recurring series
 * skip string creation and downstream per-array caches (such as `seriesHash`) keep hitting.
 * Hits are verified by comparing the bytes in full: a hash collision cannot return the
 * wrong labels. Memory is bounded by two generations of at most `maxBytesPerGeneration`
 * key bytes: when the young one fills it becomes the old one and the previous old one is
 * dropped; old hits are promoted (an LRU approximation without per-hit bookkeeping). Real
 * memory is a few times the key bytes (the strings and arrays of the labels).
 *
 * Each held label set also has a *slot*: a small integer, dense from 0, that stays the same
 * while the set is held (promotion keeps it) and is reused only after the set was dropped.
 * {@link lastSlot} tells the slot of the set the latest `get` or `set` returned, so callers
 * can keep per-series state in typed arrays indexed by slot instead of a `WeakMap` keyed by
 * the array (a hashed lookup and an object per series; see `SeriesDefinitions` in
 * libs/ingest). A reused slot holds a different `Labels` array, so such state is checked
 * against {@link labelsAt}.
 */
export class LabelSetInterner {
  private young = generation();
  private old = generation();
  /** Number of the young generation (the old one is one less); `owner[slot]`: the newest generation holding the slot, 0 when free. */
  private youngNumber = 2;
  private owner = new Int32Array(1024);
  private readonly slotLabels: (Labels | undefined)[] = [];
  private readonly freeSlots: number[] = [];
  /** Slot of the label set the latest {@link get} hit or {@link set} stored; -1 when none. */
  lastSlot = -1;
  /** The hash {@link lookup} computed last. */
  lastHash = 0;
  /** Key length of the set the latest {@link lookupPrefix} hit. */
  lastKeyLength = 0;
  /** Young entry expected next (the one after the latest hit or store) and the trust in it. */
  private nextEntry = -1;
  private predictScore = 0;
  /** The body the lookups probe with (see {@link attachBody}), for a young generation made meanwhile. */
  private body: Uint8Array | null = null;

  constructor(private readonly maxBytesPerGeneration = 32 * 1024 * 1024) {}

  /**
   * Labels stored for the bytes `[start, end)` of `buf` (`view` over the same bytes), if any,
   * as {@link get} with the hash computed here — and only when needed: senders repeat their
   * series in the same order request after request, so the set after the previous hit (in the
   * young generation's insertion order) is compared first, skipping the hash and the probe.
   * The guess is tried only while it keeps being right. After a miss, {@link lastHash} is the
   * hash to pass to {@link set}.
   */
  lookup(view: DataView, buf: Uint8Array, start: number, end: number): Labels | undefined {
    const next = this.nextEntry;
    if (this.predictScore > 0 && this.young.keyEquals(next, buf, start, end)) {
      if (this.predictScore < MAX_PREDICT_SCORE) this.predictScore++;
      this.nextEntry = next + 1;
      const slot = this.young.values[next]!;
      this.lastSlot = slot;
      return this.slotLabels[slot];
    }
    if (this.predictScore > 0) this.predictScore -= PREDICT_MISS_COST;
    const hash = hashBytes(view, start, end);
    this.lastHash = hash;
    return this.get(hash, buf, start, end);
  }

  /**
   * Names the request body whose label bytes the following lookups pass (as `buf`), so that
   * they compare in WebAssembly (see `ByteKeyGeneration.attachBody`). The body MUST NOT
   * change until {@link detachBody}; lookups with other buffers work as before.
   */
  attachBody(body: Uint8Array): void {
    this.body = body;
    this.young.attachBody(body);
    this.old.attachBody(body);
  }

  /**
   * Decompresses a snappy block (elements from `block[from]`, `length` bytes as its preamble
   * declares) into the young generation's memory and attaches it as the body, which then
   * needs no copy for the comparisons; returns it, or undefined when it is too large for
   * that (see `ByteKeyGeneration.uncompressBody`: the view is valid until the next body).
   * Throws `SnappyBlockError` for a malformed block.
   */
  uncompressBody(block: Uint8Array, from: number, length: number): Buffer | undefined {
    const body = this.young.uncompressBody(block, from, length);
    if (body !== undefined) this.attachBody(body);
    return body;
  }

  /** Lets go of the attached body. */
  detachBody(): void {
    this.body = null;
    this.young.detachBody();
    this.old.detachBody();
  }

  /**
   * The labels of the set {@link lookup} would guess next when its key is the bytes at
   * `buf[start]` (within `end`); its length is then {@link lastKeyLength}. For a decoder that
   * can tell where a series' label bytes end only by walking them: a hit skips the walk, as
   * the key's bytes are whole label messages. A hit counts as {@link lookup}'s; a miss
   * changes nothing (the caller goes on to find the bytes and call {@link lookup}).
   */
  lookupPrefix(buf: Uint8Array, start: number, end: number): Labels | undefined {
    if (this.predictScore <= 0) return undefined;
    const next = this.nextEntry;
    const len = this.young.keyLength(next);
    if (len < 0 || start + len > end || !this.young.keyEquals(next, buf, start, start + len)) return undefined;
    if (this.predictScore < MAX_PREDICT_SCORE) this.predictScore++;
    this.nextEntry = next + 1;
    const slot = this.young.values[next]!;
    this.lastSlot = slot;
    this.lastKeyLength = len;
    return this.slotLabels[slot];
  }

  /** Labels stored for `buf[start, end)` under `hash` (from {@link hashBytes}), if any. */
  get(hash: number, buf: Uint8Array, start: number, end: number): Labels | undefined {
    const y = this.young.find(hash, buf, start, end);
    if (y >= 0) {
      // Would the guess of `lookup` have been right? Then it is worth making again.
      if (y === this.nextEntry && this.predictScore < MAX_PREDICT_SCORE) this.predictScore++;
      this.nextEntry = y + 1;
      const slot = this.young.values[y]!;
      this.lastSlot = slot;
      return this.slotLabels[slot];
    }
    const o = this.old.find(hash, buf, start, end);
    if (o < 0) {
      this.lastSlot = -1;
      return undefined;
    }
    const slot = this.old.values[o]!;
    const labels = this.slotLabels[slot]!;
    this.store(hash, buf, start, end, slot, false);
    return labels;
  }

  /** Stores labels decoded from `buf[start, end)` (the bytes are copied). */
  set(hash: number, buf: Uint8Array, start: number, end: number, labels: Labels): void {
    this.lastSlot = -1;
    if (end - start > this.maxBytesPerGeneration) return;
    const slot = this.freeSlots.length > 0 ? this.freeSlots.pop()! : this.slotLabels.length;
    this.slotLabels[slot] = labels;
    this.store(hash, buf, start, end, slot, true);
  }

  /** The label set in `slot`, or undefined when the slot is free. */
  labelsAt(slot: number): Labels | undefined {
    return this.slotLabels[slot];
  }

  /** Slots in use or free: every slot is below this. */
  get slotCount(): number {
    return this.slotLabels.length;
  }

  get size(): number {
    return this.young.size + this.old.size;
  }

  clear(): void {
    this.young = generation();
    this.old = generation();
    this.body = null;
    this.youngNumber = 2;
    this.owner = new Int32Array(1024);
    this.slotLabels.length = 0;
    this.freeSlots.length = 0;
    this.lastSlot = -1;
    this.nextEntry = -1;
  }

  /**
   * Files `slot` in the young generation, rotating first when it is full. `fresh`: the slot
   * was just taken from the free list (no generation holds it yet); otherwise it is an old
   * entry being promoted.
   */
  private store(hash: number, buf: Uint8Array, start: number, end: number, slot: number, fresh: boolean): void {
    if (this.owner.length <= slot) {
      const owner = new Int32Array(Math.max(slot + 1, 2 * this.owner.length));
      owner.set(this.owner);
      this.owner = owner;
    }
    let rotated = false;
    if (this.young.bytes + (end - start) > this.maxBytesPerGeneration) {
      // The rotation drops the old generation, which holds a promoted slot: claim it first.
      if (!fresh) this.owner[slot] = this.youngNumber;
      this.rotate();
      rotated = true;
    }
    if (this.young.add(hash, buf, start, end, slot)) {
      this.owner[slot] = this.youngNumber;
      this.lastSlot = slot;
      this.nextEntry = this.young.size;
      return;
    }
    // Not stored (adversarial collisions): free the slot unless the old generation still
    // holds the set (a promotion without a rotation).
    this.lastSlot = -1;
    if (fresh || rotated) this.release(slot);
  }

  /** The young generation becomes the old; the slots only the dropped old one held are freed. */
  private rotate(): void {
    const dropped = this.old;
    const droppedNumber = this.youngNumber - 1;
    for (let e = 0; e < dropped.values.length; e++) {
      const slot = dropped.values[e]!;
      if (this.owner[slot] === droppedNumber) this.release(slot);
    }
    this.old = this.young;
    this.young = generation();
    if (this.body !== null) this.young.attachBody(this.body);
    this.youngNumber++;
    this.nextEntry = -1;
  }

  private release(slot: number): void {
    this.slotLabels[slot] = undefined;
    this.owner[slot] = 0;
    this.freeSlots.push(slot);
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
