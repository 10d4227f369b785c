import { SERIES_REF_WORDS, compileMatcher, labelValue, seriesKey, writeSeriesRef } from '#pharos/metric-model';
import type { LabelMatcher, Labels } from '#pharos/metric-model';
import { SeriesRefTable } from './series-ref-table.js';

/**
 * In-memory index of every series: label set → stable numeric id, and an inverted index
 * name → value → ids so that matchers (regexes included) are evaluated once per distinct
 * label value rather than once per series. Ids are global across tenants (so sample tables
 * need no tenant column) and each tenant has its own key map and postings.
 */
export class SeriesIndex {
  private readonly tenants = new Map<string, TenantSeries>();
  /** Labels of series `id`; `undefined` for ids never assigned. */
  readonly labelsById: Labels[] = [];
  readonly tenantById: string[] = [];
  /** Time bounds of the data each series holds (head and flushed); +∞/-∞ when it holds none. */
  minT = new Float64Array(1024).fill(Infinity);
  maxT = new Float64Array(1024).fill(-Infinity);
  private nextId = 1;
  private created: number[] = [];
  private readonly strings = new Map<string, string>();
  /** Series ref → id, for stream records that name series by ref (ADR 0010). */
  private readonly refs = new SeriesRefTable();
  private readonly refScratch = new Uint32Array(SERIES_REF_WORDS);
  private lastTenant = '';
  private lastOrdinal = 0;

  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Id of a series, or -1 when the tenant has never written it. */
  lookup(tenant: string, labels: Labels): number {
    const t = this.tenants.get(tenant);
    if (t === undefined) return -1;
    const cached = t.byIdentity.get(labels);
    if (cached !== undefined) return cached;
    const id = t.byKey.get(seriesKey(labels));
    if (id === undefined) return -1;
    t.byIdentity.set(labels, id);
    return id;
  }

  /** Id of the tenant's series with this ref (`refs[at .. at + 4)`), or -1. */
  lookupRef(tenant: string, refs: Uint32Array, at: number): number {
    // Refs include the tenant, so a wrong tenant means a 128-bit collision; checked all the
    // same, against the tenant number kept in the ref's own slot (no second memory access).
    const ordinal = this.tenantOrdinal(tenant);
    return ordinal === 0 ? -1 : this.refs.get(refs, at, ordinal);
  }

  /** The tenant's number (from 1, in order of first series), or 0 when it has none. */
  private tenantOrdinal(tenant: string): number {
    // Records come tenant after tenant: one remembered pair spares a map lookup per series.
    if (tenant === this.lastTenant) return this.lastOrdinal;
    const ordinal = this.tenants.get(tenant)?.ordinal ?? 0;
    if (ordinal > 0) {
      this.lastTenant = tenant;
      this.lastOrdinal = ordinal;
    }
    return ordinal;
  }

  /**
   * Id of a series named by ref and labels (a batch with refs), creating it when new. The ref
   * is only a shortcut: a new series is registered under the ref computed from its labels.
   */
  getOrCreateByRef(tenant: string, refs: Uint32Array, at: number, labels: Labels): number {
    const id = this.lookupRef(tenant, refs, at);
    return id > 0 ? id : this.getOrCreate(tenant, labels);
  }

  /**
   * Id of a series, creating it when new (its id then joins {@link takeCreated}). Returns a
   * plain number: this runs once per series of every appended batch.
   */
  getOrCreate(tenant: string, labels: Labels): number {
    const t = this.tenant(tenant);
    const cached = t.byIdentity.get(labels);
    if (cached !== undefined) return cached;
    const key = seriesKey(labels);
    const existing = t.byKey.get(key);
    if (existing !== undefined) {
      t.byIdentity.set(labels, existing);
      return existing;
    }
    if (labels.length === 0) throw new RangeError(`a series needs labels (tenant "${tenant}")`);
    const id = this.nextId++;
    // Copy (the caller's array may be reused by its decoder), sharing repeated strings: a
    // host's or a metric's label values recur across thousands of series.
    this.add(tenant, id, labels.map((s) => this.intern(s)), key);
    t.byIdentity.set(labels, id);
    this.created.push(id);
    return id;
  }

  /** Ids created since the previous call, for the store to persist. */
  takeCreated(): number[] {
    const out = this.created;
    this.created = [];
    return out;
  }

  /** Puts ids back after a failed persist. */
  untakeCreated(ids: readonly number[]): void {
    this.created.unshift(...ids);
  }

  private intern(s: string): string {
    const known = this.strings.get(s);
    if (known !== undefined) return known;
    this.strings.set(s, s);
    return s;
  }

  /** Registers a series loaded from disk with its persisted id. */
  restore(tenant: string, id: number, labels: Labels): void {
    this.add(tenant, id, labels.map((s) => this.intern(s)), seriesKey(labels));
    if (id >= this.nextId) this.nextId = id + 1;
  }

  /** Widens a series' time bounds. */
  touch(id: number, t: number): void {
    if (t < this.minT[id]!) this.minT[id] = t;
    if (t > this.maxT[id]!) this.maxT[id] = t;
  }

  setBounds(id: number, min: number, max: number): void {
    this.minT[id] = min;
    this.maxT[id] = max;
  }

  overlaps(id: number, start: number, end: number): boolean {
    return this.minT[id]! <= end && this.maxT[id]! >= start;
  }

  tenantIds(tenant: string): readonly number[] {
    return this.tenants.get(tenant)?.ids ?? [];
  }

  /** Every series id, ascending. */
  allIds(): number[] {
    const out: number[] = [];
    for (let id = 0; id < this.labelsById.length; id++) if (this.labelsById[id] !== undefined) out.push(id);
    return out;
  }

  tenantNames(): string[] {
    return [...this.tenants.keys()];
  }

  /**
   * Ids of the tenant's series matching every matcher, ascending. Prometheus semantics: a
   * missing label is the empty string, so `{a!="x"}` matches series without `a`.
   */
  match(tenant: string, matchers: readonly LabelMatcher[]): number[] {
    const t = this.tenants.get(tenant);
    if (t === undefined) return [];
    const compiled = matchers.map((m) => ({ name: m.name, test: compileMatcher(m) }));
    // Seed from the most selective matcher that cannot match an absent label: only series
    // carrying the label can match it, so its postings bound the answer.
    let seed: number[] | undefined;
    let seedIndex = -1;
    for (let i = 0; i < compiled.length; i++) {
      const m = compiled[i]!;
      if (m.test('')) continue;
      const ids = t.postingsUnion(m.name, m.test);
      if (seed === undefined || ids.length < seed.length) {
        seed = ids;
        seedIndex = i;
      }
      if (ids.length === 0) return [];
    }
    const candidates = seed ?? t.ids;
    const rest = compiled.filter((_, i) => i !== seedIndex);
    if (rest.length === 0) return candidates.slice();
    const out: number[] = [];
    for (const id of candidates) {
      const labels = this.labelsById[id]!;
      let ok = true;
      for (const m of rest) {
        if (!m.test(labelValue(labels, m.name))) {
          ok = false;
          break;
        }
      }
      if (ok) out.push(id);
    }
    return out;
  }

  /** Union of `match` over several matcher sets, ascending; all series when `sets` is empty. */
  matchAny(tenant: string, sets: readonly (readonly LabelMatcher[])[] | undefined): number[] {
    if (sets === undefined || sets.length === 0) return this.tenantIds(tenant).slice();
    if (sets.length === 1) return this.match(tenant, sets[0]!);
    const all = new Set<number>();
    for (const s of sets) for (const id of this.match(tenant, s)) all.add(id);
    return [...all].sort((a, b) => a - b);
  }

  private tenant(name: string): TenantSeries {
    let t = this.tenants.get(name);
    if (t === undefined) {
      t = new TenantSeries(this.tenants.size + 1);
      this.tenants.set(name, t);
    }
    return t;
  }

  private add(tenant: string, id: number, labels: Labels, key: string): void {
    const t = this.tenant(tenant);
    t.byKey.set(flatString(key), id);
    // A SHA-256 per new series (µs), never per sample; on open, once per stored series.
    writeSeriesRef(tenant, labels, this.refScratch, 0);
    this.refs.set(this.refScratch, 0, id, t.ordinal);
    t.insertId(id);
    for (let i = 0; i < labels.length; i += 2) t.post(labels[i]!, labels[i + 1]!, id);
    this.labelsById[id] = labels;
    this.tenantById[id] = tenant;
    this.count++;
    if (id >= this.minT.length) {
      const size = Math.max(id + 1, this.minT.length * 2);
      const min = new Float64Array(size).fill(Infinity);
      const max = new Float64Array(size).fill(-Infinity);
      min.set(this.minT);
      max.set(this.maxT);
      this.minT = min;
      this.maxT = max;
    }
  }
}

class TenantSeries {
  /** The tenant's number in this index (from 1), kept beside each of its refs. */
  constructor(readonly ordinal: number) {}

  readonly byKey = new Map<string, number>();
  /** Decoders often hand the same label array again for the same series: skip the key build. */
  byIdentity = new WeakMap<Labels, number>();
  readonly ids: number[] = [];
  private readonly postings = new Map<string, Map<string, number[]>>();

  insertId(id: number): void {
    insertSorted(this.ids, id);
  }

  post(name: string, value: string, id: number): void {
    let values = this.postings.get(name);
    if (values === undefined) {
      values = new Map();
      this.postings.set(name, values);
    }
    const ids = values.get(value);
    if (ids === undefined) values.set(value, [id]);
    else insertSorted(ids, id);
  }

  postingsUnion(name: string, test: (value: string) => boolean): number[] {
    const values = this.postings.get(name);
    if (values === undefined) return [];
    const lists: number[][] = [];
    for (const [value, ids] of values) if (test(value)) lists.push(ids);
    if (lists.length === 0) return [];
    if (lists.length === 1) return lists[0]!;
    const merged = new Set<number>();
    for (const l of lists) for (const id of l) merged.add(id);
    return [...merged].sort((a, b) => a - b);
  }
}

/** Ids mostly arrive ascending (new series get the next id), so this is usually a push. */
function insertSorted(list: number[], id: number): void {
  if (list.length === 0 || list[list.length - 1]! < id) {
    list.push(id);
    return;
  }
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! < id) lo = mid + 1;
    else hi = mid;
  }
  if (list[lo] !== id) list.splice(lo, 0, id);
}

/**
 * The same text as one flat string. `seriesKey` builds a key by concatenation, which V8 keeps
 * as a rope of ~20 nodes per series for as long as the key map holds it: at 32 k series that
 * was ~650 k small objects (a third of the main heap's objects) for every major GC to mark
 * again. The JSON round trip is exact for any string (lone surrogates included) and runs
 * once per new series.
 */
function flatString(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}
