import type { Labels } from '#pharos/metric-model';
import type { PointScratch } from './point.js';
import { type KeyHash, type TenantSeriesCache, TenantSeriesCaches } from './series-cache.js';

/**
 * Which of a data point's series a key names: a point becomes one series (number points,
 * native histograms) or several (classic histograms, summaries), all with the point's labels.
 */
export const enum SeriesTag {
  /** `__name__` = the family. */
  Family = 0,
  Sum = 1,
  Count = 2,
  /** `_bucket` with `le` = the bound in the key's number. */
  Bucket = 3,
  /** `_bucket` with `le="+Inf"`. */
  InfBucket = 4,
  /** The family with `quantile` = the key's number. */
  Quantile = 5,
}

// Key layout: [kind u8][scope id u32][tag u8][number f64][metric kind, name, unit][attributes…].
// The metric's strings are length-prefixed (u32 count of UTF-16 code units, then the units);
// the attributes, which run to the end of the key, are either the point's attribute fields exactly as on the wire (protobuf, one contiguous run) or
// its decoded attribute strings, each as a u32 length and its UTF-16 code units (not UTF-8:
// JSON may carry lone surrogates, which UTF-8 would turn into one replacement character and
// so merge distinct strings). The kind byte keeps the two spellings of one point apart, so
// they never compare equal.
const KIND_WIRE = 1;
const KIND_STRINGS = 2;
const HEADER = 14;
const SCOPE_ID_AT = 1;
const TAG_AT = 5;
const NUMBER_AT = 6;

/**
 * Builds the byte keys that identify a translated series by what determines its labels, and
 * looks them up in a tenant's caches:
 * - a *scope* key per `ScopeMetrics`: the resource attributes and the scope (name, version,
 *   schema URL, attributes), interned to a number that is never reused for other content
 *   (resources repeat their attributes on every request and are few; keeping them out of
 *   the series keys keeps those short);
 * - a *series* key per series: scope id, {@link SeriesTag} and its number (bucket bound,
 *   quantile), the metric's kind, name and unit, and the point's attributes.
 * The translator's settings and limits are fixed per translator, so they need no place in a key.
 */
export class SeriesKeys {
  private readonly caches: TenantSeriesCaches<Labels>;
  private cache: TenantSeriesCache<Labels> | undefined;
  private ctx: Buffer = Buffer.allocUnsafe(1024);
  private ctxView = new DataView(this.ctx.buffer, this.ctx.byteOffset, this.ctx.byteLength);
  private ctxResourceEnd = 0;
  /** Id of the current scope; -1: not known (a request starts). */
  private scopeId = -1;
  /** Where the current metric's attributes start in the key; 0: the metric's series are not cached. */
  private attrAt = 0;
  private key: Buffer = Buffer.allocUnsafe(1024);
  private keyView = new DataView(this.key.buffer, this.key.byteOffset, this.key.byteLength);
  private keyLen = 0;
  /** Hash of the key's attribute part, mixed with the header per series. */
  private attrHash = 0;
  private nextScopeId = 1;
  private readonly numberScratch = new Float64Array(1);
  private readonly numberWords = new Int32Array(this.numberScratch.buffer);

  constructor(
    maxBytes: number,
    private readonly hash: KeyHash,
  ) {
    this.caches = new TenantSeriesCaches(maxBytes);
  }

  get cachedBytes(): number {
    return this.caches.bytes;
  }

  cachedSeries(tenant: string): number {
    return this.caches.seriesOf(tenant);
  }

  beginRequest(tenant: string): void {
    this.cache = this.caches.forTenant(tenant);
    this.scopeId = -1;
    this.attrAt = 0;
  }

  beginResource(attrs: readonly string[]): void {
    let at = 0;
    for (let i = 0; i < attrs.length; i++) at = this.ctxString(at, attrs[i]!);
    this.ctxResourceEnd = at;
    this.scopeId = -1;
  }

  beginScope(name: string, version: string, schemaUrl: string, attrs: readonly string[]): void {
    this.scopeId = -1;
    if (this.cache === undefined) return;
    // A separator no length prefix can equal keeps resource and scope apart.
    let at = this.ctxU32(this.ctxResourceEnd, 0xffffffff);
    at = this.ctxString(at, name);
    at = this.ctxString(at, version);
    at = this.ctxString(at, schemaUrl);
    for (let i = 0; i < attrs.length; i++) at = this.ctxString(at, attrs[i]!);
    const scopes = this.cache.contexts;
    const h = this.hash(this.ctxView, 0, at);
    const known = scopes.get(h, this.ctx, at);
    if (known !== undefined) {
      this.scopeId = known;
      return;
    }
    // Ids must never name two contents: past u32 (after billions of scopes) start over.
    if (this.nextScopeId > 0xffffffff) {
      this.caches.clear();
      this.cache = undefined;
      return;
    }
    this.scopeId = this.nextScopeId++;
    scopes.set(h, this.ctx, at, this.scopeId, 8);
  }

  /** Starts a metric whose series will be cached (not called for a metric in error). */
  beginMetric(kind: string, name: string, unit: string): void {
    this.attrAt = 0;
    if (this.scopeId < 0) return;
    let at = this.keyString(HEADER, kind);
    at = this.keyString(at, name);
    this.attrAt = this.keyString(at, unit);
  }

  /** The current metric's series are not cached (it is in error). */
  skipMetric(): void {
    this.attrAt = 0;
  }

  /**
   * Keys the point by its attributes: their wire bytes when the protobuf walker left them
   * undecoded in one run, else the decoded strings (JSON; attributes split by other fields).
   * False when the point's series are not to be cached.
   */
  beginPoint(p: PointScratch): boolean {
    if (this.attrAt === 0 || this.cache === undefined) {
      this.keyLen = 0;
      return false;
    }
    let at = this.attrAt;
    if (p.attrWire !== undefined) {
      const n = p.attrEnd - p.attrStart;
      this.ensureKey(at + n);
      p.attrWire.copy(this.key, at, p.attrStart, p.attrEnd);
      at += n;
      this.key[0] = KIND_WIRE;
    } else {
      const attrs = p.attrs;
      for (let i = 0; i < attrs.length; i++) at = this.keyString(at, attrs[i]!);
      this.key[0] = KIND_STRINGS;
    }
    this.keyView.setUint32(SCOPE_ID_AT, this.scopeId, true);
    this.keyLen = at;
    this.attrHash = this.hash(this.keyView, HEADER, at);
    return true;
  }

  /** Labels cached for the point's series `tag` (with `number`), if any. */
  get(tag: SeriesTag, number: number): Labels | undefined {
    if (this.keyLen === 0) return undefined;
    return this.cache!.series.get(this.header(tag, number), this.key, this.keyLen);
  }

  /** Caches `labels` for the point's series `tag` (with `number`); a no-op for uncached points. */
  set(tag: SeriesTag, number: number, labels: Labels): void {
    if (this.keyLen === 0) return;
    let cost = 16 + 8 * labels.length;
    for (let i = 0; i < labels.length; i++) cost += labels[i]!.length;
    this.cache!.series.set(this.header(tag, number), this.key, this.keyLen, labels, cost);
  }

  /** Writes the series header into the key; returns the key's hash. */
  private header(tag: SeriesTag, number: number): number {
    const key = this.key;
    key[TAG_AT] = tag;
    this.numberScratch[0] = number;
    const lo = this.numberWords[0]!;
    const hi = this.numberWords[1]!;
    this.keyView.setInt32(NUMBER_AT, lo, true);
    this.keyView.setInt32(NUMBER_AT + 4, hi, true);
    let h = Math.imul(this.attrHash ^ this.scopeId, 0x5bd1e995);
    h = Math.imul(h ^ (tag | (key[0]! << 8)), 0x85ebca6b);
    h = Math.imul(h ^ lo, 0xc2b2ae35);
    h = Math.imul(h ^ hi, 0x27d4eb2f);
    h ^= h >>> 15;
    return h & 0x3fffffff;
  }

  /** A length-prefixed string in UTF-16 code units (exact for any string; see the key layout). */
  private ctxString(at: number, s: string): number {
    this.ensureCtx(at + 4 + 2 * s.length);
    this.ctxView.setUint32(at, s.length, true);
    return at + 4 + this.ctx.write(s, at + 4, 2 * s.length, 'utf16le');
  }

  private keyString(at: number, s: string): number {
    this.ensureKey(at + 4 + 2 * s.length);
    this.keyView.setUint32(at, s.length, true);
    return at + 4 + this.key.write(s, at + 4, 2 * s.length, 'utf16le');
  }

  private ctxU32(at: number, v: number): number {
    this.ensureCtx(at + 4);
    this.ctxView.setUint32(at, v, true);
    return at + 4;
  }

  private ensureCtx(len: number): void {
    if (len <= this.ctx.length) return;
    const grown = Buffer.allocUnsafe(Math.max(len, 2 * this.ctx.length));
    this.ctx.copy(grown);
    this.ctx = grown;
    this.ctxView = new DataView(grown.buffer, grown.byteOffset, grown.byteLength);
  }

  private ensureKey(len: number): void {
    if (len <= this.key.length) return;
    const grown = Buffer.allocUnsafe(Math.max(len, 2 * this.key.length));
    this.key.copy(grown);
    this.key = grown;
    this.keyView = new DataView(grown.buffer, grown.byteOffset, grown.byteLength);
  }
}
