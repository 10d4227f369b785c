import { monitorEventLoopDelay, type ELDHistogram } from 'node:perf_hooks';
import type { LoopDelay } from '../port.js';

/**
 * How late the current thread's event loop runs, interval by interval (libuv's timer
 * sampling, as prom-client's `nodejs_eventloop_lag_*` does for the main thread). On the store
 * thread every append waits behind whatever synchronous step runs, so this is the stall a
 * freshly acknowledged sample can meet there.
 */
export class LoopDelayMonitor {
  private constructor(private readonly histogram: ELDHistogram) {}

  /** Starts sampling every `resolutionMs` (a coarser resolution costs less and misses short stalls only). */
  static start(resolutionMs = 10): LoopDelayMonitor {
    const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
    histogram.enable();
    return new LoopDelayMonitor(histogram);
  }

  /** The delays since the previous call (or the start), in seconds; the interval starts anew. */
  take(): LoopDelay {
    const h = this.histogram;
    // An empty interval reports a huge minimum and NaN quantiles in some Node versions: zero them.
    const seconds = (ns: number): number => (Number.isFinite(ns) && h.count > 0 ? ns / 1e9 : 0);
    const delay = { p50: seconds(h.percentile(50)), p99: seconds(h.percentile(99)), max: seconds(h.max) };
    h.reset();
    return delay;
  }

  stop(): void {
    this.histogram.disable();
  }
}
