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

  it('keeps out-of-order samples and drops exact replays', () => {
    const head = new ChunkHead();
    expect(head.append(1, 2000, 5)).toBe(0);
    expect(head.append(1, 2000, 5)).toBe(2);
    expect(head.append(1, 1000, 4)).toBe(1);
    expect(samplesOf(head, 1)).toEqual([[1000, 4], [2000, 5]]);
  });
});
