import { SelfScraper, type SelfScrapeResult, type SelfScraperOptions } from './self-scraper.js';

export interface SelfMonitorOptions extends SelfScraperOptions {
  /** `self_monitoring.interval`, ms. */
  readonly intervalMs: number;
  /** A collection that failed (refused write, closed stream); the next one tries again. */
  readonly onError: (err: unknown) => void;
  readonly onCollected?: (result: SelfScrapeResult) => void;
  readonly now?: () => number;
}

/**
 * Runs a {@link SelfScraper} every interval. Collections fall on multiples of the interval
 * (wall clock), and each sample takes its slot's time, so every self-metric has timestamps
 * exactly one interval apart (clean `rate()`, good compression) and several processes write
 * on the same slots. A collection still running when the next slot comes skips that slot.
 */
export class SelfMonitor {
  private readonly scraper: SelfScraper;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private lastSlot = 0;

  constructor(private readonly o: SelfMonitorOptions) {
    if (!(o.intervalMs > 0)) throw new RangeError(`self-monitoring interval must be positive, got ${o.intervalMs}ms`);
    this.scraper = new SelfScraper(o);
    this.now = o.now ?? Date.now;
  }

  start(): void {
    this.schedule();
  }

  /** Stops collecting, waits for a collection in flight, then marks every series stale. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    try {
      await this.scraper.markStale(Math.max(this.now(), this.lastSlot + 1));
    } catch (err) {
      this.o.onError(err);
    }
  }

  /** One collection at `slotMs` (exposed for tests); errors go to `onError`. */
  async collect(slotMs: number): Promise<void> {
    this.lastSlot = slotMs;
    try {
      const result = await this.scraper.collectOnce(slotMs);
      this.o.onCollected?.(result);
    } catch (err) {
      this.o.onError(err);
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    const interval = this.o.intervalMs;
    const now = this.now();
    const slot = Math.floor(now / interval) * interval + interval;
    this.timer = setTimeout(() => {
      if (this.stopped) return;
      this.running ??= this.collect(slot).finally(() => (this.running = undefined));
      this.schedule();
    }, slot - now);
    // Self-monitoring never keeps a process alive on its own.
    this.timer.unref();
  }
}
