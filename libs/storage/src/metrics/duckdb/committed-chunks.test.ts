import { describe, expect, it } from 'vitest';
import { CommittedChunks, type CommittedChunk } from './committed-chunks.js';

const MIN = 60_000;
const SPAN = 15 * MIN; // KEPT_SPAN_MS

function chunk(id: number, maxT: number, bytes = 100): CommittedChunk {
  return { id, maxT, data: new Uint8Array(bytes) };
}

/** Series maxima as the head keeps them: the newest sample time per series id. */
function maxima(values: Record<number, number>, capacity = 16): Float64Array {
  const out = new Float64Array(capacity).fill(-Infinity);
  for (const [id, t] of Object.entries(values)) out[Number(id)] = t;
  return out;
}

describe('CommittedChunks', () => {
  it('keeps the newest committed chunks and moves them to the disk side once they age out', () => {
    const cc = new CommittedChunks<CommittedChunk>();
    cc.ensure(16);
    const a = chunk(1, 10 * MIN);
    const b = chunk(2, 11 * MIN);
    cc.committed([a, b], maxima({ 1: 10 * MIN, 2: 11 * MIN }));
    expect(cc.kept(1)).toEqual([a]);
    expect(cc.kept(2)).toEqual([b]);
    expect(cc.diskMaxT(1)).toBe(-Infinity);

    // A commit 15 min and more past `a` ages it out (and only it): its end now counts on disk.
    const c = chunk(3, 10 * MIN + SPAN + 1);
    cc.committed([c], maxima({ 1: 10 * MIN, 2: 11 * MIN, 3: c.maxT }));
    expect(cc.kept(1)).toBeUndefined();
    expect(cc.diskMaxT(1)).toBe(10 * MIN);
    expect(cc.kept(2)).toEqual([b]);
    expect(cc.kept(3)).toEqual([c]);
    expect(cc.diskMaxT(2)).toBe(-Infinity);
  });

  it('ages out a chunk whose own series moved on, though the commits did not', () => {
    const cc = new CommittedChunks<CommittedChunk>();
    cc.ensure(16);
    const a = chunk(1, 10 * MIN);
    cc.committed([a], maxima({ 1: 10 * MIN }));
    // Series 1 now has samples 20 min later (in its open chunk, not committed).
    cc.committed([], maxima({ 1: 30 * MIN }));
    expect(cc.kept(1)).toBeUndefined();
    expect(cc.diskMaxT(1)).toBe(10 * MIN);
  });

  it('never ages out a chunk twice, nor one dropped before it was reached', () => {
    const cc = new CommittedChunks<CommittedChunk>();
    cc.ensure(16);
    const a = chunk(1, 10 * MIN);
    const b = chunk(1, 12 * MIN);
    cc.committed([a, b], maxima({ 1: 12 * MIN }));
    expect(cc.kept(1)).toEqual([a, b]);
    cc.drop(1);
    expect(cc.kept(1)).toBeUndefined();
    expect(cc.diskMaxT(1)).toBe(12 * MIN);
    // The series is kept again after the drop; the queue's entries for a and b must not touch it.
    const d = chunk(1, 13 * MIN);
    cc.committed([d], maxima({ 1: 13 * MIN }));
    const late = chunk(2, 12 * MIN + SPAN + 1);
    cc.committed([late], maxima({ 1: 13 * MIN, 2: late.maxT }));
    expect(cc.kept(1)).toEqual([d]);
    expect(cc.kept(2)).toEqual([late]);
  });

  it('holds at most its memory budget, and frees budget as chunks age out', () => {
    const cc = new CommittedChunks<CommittedChunk>();
    cc.ensure(4096);
    const big = 64 * 1024; // ~512 of these fill the 32 MiB budget
    const first: CommittedChunk[] = [];
    for (let id = 0; id < 1000; id++) first.push(chunk(id, 10 * MIN, big));
    const seriesMax = new Float64Array(4096).fill(10 * MIN);
    cc.committed(first, seriesMax);
    let kept = 0;
    for (let id = 0; id < 1000; id++) if (cc.kept(id) !== undefined) kept++;
    expect(kept).toBeGreaterThan(400);
    expect(kept).toBeLessThan(520);
    // Past the span every one of them ages out, and the budget takes new chunks again.
    const next: CommittedChunk[] = [];
    for (let id = 1000; id < 1400; id++) next.push(chunk(id, 10 * MIN + SPAN + 1, big));
    seriesMax.fill(10 * MIN + SPAN + 1, 1000, 1400);
    cc.committed(next, seriesMax);
    for (let id = 0; id < 1000; id++) expect(cc.kept(id)).toBeUndefined();
    for (let id = 1000; id < 1400; id++) expect(cc.kept(id)).toHaveLength(1);
  });

  it('ages out many kept chunks over many commits without losing any', () => {
    const cc = new CommittedChunks<CommittedChunk>();
    cc.ensure(10_000);
    const seriesMax = new Float64Array(10_000).fill(-Infinity);
    // 10,000 series each commit a chunk a minute for an hour; every chunk ends up either kept
    // (the last 15 min) or counted on disk.
    for (let m = 1; m <= 60; m++) {
      const batch: CommittedChunk[] = [];
      for (let id = 0; id < 10_000; id += 7) {
        const c = chunk(id, m * MIN, 10);
        batch.push(c);
        seriesMax[id] = c.maxT;
      }
      cc.committed(batch, seriesMax);
    }
    for (let id = 0; id < 10_000; id += 7) {
      const list = cc.kept(id)!;
      expect(list.map((c) => c.maxT / MIN)).toEqual([45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60]);
      expect(cc.diskMaxT(id)).toBe(44 * MIN);
    }
  });
});
