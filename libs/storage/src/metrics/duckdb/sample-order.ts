import { isStaleNaN } from '#pharos/metric-model';

/**
 * Duplicate resolution for one (series, timestamp), as the port requires: the larger value
 * wins, a NaN loses to any number, the staleness marker wins over any other NaN. Ties between
 * values that compare equal but differ in bits (0 / -0, two ordinary NaNs) are broken on the
 * bit pattern so that the winner never depends on arrival order.
 */
export function sampleWins(candidate: number, current: number): boolean {
  const rc = rank(candidate);
  const rb = rank(current);
  if (rc !== rb) return rc > rb;
  if (rc === RANK_NUMBER && candidate !== current) return candidate > current;
  return bitsGreater(candidate, current);
}

const RANK_NUMBER = 2;
const RANK_STALE = 1;
const RANK_NAN = 0;

function rank(v: number): number {
  if (v === v) return RANK_NUMBER;
  return isStaleNaN(v) ? RANK_STALE : RANK_NAN;
}

const probe = new Float64Array(2);
const probeWords = new Uint32Array(probe.buffer);

function bitsGreater(a: number, b: number): boolean {
  probe[0] = a;
  probe[1] = b;
  if (probeWords[1] !== probeWords[3]) return probeWords[1]! > probeWords[3]!;
  return probeWords[0]! > probeWords[2]!;
}

/**
 * Sorts `n` samples by timestamp in place and resolves duplicates; returns the new length.
 * Sorted input (the common case: one scrape after another) costs one pass.
 */
export function sortAndDedupe(ts: Float64Array, vs: Float64Array, n: number): number {
  let sorted = true;
  for (let i = 1; i < n; i++) {
    if (ts[i]! <= ts[i - 1]!) {
      sorted = false;
      break;
    }
  }
  if (sorted) return n;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => ts[a]! - ts[b]!);
  const t2 = new Float64Array(n);
  const v2 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    t2[i] = ts[order[i]!]!;
    v2[i] = vs[order[i]!]!;
  }
  let out = 0;
  for (let i = 0; i < n; i++) {
    if (out > 0 && ts[out - 1] === t2[i]) {
      if (sampleWins(v2[i]!, vs[out - 1]!)) vs[out - 1] = v2[i]!;
      continue;
    }
    ts[out] = t2[i]!;
    vs[out] = v2[i]!;
    out++;
  }
  return out;
}

/** A growable pair of timestamp/value columns. */
export class SampleColumns {
  ts: Float64Array;
  vs: Float64Array;
  length = 0;
  /** False once a sample arrived at or before the previous one; {@link normalize} restores it. */
  ordered = true;

  constructor(capacity = 8) {
    this.ts = new Float64Array(capacity);
    this.vs = new Float64Array(capacity);
  }

  push(t: number, v: number): void {
    if (this.length === this.ts.length) this.grow(this.length * 2);
    if (this.length > 0 && t <= this.ts[this.length - 1]!) this.ordered = false;
    this.ts[this.length] = t;
    this.vs[this.length] = v;
    this.length++;
  }

  /** Sorts by timestamp and resolves duplicates, in place. */
  normalize(): void {
    if (this.ordered) return;
    this.length = sortAndDedupe(this.ts, this.vs, this.length);
    this.ordered = true;
  }

  /** Keeps only the samples outside `[start, end]`; returns how many were removed. */
  removeRange(start: number, end: number): number {
    let out = 0;
    for (let i = 0; i < this.length; i++) {
      const t = this.ts[i]!;
      if (t >= start && t <= end) continue;
      this.ts[out] = t;
      this.vs[out] = this.vs[i]!;
      out++;
    }
    const removed = this.length - out;
    this.length = out;
    return removed;
  }

  private grow(capacity: number): void {
    const ts = new Float64Array(Math.max(capacity, 8));
    const vs = new Float64Array(Math.max(capacity, 8));
    ts.set(this.ts.subarray(0, this.length));
    vs.set(this.vs.subarray(0, this.length));
    this.ts = ts;
    this.vs = vs;
  }
}
