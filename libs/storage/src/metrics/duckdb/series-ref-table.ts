import { SERIES_REF_WORDS } from '#pharos/metric-model';

/**
 * Series ref (128 bits) → series id, as typed-array columns with open addressing: stream
 * records name most series by ref (ADR 0010), so this runs once per series of every record
 * and must not allocate. Refs are SHA-256 prefixes, uniform already, so their first word is
 * the slot hash. Entries are never removed (a series is known for good once appended).
 */
export class SeriesRefTable {
  /** 4 words per slot. */
  private keys = new Uint32Array(SERIES_REF_WORDS * 1024);
  /** Id per slot; 0 = empty (ids start at 1). */
  private ids = new Int32Array(1024);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Id stored for `refs[at .. at + 4)`, or -1. */
  get(refs: Uint32Array, at: number): number {
    const ids = this.ids;
    const keys = this.keys;
    const mask = ids.length - 1;
    const r0 = refs[at]!;
    const r1 = refs[at + 1]!;
    const r2 = refs[at + 2]!;
    const r3 = refs[at + 3]!;
    for (let slot = r0 & mask; ; slot = (slot + 1) & mask) {
      const id = ids[slot]!;
      if (id === 0) return -1;
      const k = SERIES_REF_WORDS * slot;
      if (keys[k] === r0 && keys[k + 1] === r1 && keys[k + 2] === r2 && keys[k + 3] === r3) return id;
    }
  }

  /** Stores `id` under the ref (replacing an equal ref's id). */
  set(refs: Uint32Array, at: number, id: number): void {
    if (id <= 0) throw new RangeError(`series ids start at 1, got ${id}`);
    if (2 * (this.count + 1) > this.ids.length) this.grow();
    if (this.place(this.keys, this.ids, refs, at, id)) this.count++;
  }

  private place(keys: Uint32Array, ids: Int32Array, refs: Uint32Array, at: number, id: number): boolean {
    const mask = ids.length - 1;
    for (let slot = refs[at]! & mask; ; slot = (slot + 1) & mask) {
      const k = SERIES_REF_WORDS * slot;
      if (ids[slot] === 0) {
        for (let w = 0; w < SERIES_REF_WORDS; w++) keys[k + w] = refs[at + w]!;
        ids[slot] = id;
        return true;
      }
      if (keys[k] === refs[at] && keys[k + 1] === refs[at + 1] && keys[k + 2] === refs[at + 2] && keys[k + 3] === refs[at + 3]) {
        ids[slot] = id;
        return false;
      }
    }
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldIds = this.ids;
    const keys = new Uint32Array(oldKeys.length * 2);
    const ids = new Int32Array(oldIds.length * 2);
    for (let slot = 0; slot < oldIds.length; slot++) {
      if (oldIds[slot] !== 0) this.place(keys, ids, oldKeys, SERIES_REF_WORDS * slot, oldIds[slot]!);
    }
    this.keys = keys;
    this.ids = ids;
  }
}
