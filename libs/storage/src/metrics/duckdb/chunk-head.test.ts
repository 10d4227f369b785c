import { describe, expect, it } from 'vitest';
import { STALE_NAN } from '#pharos/metric-model';
import { ChunkHead, type Run } from './chunk-head.js';

function samplesOf(head: ChunkHead, id: number): [number, number][] {
  const runs: Run[] = [];
  head.collect(id, -Infinity, Infinity, runs);
  const out: [number, number][] = [];
  for (const [ts, vs, n] of runs) for (let i = 0; i < n; i++) out.push([ts[i]!, vs[i]!]);
  return out.sort((a, b) => a[0] - b[0]);
}

describe('ChunkHead', () => {
  it('restores open chunks from head-log segments written over several flushes and blobs', () => {
    const head = new ChunkHead(64);
    const blobs: Uint8Array[] = [];
    const T = 1_700_000_000_000;
    for (let step = 0; step < 300; step++) {
      for (let id = 1; id <= 40; id++) head.append(id, T + step * 15_000, id % 3 === 0 ? STALE_NAN : id * 1000 + step * (id % 5));
      if (step % 7 === 0) {
        head.sealOutOfOrder();
        head.releaseClosed(head.closedChunks());
        const log = head.packLog(step % 70 === 0);
        if (step % 70 === 0) blobs.length = 0;
        blobs.push(...log.blobs);
        log.commit();
      }
    }
    // The log restores open chunks; chunks cut since the last flush are the flush's to write.
    head.releaseClosed(head.closedChunks());
    const log = head.packLog(false);
    blobs.push(...log.blobs);
    expect(log.blobs.length).toBeGreaterThan(1);
    const restored = new ChunkHead();
    restored.restore(blobs);
    for (let id = 1; id <= 40; id++) {
      const open = samplesOf(head, id);
      expect(open.length).toBeGreaterThan(0);
      expect(samplesOf(restored, id).map(([t, v]) => [t, Object.is(v, NaN) ? 'nan' : v])).toEqual(open.map(([t, v]) => [t, Object.is(v, NaN) ? 'nan' : v]));
    }
  });

  it("starts a counter's next chunk from its previous one's step: 240 samples a chunk instead of ~74", () => {
    const head = new ChunkHead();
    const T = 1_700_000_000_000;
    const N = 2_000;
    const want: [number, number][] = [];
    const counts: number[] = [];
    for (let i = 0; i < N; i++) {
      // Hundredths growing 965.43 a scrape with a jitter of whole units: ~26 bits a sample from
      // the previous value, ~7 from the step.
      const v = Math.round((1234567.89 + i * 965.43 + ((i * 7919) % 7)) * 100) / 100;
      head.append(1, T + i * 15_000, v);
      want.push([T + i * 15_000, v]);
      if (i % 50 === 49) {
        const closed = head.closedChunks();
        const all = samplesOf(head, 1);
        for (const c of closed) counts.push(c.count);
        head.releaseClosed(closed);
        expect(all.length).toBeGreaterThan(0);
      }
    }
    // The first chunk is cut when the slot fills (or staggered earlier); every later one at 240.
    expect(counts[0]).toBeLessThan(120);
    expect(counts.slice(1).every((n) => n === 240)).toBe(true);
    expect(counts.length).toBeGreaterThan(5);
    const kept = new ChunkHead();
    for (const [t, v] of want) kept.append(1, t, v);
    expect(samplesOf(kept, 1)).toEqual(want);
  });

  it('staggers the first chunk cut of series that start together, and loses no sample', () => {
    const head = new ChunkHead();
    const T = 1_700_000_000_000;
    const SERIES = 1_000;
    let most = 0;
    let cuts = 0;
    for (let step = 0; step < 400; step++) {
      // The same values in every series: without a stagger they would all cut at once.
      for (let id = 1; id <= SERIES; id++) head.append(id, T + step * 15_000, (step + 1) * 1.5);
      const closed = head.closedChunks();
      most = Math.max(most, closed.length);
      cuts += closed.length;
      head.releaseClosed(closed);
    }
    // Every series cut at least once; no scrape cut more than a tenth of them.
    expect(cuts).toBeGreaterThanOrEqual(SERIES);
    expect(most).toBeLessThan(SERIES / 10);
    const open = samplesOf(head, 7);
    expect(open.length).toBeGreaterThan(0);
    expect(open.at(-1)).toEqual([T + 399 * 15_000, 400 * 1.5]);
  });

  it('keeps out-of-order samples and drops exact replays', () => {
    const head = new ChunkHead();
    expect(head.append(1, 2000, 5)).toBe(0);
    expect(head.append(1, 2000, 5)).toBe(2);
    expect(head.append(1, 1000, 4)).toBe(1);
    expect(samplesOf(head, 1)).toEqual([[1000, 4], [2000, 5]]);
  });
});
