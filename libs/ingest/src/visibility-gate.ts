/**
 * Backpressure by freshness: whether the processor (in this process) appends what was written
 * so late that a sample acknowledged now would not be readable within the bound. The stream's
 * lag bound (`StreamLagMonitor`) is about disk and replay, hundreds of MiB; at a million active
 * series the store could fall seconds behind well inside it, and every sample acknowledged
 * meanwhile became readable seconds later (bench/RESULTS.md, 2026-11-27 16:55). Refusing
 * writes with 503 and `Retry-After` while the delay is high makes senders wait instead, so what
 * is acknowledged stays fresh, as a Prometheus sender expects of a 2xx.
 *
 * The processor reports the delay of every batch it appends (from its oldest record entering
 * the stream); the gate closes above `maxDelayMs` and opens again at half of it, or when no
 * report came for a while (nothing left to append: the refused writes are not queued).
 */
export class VisibilityGate {
  private behind = false;
  private lastReportAt = -Infinity;

  /** `maxDelayMs` 0 turns the gate off. */
  constructor(
    private readonly maxDelayMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The ack-to-readable delay of a batch just appended. */
  report(delayMs: number): void {
    if (this.maxDelayMs <= 0) return;
    this.lastReportAt = this.clock();
    if (delayMs > this.maxDelayMs) this.behind = true;
    else if (delayMs <= this.maxDelayMs / 2) this.behind = false;
  }

  /** True while writes should be refused for freshness. */
  isBehind(): boolean {
    if (!this.behind) return false;
    // Nothing appended for a while: nothing is queued behind the refused writes.
    if (this.clock() - this.lastReportAt > Math.max(1_000, 2 * this.maxDelayMs)) this.behind = false;
    return this.behind;
  }
}
