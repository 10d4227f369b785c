import { randomBytes } from 'node:crypto';
import type { Labels } from '#pharos/metric-model';

/**
 * Label set → series id, for series named by their labels: open addressing over (hash, id)
 * pairs in one typed array, a candidate's labels compared in full. No key string per series:
 * a `seriesKey` per series in a `Map` cost ~150 bytes a series, and a concatenated (then
 * flattened) string per lookup. Ids are never removed. The series' labels and tenants are
 * the index's own arrays, read by id.
 */
export class LabelSetTable {
  /** `[hash, id]` per slot; id 0 = empty (ids start at 1). */
  private slots = new Int32Array(2 * 1024);
  private mask = 1023;
  /** Per table, so that which label sets share a slot cannot be known in advance. */
  private readonly seed = randomBytes(4).readInt32LE(0);

  constructor(
    private readonly labelsById: readonly (Labels | undefined)[],
    private readonly tenantById: readonly (string | undefined)[],
  ) {}

  /**
   * A 32-bit hash of a label set: FNV-1a over the UTF-16 code units, each string closed by a
   * value no code unit takes, seeded. Computed in place: nothing is allocated.
   */
  hash(labels: Labels): number {
    let h = 0x811c9dc5 ^ this.seed;
    for (let i = 0; i < labels.length; i++) {
      const s = labels[i]!;
      for (let j = 0; j < s.length; j++) h = Math.imul(h ^ s.charCodeAt(j), 0x01000193);
      h = Math.imul(h ^ 0x10000, 0x01000193);
    }
    return h | 0;
  }

  /** Id of the tenant's series with exactly these labels (whose {@link hash} is `hash`), or -1. */
  find(tenant: string, labels: Labels, hash: number): number {
    const slots = this.slots;
    const mask = this.mask;
    for (let slot = mix(hash) & mask; ; slot = (slot + 1) & mask) {
      const id = slots[2 * slot + 1]!;
      if (id === 0) return -1;
      if (slots[2 * slot] === hash && this.tenantById[id] === tenant && sameLabels(this.labelsById[id]!, labels)) return id;
    }
  }

  /** Adds series `id` (new) under `hash`; `size` is the number of series once it is added. */
  insert(hash: number, id: number, size: number): void {
    if (2 * size > this.mask + 1) {
      const old = this.slots;
      this.slots = new Int32Array(2 * old.length);
      this.mask = old.length - 1;
      for (let k = 0; k < old.length; k += 2) if (old[k + 1] !== 0) this.place(old[k]!, old[k + 1]!);
    }
    this.place(hash, id);
  }

  private place(hash: number, id: number): void {
    const slots = this.slots;
    const mask = this.mask;
    let slot = mix(hash) & mask;
    while (slots[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
    slots[2 * slot] = hash;
    slots[2 * slot + 1] = id;
  }
}

/** Murmur3's finaliser: FNV's low bits alone are poor slot numbers. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function sameLabels(a: Labels, b: Labels): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
