import { lowerBound, type Labels } from '#pharos/metric-model';
import type { ResultSeries } from '#pharos/promql';
import { formatPromFloat, formatPromTimestamp } from './prometheus-json.js';

/** Default memory for memoised point text (characters plus the kept copies of the points). */
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
/** Bytes a series' memo costs beyond its text: the kept timestamps, values and offsets, and the entry. */
const BYTES_PER_POINT = 20;
const ENTRY_OVERHEAD_BYTES = 120;
/** A series not part of this many consecutive answers of its query is dropped. */
const GENERATIONS_KEPT = 2;

interface SeriesPoints {
  /** The points the text encodes (copies: results may share arrays with other owners). */
  readonly ts: Float64Array;
  readonly vs: Float64Array;
  /** `[t,"v"],[t,"v"],…` of every point. */
  readonly text: string;
  /** `text` offset just after point i. */
  readonly ends: Uint32Array;
  readonly bytes: number;
  gen: number;
}

/**
 * The series of one query as last encoded (keyed by label-set object: a result served from
 * the result cache keeps the cached series' label arrays across refreshes).
 */
export class QueryPointsMemo {
  private readonly series = new Map<Labels, SeriesPoints>();
  private gen = 0;
  /** Bytes held, kept up to date for the owner's budget. */
  bytes = 0;

  /** Starts the encoding of one answer; series absent from the last answers are dropped. */
  begin(): void {
    this.gen++;
    for (const [labels, e] of this.series) {
      if (this.gen - e.gen > GENERATIONS_KEPT) {
        this.series.delete(labels);
        this.bytes -= e.bytes;
      }
    }
  }

  /**
   * The float points of `s` as `[t,"v"],…` (the inside of `"values":[…]`), byte for byte as
   * {@link formatPromTimestamp}/{@link formatPromFloat} write them. The longest run of points
   * that the last answer of the same series also had (same timestamps, same values; a refresh
   * of a sliding window shares all but its newest steps) is cut from that answer's text, and
   * only the rest is formatted. Nothing is trusted but the comparison: a changed value, a
   * missing or an extra step just ends the reused run.
   */
  points(s: ResultSeries): string {
    const ts = s.timestamps;
    const vs = s.values;
    const n = ts.length;
    const prev = this.series.get(s.labels);
    let k = 0;
    let m = 0;
    if (prev !== undefined && n > 0) {
      k = lowerBound(prev.ts, ts[0]!);
      const limit = Math.min(n, prev.ts.length - k);
      while (m < limit && prev.ts[k + m] === ts[m] && sameFloat(prev.vs[k + m]!, vs[m]!)) m++;
    }
    const ends = new Uint32Array(n);
    let text = '';
    if (m > 0) {
      const from = k === 0 ? 0 : prev!.ends[k - 1]! + 1;
      text = prev!.text.slice(from, prev!.ends[k + m - 1]);
      for (let i = 0; i < m; i++) ends[i] = prev!.ends[k + i]! - from;
    }
    for (let i = m; i < n; i++) {
      const point = `[${formatPromTimestamp(ts[i]!)},"${formatPromFloat(vs[i]!)}"]`;
      text = i === 0 ? point : `${text},${point}`;
      ends[i] = text.length;
    }
    const bytes = text.length + BYTES_PER_POINT * n + ENTRY_OVERHEAD_BYTES;
    if (prev !== undefined) this.bytes -= prev.bytes;
    this.series.set(s.labels, { ts: ts.slice(), vs: vs.slice(), text, ends, bytes, gen: this.gen });
    this.bytes += bytes;
    return text;
  }
}

/**
 * Encoded points of range-query answers per (tenant, query, step grid), so that a dashboard
 * refresh, whose answer repeats all but the newest steps of the previous one, formats only
 * the new points: formatting each float as Go does was most of a cached refresh's time
 * (bench/RESULTS.md, 2026-11-27 query section). LRU by query within a byte budget.
 */
export class PointsJsonMemo {
  private readonly queries = new Map<string, QueryPointsMemo>();

  constructor(private readonly maxBytes = DEFAULT_MAX_BYTES) {}

  /**
   * The memo of `key`'s answers, or undefined when an answer of `points` points would take
   * more than a quarter of the budget (a large one-off answer would only evict the rest).
   */
  forQuery(key: string, points: number): QueryPointsMemo | undefined {
    if (points * (BYTES_PER_POINT + 40) > this.maxBytes / 4) return undefined;
    let memo = this.queries.get(key);
    if (memo === undefined) memo = new QueryPointsMemo();
    else this.queries.delete(key);
    this.queries.set(key, memo);
    return memo;
  }

  /** Called after an answer was encoded: evicts the least recently used queries while over budget. */
  settle(): void {
    let bytes = this.size.bytes;
    for (const [k, m] of this.queries) {
      if (bytes <= this.maxBytes) break;
      this.queries.delete(k);
      bytes -= m.bytes;
    }
  }

  /** Queries and bytes held (for tests and self-metrics). */
  get size(): { queries: number; bytes: number } {
    let bytes = 0;
    for (const m of this.queries.values()) bytes += m.bytes;
    return { queries: this.queries.size, bytes };
  }
}

/** Equal as Prometheus would print them: every NaN prints `NaN`; `-0` and `0` differ. */
function sameFloat(a: number, b: number): boolean {
  if (a === b) return a !== 0 || 1 / a === 1 / b;
  return a !== a && b !== b;
}
