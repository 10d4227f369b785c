/**
 * Byte-keyed caches that let the translator hand back the same object for the same series in
 * every request (docs/adr/0010-series-refs-on-the-stream.md: series are recognised by the
 * identity of their `Labels`, and only then named by ref on the stream).
 *
 * Keys are bytes (see `series-keys.ts`); a hit is verified by comparing the key bytes in full,
 * so a hash collision can cost a probe but never return another series' labels. Entries are
 * held in columns (key bytes in one slab, an open-addressing table in a typed array) rather
 * than an object per entry, as `LabelSetInterner` in `#pharos/metric-model` does: with 100k
 * entries per-entry objects make GC the largest cost.
 */

/** Hash of `view[start, end)`; quality only affects speed, hits are compared byte for byte. */
export type KeyHash = (view: DataView, start: number, end: number) => number;

/** Linear probes before giving up: a run this long means adversarial collisions. */
const MAX_PROBE = 64;
/** Accounted per entry besides the key and the value's own cost: table slot, span, value slot. */
const ENTRY_OVERHEAD = 48;

/** One generation: entries added since it became the young one. */
class Generation<T> {
  /** Slot k holds `[hash, entry + 1]` at `2k`, `2k + 1` (0: empty): one cache line per probe. */
  private table = new Int32Array(2 * 1024);
  /** `[offset, length]` of each entry's key in `slab`. */
  private spans = new Int32Array(2 * 256);
  private slab: Buffer = Buffer.allocUnsafe(64 * 1024);
  private slabUsed = 0;
  readonly values: T[] = [];
  /** Accounted bytes: keys, values' costs, per-entry overhead. */
  bytes = 0;

  find(hash: number, key: Buffer, len: number): number {
    const table = this.table;
    const mask = (table.length >>> 1) - 1;
    let slot = hash & mask;
    for (let probe = 0; probe < MAX_PROBE; probe++) {
      const e = table[2 * slot + 1]! - 1;
      if (e < 0) return -1;
      if (table[2 * slot] === hash && this.spans[2 * e + 1] === len) {
        const off = this.spans[2 * e]!;
        if (this.slab.compare(key, 0, len, off, off + len) === 0) return e;
      }
      slot = (slot + 1) & mask;
    }
    return -1;
  }

  add(hash: number, key: Buffer, len: number, value: T, cost: number): void {
    const i = this.values.length;
    if (4 * (i + 1) > this.table.length) this.rehash(this.table.length * 2);
    const table = this.table;
    const mask = (table.length >>> 1) - 1;
    let slot = hash & mask;
    let probe = 0;
    while (table[2 * slot + 1] !== 0) {
      // Not caching is the safe answer to a probe run this long.
      if (++probe === MAX_PROBE) return;
      slot = (slot + 1) & mask;
    }
    if (this.slabUsed + len > this.slab.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.slab.length * 2, this.slabUsed + len));
      this.slab.copy(grown, 0, 0, this.slabUsed);
      this.slab = grown;
    }
    key.copy(this.slab, this.slabUsed, 0, len);
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
    this.bytes += len + cost + ENTRY_OVERHEAD;
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

/**
 * A map from key bytes to values, bounded by two generations of at most `maxBytesPerGeneration`
 * accounted bytes: when the young generation fills it becomes the old one and the previous old
 * one is dropped; a hit in the old generation is copied to the young one, so what is in use
 * survives (an LRU approximation without per-hit bookkeeping).
 */
export class ByteKeyCache<T> {
  private young = new Generation<T>();
  private old = new Generation<T>();

  constructor(private readonly maxBytesPerGeneration: number) {
    if (!(maxBytesPerGeneration > 0)) throw new RangeError(`maxBytesPerGeneration must be positive, got ${maxBytesPerGeneration}`);
  }

  /** The value stored for `key[0, len)` under `hash`, if any. */
  get(hash: number, key: Buffer, len: number): T | undefined {
    const y = this.young.find(hash, key, len);
    if (y >= 0) return this.young.values[y];
    const o = this.old.find(hash, key, len);
    if (o < 0) return undefined;
    const value = this.old.values[o]!;
    this.set(hash, key, len, value, 0);
    return value;
  }

  /** Stores `value` for `key[0, len)` (the bytes are copied); `cost`: the value's accounted bytes. */
  set(hash: number, key: Buffer, len: number, value: T, cost: number): void {
    const need = len + cost + ENTRY_OVERHEAD;
    if (need > this.maxBytesPerGeneration) return;
    if (this.young.bytes + need > this.maxBytesPerGeneration) {
      this.old = this.young;
      this.young = new Generation<T>();
    }
    this.young.add(hash, key, len, value, cost);
  }

  /** Accounted bytes of both generations. */
  get bytes(): number {
    return this.young.bytes + this.old.bytes;
  }

  get size(): number {
    return this.young.values.length + this.old.values.length;
  }
}

/** One tenant's caches: scope contexts (resource + scope) → id, series keys → labels. */
export interface TenantSeriesCache<L> {
  readonly contexts: ByteKeyCache<number>;
  readonly series: ByteKeyCache<L>;
}

/**
 * Per-tenant caches under one memory budget. A tenant's caches may use the whole budget;
 * when the tenants together exceed it (checked as each request starts), the caches of the
 * tenants least recently seen are dropped. A request touches one tenant, so keeping the
 * recency order (a `Map`'s insertion order) costs one delete and set per request.
 */
export class TenantSeriesCaches<L> {
  private readonly byTenant = new Map<string, TenantSeriesCache<L>>();

  constructor(private readonly maxBytes: number) {
    if (!(maxBytes > 0)) throw new RangeError(`seriesCacheBytes must be positive, got ${maxBytes}`);
  }

  /** The tenant's caches, created if needed; other tenants' caches are evicted past the budget. */
  forTenant(tenant: string): TenantSeriesCache<L> {
    let cache = this.byTenant.get(tenant);
    if (cache !== undefined) this.byTenant.delete(tenant);
    else {
      // Two generations each: a tenth of the budget for scopes (one per resource and scope,
      // few but with long keys), two fifths for series.
      cache = { contexts: new ByteKeyCache(Math.max(1, this.maxBytes / 10)), series: new ByteKeyCache(Math.max(1, (2 * this.maxBytes) / 5)) };
    }
    this.byTenant.set(tenant, cache);
    this.evictOthers(tenant);
    return cache;
  }

  clear(): void {
    this.byTenant.clear();
  }

  /** Accounted bytes over all tenants. */
  get bytes(): number {
    let total = 0;
    for (const c of this.byTenant.values()) total += c.contexts.bytes + c.series.bytes;
    return total;
  }

  get tenants(): number {
    return this.byTenant.size;
  }

  /** Series entries held for a tenant (0 when none). */
  seriesOf(tenant: string): number {
    return this.byTenant.get(tenant)?.series.size ?? 0;
  }

  private evictOthers(current: string): void {
    if (this.byTenant.size === 1) return;
    let total = this.bytes;
    for (const [tenant, c] of this.byTenant) {
      if (total <= this.maxBytes) return;
      if (tenant === current) continue;
      total -= c.contexts.bytes + c.series.bytes;
      this.byTenant.delete(tenant);
    }
  }
}
