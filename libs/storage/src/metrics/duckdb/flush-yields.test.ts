import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricBatchBuilder } from '#pharos/metric-model';
import { DuckDBMetricStore } from '#pharos/storage';

// On the store thread every append waits behind whatever synchronous step runs. A flush that
// writes a wave of rows (a million new series, chunk cuts or rollup buckets closing together)
// must hand the event loop back between data chunks, so that the wave costs an append a data
// chunk's wait, not the whole write.

const T0 = Date.UTC(2026, 10, 27, 0, 0, 0);
const SERIES = 60_000;

let dir: string | undefined;
afterEach(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('DuckDBMetricStore flush', () => {
  it('lets queued work run between the data chunks of a large flush', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pharos-flush-yields-'));
    const store = await DuckDBMetricStore.open({ dir });
    try {
      const b = new MetricBatchBuilder('t', SERIES, SERIES);
      for (let i = 0; i < SERIES; i++) {
        b.addSeries(['__name__', 'wave', 'instance', `host-${i}`, 'job', 'node']);
        b.addSample(T0, i);
      }
      await store.append(b.build());
      // A ticker on the macrotask queue measures the longest the loop was held during the flush.
      let last = performance.now();
      let longest = 0;
      let ticks = 0;
      let running = true;
      const tick = (): void => {
        const now = performance.now();
        longest = Math.max(longest, now - last);
        last = now;
        ticks++;
        if (running) setImmediate(tick);
      };
      const started = performance.now();
      setImmediate(tick);
      await store.flush();
      running = false;
      const total = performance.now() - started;
      // 60,000 series rows are ~30 data chunks: the loop ran between them. Without the yields
      // the series rows alone (tens of ms) were one step, most of the flush's own time.
      expect(ticks).toBeGreaterThan(20);
      expect(longest).toBeLessThan(total / 4);
    } finally {
      await store.close();
    }
  });
});
