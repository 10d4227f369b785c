import { SERIES_REF_WORDS, compileMatcher, labelValue, seriesKey, writeSeriesRef } from '#pharos/metric-model';
import type { LabelMatcher, Labels } from '#pharos/metric-model';
import { LabelSetTable } from './label-set-table.js';
import { SeriesRefTable } from './series-ref-table.js';

/**
 * In-memory index of every series: label set → stable numeric id, and an inverted index
 * name → value → ids so that matchers (regexes included) are evaluated once per distinct
 * label value rather than once per series. Ids are global across tenants (so sample tables
 * need no tenant column) and each tenant has its own postings.
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
  /** Refs of `created`, four words each in the same order: the flush persists them (no second hash). */
  private createdRefs = new Uint32Array(SERIES_REF_WORDS * 1024);
  private readonly strings = new Map<string, string>();
  /** Series ref → id, for stream records that name series by ref (ADR 0010). */
  private readonly refs = new SeriesRefTable();
  /** Label set → id, for series named by labels. */
  private readonly byLabels = new LabelSetTable(this.labelsById, this.tenantById);
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
    const id = this.byLabels.find(tenant, labels, this.byLabels.hash(labels));
    if (id > 0) t.byIdentity.set(labels, id);
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
    const hash = this.byLabels.hash(labels);
    const existing = this.byLabels.find(tenant, labels, hash);
    if (existing > 0) {
      t.byIdentity.set(labels, existing);
      return existing;
    }
    if (labels.length === 0) throw new RangeError(`a series needs labels (tenant "${tenant}")`);
    const id = this.nextId++;
    // Copy (the caller's array may be reused by its decoder), sharing repeated strings: a
    // host's or a metric's label values recur across thousands of series.
    const created = this.created.length;
    const w = SERIES_REF_WORDS * created;
    if (w + SERIES_REF_WORDS > this.createdRefs.length) this.createdRefs = grown(this.createdRefs, w + SERIES_REF_WORDS);
    // A SHA-256 per new series (µs), never per sample.
    writeSeriesRef(tenant, labels, this.createdRefs, w);
    this.add(tenant, id, labels.map((s) => this.intern(s)), hash, this.createdRefs, w);
    t.byIdentity.set(labels, id);
    this.created.push(id);
    return id;
  }

  /**
   * Series created since the previous call, for the store to persist: their ids and their
   * refs (`SERIES_REF_WORDS` words per id, same order).
   */
  takeCreated(): CreatedSeries {
    const ids = this.created;
    const refs = this.createdRefs.slice(0, SERIES_REF_WORDS * ids.length);
    this.created = [];
    return { ids, refs };
  }

  /** Puts series back after a failed persist. */
  untakeCreated(taken: CreatedSeries): void {
    if (taken.ids.length === 0) return;
    const later = this.created.length;
    const words = SERIES_REF_WORDS * (taken.ids.length + later);
    const refs = new Uint32Array(Math.max(words, this.createdRefs.length));
    refs.set(taken.refs);
    refs.set(this.createdRefs.subarray(0, SERIES_REF_WORDS * later), taken.refs.length);
    this.createdRefs = refs;
    this.created = [...taken.ids, ...this.created];
  }

  private intern(s: string): string {
    const known = this.strings.get(s);
    if (known !== undefined) return known;
    this.strings.set(s, s);
    return s;
  }

  /**
   * Registers a series loaded from disk with its persisted id, from its labels as JSON (the
   * layout before refs were stored) or as its {@link seriesKey} (see {@link storedLabels}).
   * `refs[at .. at + 4)` holds its persisted ref when `refKnown`; otherwise the ref is computed
   * and written there, for the caller to persist.
   */
  restore(tenant: string, id: number, stored: string, refs: Uint32Array, at: number, refKnown: boolean): void {
    let labels: string[];
    if (stored.charCodeAt(0) === JSON_ARRAY_START) {
      labels = (JSON.parse(stored) as string[]).map((s) => this.intern(s));
    } else {
      const parsed = labelsOfKey(stored, this.strings);
      if (parsed === undefined) throw new Error(`stored series ${id} has malformed labels ${JSON.stringify(stored)}`);
      labels = parsed;
    }
    if (labels.length === 0) throw new RangeError(`stored series ${id} has no labels`);
    if (!refKnown) writeSeriesRef(tenant, labels, refs, at);
    this.add(tenant, id, labels, this.byLabels.hash(labels), refs, at);
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

  /** `hash` is the labels' {@link LabelSetTable.hash}; the ref is `refs[at .. at + 4)`. */
  private add(tenant: string, id: number, labels: Labels, hash: number, refs: Uint32Array, at: number): void {
    const t = this.tenant(tenant);
    this.byLabels.insert(hash, id, this.count + 1);
    this.refs.set(refs, at, id, t.ordinal);
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

/** Series created since the last flush: ids and their refs (`SERIES_REF_WORDS` words each). */
export interface CreatedSeries {
  readonly ids: readonly number[];
  readonly refs: Uint32Array;
}

const JSON_ARRAY_START = 0x5b; // '['
/** The separators of {@link seriesKey}, learnt from it (`name␁value␀`) rather than copied. */
const PROBE_KEY = seriesKey(['n', 'v']);
const NAME_SEPARATOR = PROBE_KEY[1]!;
const PAIR_SEPARATOR = PROBE_KEY[3]!;
if (PROBE_KEY.length !== 4) throw new Error('seriesKey changed its form: stored series keys would no longer parse');

/**
 * The labels of a series key, interned through `strings` when given, in an array of exactly
 * their length (one grown by `push` keeps up to half again as many slots: ~50 MB at a million
 * series); undefined when `key` is not one.
 */
function labelsOfKey(key: string, strings: Map<string, string> | undefined): string[] | undefined {
  let n = 0;
  for (let at = key.indexOf(PAIR_SEPARATOR); at >= 0; at = key.indexOf(PAIR_SEPARATOR, at + 1)) n++;
  const out = new Array<string>(2 * n);
  let start = 0;
  for (let i = 0; i < out.length; i += 2) {
    const nameEnd = key.indexOf(NAME_SEPARATOR, start);
    const pairEnd = key.indexOf(PAIR_SEPARATOR, nameEnd + 1);
    if (nameEnd < 0 || pairEnd < 0) return undefined;
    out[i] = intern(strings, key.slice(start, nameEnd));
    out[i + 1] = intern(strings, key.slice(nameEnd + 1, pairEnd));
    start = pairEnd + 1;
  }
  return start === key.length ? out : undefined;
}

function intern(strings: Map<string, string> | undefined, s: string): string {
  if (strings === undefined) return s;
  const known = strings.get(s);
  if (known !== undefined) return known;
  // A slice of 13 characters or more is a view that keeps the whole key alive: keep a copy
  // (once per distinct string). The JSON round trip is exact for any string.
  const own = JSON.parse(JSON.stringify(s)) as string;
  strings.set(own, own);
  return own;
}

/** A UTF-16 surrogate not part of a pair: UTF-8 (DuckDB's VARCHAR) cannot hold it. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * The stored form of a label set: its {@link seriesKey}, which parses back without JSON and
 * with one string per label, when that is exact; otherwise JSON (what every row held before).
 * The key is exact when it parses back to the same labels (no string holds a separator) and
 * survives UTF-8 (no lone surrogate). JSON always starts with `[`, so a key starting with one
 * is stored as JSON. Runs once per new series, beside its SHA-256.
 */
export function storedLabels(labels: Labels): string {
  const key = seriesKey(labels);
  if (key.charCodeAt(0) !== JSON_ARRAY_START && !LONE_SURROGATE.test(key)) {
    const back = labelsOfKey(key, undefined);
    let same = back !== undefined && back.length === labels.length;
    for (let i = 0; same && i < labels.length; i++) same = back![i] === labels[i];
    if (same) return key;
  }
  return JSON.stringify(labels);
}

function grown(a: Uint32Array, atLeast: number): Uint32Array<ArrayBuffer> {
  const out = new Uint32Array(Math.max(atLeast, 2 * a.length));
  out.set(a);
  return out;
}

class TenantSeries {
  /** The tenant's number in this index (from 1), kept beside each of its refs. */
  constructor(readonly ordinal: number) {}

  /** Decoders often hand the same label array again for the same series: skip the hash and compare. */
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
