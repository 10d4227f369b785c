import { SERIES_REF_WORDS } from '#pharos/metric-model';

/** Words per slot of the hash table: the ref's first word and the id (8 bytes, eight slots a cache line). */
const SLOT_WORDS = 2;
/** A guess that misses costs about what this many hits save (two cache misses against none). */
const GUESS_MISS_COST = 4;
const GUESS_SCORE_MAX = 64;

/**
 * Series ref (128 bits) → series id. Stream records name most series by ref (ADR 0010), so
 * this runs once per series of every record and must not allocate.
 *
 * Two things keep a lookup off main memory, where at 100 k series and more every random probe
 * went (a bench profile had ~200 ns a lookup against ~12 ns in isolation):
 *
 * - **A guess first.** Senders repeat their series in the same order request after request,
 *   and the collector splits each request by partition in that order, so a record of a
 *   partition names its series in the order the previous one did. The table remembers, per
 *   id, which id was looked up right after it, and first compares the ref against that
 *   id's — and ids are assigned in first-seen order, so successive guesses walk the per-id
 *   arrays forwards, which the hardware prefetches. A guess is confirmed on all 128 bits and
 *   the tag, so it is only ever a shortcut. Guessing stops while it keeps missing (a score,
 *   as the collector's label cache keeps) and resumes when the probes show it would hit.
 * - **A compact hash table.** A slot holds the ref's first word and the id (8 bytes; at most
 *   half the slots used), the full ref and the tag live by id (20 bytes a series): a probe
 *   reads a table a quarter of the size it was with whole refs in the slots, and confirms
 *   the rest in the one id's entry. Refs are SHA-256 prefixes, uniform already, so their
 *   first word is the slot hash.
 *
 * An id names one ref (the store's series ids); entries are never removed.
 */
export class SeriesRefTable {
  /** `SLOT_WORDS` words per slot: ref word 0, then the id; id 0 = empty (ids start at 1). */
  private slots = new Uint32Array(SLOT_WORDS * 1024);
  private mask = 1023;
  private count = 0;
  /** The ref of each id, `SERIES_REF_WORDS` words per id. */
  private refById = new Uint32Array(SERIES_REF_WORDS * 1024);
  private tagById = new Uint32Array(1024);
  /** The id looked up after this id last time (0: none yet). */
  private nextById = new Int32Array(1024);
  /** Ids whose ref was re-pointed to another id; allocated by the first such `set` (normally never). */
  private retired: Uint8Array | undefined;
  private lastId = 0;
  private guessScore = 0;

  get size(): number {
    return this.count;
  }

  /**
   * Id stored for `refs[at .. at + 4)` with tag `tag`, or -1. The tag is the caller's (the
   * series index stores its tenant's number), checked beside the ref.
   */
  get(refs: Uint32Array, at: number, tag = 0): number {
    const r0 = refs[at]!;
    const r1 = refs[at + 1]!;
    const r2 = refs[at + 2]!;
    const r3 = refs[at + 3]!;
    const byId = this.refById;
    const prev = this.lastId;
    const guess = prev > 0 ? this.nextById[prev]! : 0;
    if (guess > 0 && this.guessScore >= 0) {
      const k = SERIES_REF_WORDS * guess;
      if (byId[k] === r0 && byId[k + 1] === r1 && byId[k + 2] === r2 && byId[k + 3] === r3 && this.tagById[guess] === tag && this.isLive(guess)) {
        if (this.guessScore < GUESS_SCORE_MAX) this.guessScore++;
        this.lastId = guess;
        return guess;
      }
      this.guessScore -= GUESS_MISS_COST;
    }
    const id = this.probe(r0, r1, r2, r3);
    if (id === 0) return -1;
    if (this.tagById[id] !== tag) return -1;
    if (prev > 0) {
      // Learning the order; while guesses are off, a guess that would have hit turns them back on.
      if (guess === id) this.guessScore += GUESS_MISS_COST;
      else this.nextById[prev] = id;
    }
    this.lastId = id;
    return id;
  }

  /** The id whose ref is `r0 r1 r2 r3`, or 0; no guess, no learning. */
  private probe(r0: number, r1: number, r2: number, r3: number): number {
    const slots = this.slots;
    const byId = this.refById;
    const mask = this.mask;
    for (let slot = r0 & mask; ; slot = (slot + 1) & mask) {
      const s = SLOT_WORDS * slot;
      const id = slots[s + 1]!;
      if (id === 0) return 0;
      if (slots[s] !== r0) continue;
      const k = SERIES_REF_WORDS * id;
      if (byId[k + 1] === r1 && byId[k + 2] === r2 && byId[k + 3] === r3) return id;
    }
  }

  /**
   * Stores `id` (and `tag`, a uint32) under the ref. An equal ref already stored is re-pointed
   * to `id` (its old id no longer answers); an id may hold one ref only.
   */
  set(refs: Uint32Array, at: number, id: number, tag = 0): void {
    if (!(id > 0 && id <= 0x7fffffff && Number.isInteger(id))) throw new RangeError(`series ids are integers from 1 to 2^31 - 1, got ${id}`);
    if (!(tag >= 0 && tag <= 0xffffffff && Number.isInteger(tag))) throw new RangeError(`a tag is a uint32, got ${tag}`);
    this.ensureId(id);
    const k = SERIES_REF_WORDS * id;
    const byId = this.refById;
    const same = byId[k] === refs[at] && byId[k + 1] === refs[at + 1] && byId[k + 2] === refs[at + 2] && byId[k + 3] === refs[at + 3];
    if (!same && this.probe(byId[k]!, byId[k + 1]!, byId[k + 2]!, byId[k + 3]!) === id) {
      throw new RangeError(`series id ${id} already holds another ref`);
    }
    if (2 * (this.count + 1) > this.mask + 1) this.grow();
    for (let w = 0; w < SERIES_REF_WORDS; w++) byId[k + w] = refs[at + w]!;
    this.tagById[id] = tag;
    this.retired?.fill(0, id, id + 1);
    const replaced = place(this.slots, this.mask, refs[at]!, id, byId, k);
    if (replaced === 0) this.count++;
    else if (replaced !== id) (this.retired ??= new Uint8Array(this.tagById.length))[replaced] = 1;
  }

  private isLive(id: number): boolean {
    return this.retired === undefined || this.retired[id] !== 1;
  }

  private ensureId(id: number): void {
    if (id < this.tagById.length) return;
    const cap = Math.max(id + 1, 2 * this.tagById.length);
    const refById = new Uint32Array(SERIES_REF_WORDS * cap);
    refById.set(this.refById);
    this.refById = refById;
    const tags = new Uint32Array(cap);
    tags.set(this.tagById);
    this.tagById = tags;
    const next = new Int32Array(cap);
    next.set(this.nextById);
    this.nextById = next;
    if (this.retired !== undefined) {
      const retired = new Uint8Array(cap);
      retired.set(this.retired);
      this.retired = retired;
    }
  }

  private grow(): void {
    const old = this.slots;
    const slots = new Uint32Array(old.length * 2);
    const mask = slots.length / SLOT_WORDS - 1;
    for (let s = 0; s < old.length; s += SLOT_WORDS) {
      const id = old[s + 1]!;
      if (id !== 0) place(slots, mask, old[s]!, id, this.refById, SERIES_REF_WORDS * id);
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/**
 * Puts `id` in the slot of the ref `byId[k .. k + 4)` (whose first word is `r0`); returns 0
 * when the ref was new, else the id it replaced.
 */
function place(slots: Uint32Array, mask: number, r0: number, id: number, byId: Uint32Array, k: number): number {
  for (let slot = r0 & mask; ; slot = (slot + 1) & mask) {
    const s = SLOT_WORDS * slot;
    const held = slots[s + 1]!;
    if (held === 0) {
      slots[s] = r0;
      slots[s + 1] = id;
      return 0;
    }
    if (slots[s] !== r0) continue;
    const h = SERIES_REF_WORDS * held;
    if (held === id || (byId[h + 1] === byId[k + 1] && byId[h + 2] === byId[k + 2] && byId[h + 3] === byId[k + 3] && byId[h] === r0)) {
      slots[s + 1] = id;
      return held;
    }
  }
}
