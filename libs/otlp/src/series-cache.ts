/**
 * Byte-keyed caches that let the translator hand back the same object for the same series in
 * every request (docs/adr/0010-series-refs-on-the-stream.md: series are recognised by the
 * identity of their `Labels`, and only then named by ref on the stream).
 *
 * Keys are bytes (see `series-keys.ts`); a hit is verified by comparing the key bytes in full,
 * so a hash collision can cost a probe but never return another series' labels. Entries are
 * held in columns by `ByteKeyGeneration` from `#pharos/metric-model`, the table the label
 * interner uses too: with 100k entries per-entry objects make GC the largest cost.
 */

import { BYTE_KEY_ENTRY_OVERHEAD, ByteKeyGeneration } from '#pharos/metric-model';

/** Hash of `view[start, end)`; quality only affects speed, hits are compared byte for byte. */
export type KeyHash = (view: DataView, start: number, end: number) => number;

/**
 * A map from key bytes to values, bounded by two generations of at most `maxBytesPerGeneration`
 * accounted bytes: when the young generation fills it becomes the old one and the previous old
 * one is dropped; a hit in the old generation is copied to the young one, so what is in use
 * survives (an LRU approximation without per-hit bookkeeping).
 */
export class ByteKeyCache<T> {
  private young = new ByteKeyGeneration<T>();
  private old = new ByteKeyGeneration<T>();

  constructor(private readonly maxBytesPerGeneration: number) {
    if (!(maxBytesPerGeneration > 0)) throw new RangeError(`maxBytesPerGeneration must be positive, got ${maxBytesPerGeneration}`);
  }

  /** The value stored for `key[0, len)` under `hash`, if any. */
  get(hash: number, key: Buffer, len: number): T | undefined {
    const y = this.young.find(hash, key, 0, len);
    if (y >= 0) return this.young.values[y];
    const o = this.old.find(hash, key, 0, len);
    if (o < 0) return undefined;
    const value = this.old.values[o]!;
    this.set(hash, key, len, value, 0);
    return value;
  }

  /** Stores `value` for `key[0, len)` (the bytes are copied); `cost`: the value's accounted bytes. */
  set(hash: number, key: Buffer, len: number, value: T, cost: number): void {
    const need = len + cost + BYTE_KEY_ENTRY_OVERHEAD;
    if (need > this.maxBytesPerGeneration) return;
    if (this.young.bytes + need > this.maxBytesPerGeneration) {
      this.old = this.young;
      this.young = new ByteKeyGeneration<T>();
    }
    this.young.add(hash, key, 0, len, value, cost);
  }

  /** Accounted bytes of both generations. */
  get bytes(): number {
    return this.young.bytes + this.old.bytes;
  }

  get size(): number {
    return this.young.size + this.old.size;
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
