import { SERIES_REF_WORDS } from '#pharos/metric-model';

/** Words per slot: the ref's four, the id, the owner's tag, and padding to 32 bytes (two slots a cache line). */
const SLOT_WORDS = 8;
const ID_WORD = SERIES_REF_WORDS;
const TAG_WORD = SERIES_REF_WORDS + 1;

/**
 * Series ref (128 bits) → series id, open addressing over one typed array: stream records
 * name most series by ref (ADR 0010), so this runs once per series of every record and must
 * not allocate. A slot holds the ref and its id side by side, so a probe touches one cache
 * line (with separate key and id columns it touched two; at 32 k series the table outgrows
 * the L2 cache and every probe is a miss). Refs are SHA-256 prefixes, uniform already, so
 * their first word is the slot hash. Entries are never removed (a series is known for good
 * once appended).
 */
export class SeriesRefTable {
  /** `SLOT_WORDS` words per slot: ref words 0–3, id in word 4, tag in word 5; id 0 = empty (ids start at 1). */
  private slots = new Uint32Array(SLOT_WORDS * 1024);
  private mask = 1023;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /**
   * Id stored for `refs[at .. at + 4)` with tag `tag`, or -1. The tag is the caller's (the
   * series index stores its tenant's number), checked in the slot the probe reads anyway.
   */
  get(refs: Uint32Array, at: number, tag = 0): number {
    const slots = this.slots;
    const mask = this.mask;
    const r0 = refs[at]!;
    const r1 = refs[at + 1]!;
    const r2 = refs[at + 2]!;
    const r3 = refs[at + 3]!;
    for (let slot = r0 & mask; ; slot = (slot + 1) & mask) {
      const k = SLOT_WORDS * slot;
      const id = slots[k + ID_WORD]!;
      if (id === 0) return -1;
      if (slots[k] === r0 && slots[k + 1] === r1 && slots[k + 2] === r2 && slots[k + 3] === r3) return slots[k + TAG_WORD] === tag ? id : -1;
    }
  }

  /** Stores `id` (and `tag`, a uint32) under the ref, replacing an equal ref's. */
  set(refs: Uint32Array, at: number, id: number, tag = 0): void {
    if (!(id > 0 && id <= 0x7fffffff && Number.isInteger(id))) throw new RangeError(`series ids are integers from 1 to 2^31 - 1, got ${id}`);
    if (!(tag >= 0 && tag <= 0xffffffff && Number.isInteger(tag))) throw new RangeError(`a tag is a uint32, got ${tag}`);
    if (2 * (this.count + 1) > this.mask + 1) this.grow();
    if (place(this.slots, this.mask, refs, at, id, tag)) this.count++;
  }

  private grow(): void {
    const old = this.slots;
    const slots = new Uint32Array(old.length * 2);
    const mask = slots.length / SLOT_WORDS - 1;
    for (let k = 0; k < old.length; k += SLOT_WORDS) {
      if (old[k + ID_WORD] !== 0) place(slots, mask, old, k, old[k + ID_WORD]!, old[k + TAG_WORD]!);
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/** Puts `id` and `tag` under the ref at `refs[at ..]`; true when the ref was new. */
function place(slots: Uint32Array, mask: number, refs: Uint32Array, at: number, id: number, tag: number): boolean {
  for (let slot = refs[at]! & mask; ; slot = (slot + 1) & mask) {
    const k = SLOT_WORDS * slot;
    if (slots[k + ID_WORD] === 0) {
      for (let w = 0; w < SERIES_REF_WORDS; w++) slots[k + w] = refs[at + w]!;
      slots[k + ID_WORD] = id;
      slots[k + TAG_WORD] = tag;
      return true;
    }
    if (slots[k] === refs[at] && slots[k + 1] === refs[at + 1] && slots[k + 2] === refs[at + 2] && slots[k + 3] === refs[at + 3]) {
      slots[k + ID_WORD] = id;
      slots[k + TAG_WORD] = tag;
      return false;
    }
  }
}
