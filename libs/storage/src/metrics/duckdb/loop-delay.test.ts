import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { LoopDelayMonitor } from './loop-delay.js';

describe('LoopDelayMonitor', () => {
  it('reports a synchronous stall of the loop, then starts a new interval', async () => {
    const monitor = LoopDelayMonitor.start(5);
    try {
      await sleep(30);
      const until = performance.now() + 120;
      while (performance.now() < until) {
        // Holds the loop as a long synchronous step of the store would.
      }
      await sleep(30);
      const stalled = monitor.take();
      expect(stalled.max).toBeGreaterThanOrEqual(0.1);
      expect(stalled.p50).toBeLessThan(stalled.max);
      await sleep(40);
      // A new interval: the stall is not in it.
      expect(monitor.take().max).toBeLessThan(stalled.max);
    } finally {
      monitor.stop();
    }
  });
});
