/** How often held writes look at the gate: a fraction of a store append (~50–100 ms). */
const HOLD_POLL_MS = 10;

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
 * the stream); the gate closes above `maxDelayMs` and opens again once a write let through now
 * would wait about half of it: the last write it let through waits about as long as the batch
 * appended last did, so the backlog ahead of a new one is what is left of that wait. Waiting
 * instead for a batch appended within half the bound never happens while a backlog drains (its
 * records all wait about as long as the queue was when it closed), and the fallback — no report
 * for a while, nothing left to append — left the store idle for seconds at a million series
 * (bench/RESULTS.md, 2026-11-27 18:44–19:15).
 *
 * A write that finds the gate closed is held ({@link admit}) rather than refused at once: the
 * sample's freshness is counted from its acknowledgement, so waiting before the stream write
 * costs the bound nothing, and held writes go in the moment the backlog allows. Refused at
 * once, senders come back only after `Retry-After` (a whole second: Prometheus honours it),
 * by when the store may have drained its backlog and sat idle (bench/RESULTS.md,
 * 2026-11-29 06:30–08:35).
 * A write is refused (503) only when the gate stays closed for {@link maxHoldMs}, or when
 * {@link maxHeld} writes are held already.
 */
export class VisibilityGate {
  private behind = false;
  private lastReportAt = -Infinity;
  private lastDelayMs = 0;
  /** When a write was last let through: the newest write the backlog may hold. */
  private lastAdmitAt: number;
  /** See {@link watchAppending}. */
  private appendingSince: () => number = () => Infinity;

  /** Writes waiting in {@link admit}, oldest first. */
  private readonly held: { readonly until: number; readonly resolve: (admitted: boolean) => void }[] = [];
  private pollTimer: NodeJS.Timeout | undefined;

  /** `maxDelayMs` 0 turns the gate off. */
  constructor(
    private readonly maxDelayMs: number,
    private readonly clock: () => number = Date.now,
    /** Longest a write waits in {@link admit} for the gate to open. */
    readonly maxHoldMs = 2_000,
    /** Most writes held at once (each holds its decoded request); more are refused at once. */
    readonly maxHeld = 256,
  ) {
    this.lastAdmitAt = clock();
  }

  /**
   * Whether a write may go through now: `true` at once while the gate is open (no promise on
   * the common path); otherwise a promise that resolves `true` once it opens, or `false` when
   * it stayed closed for {@link maxHoldMs} (or too many writes are held): refuse that one.
   */
  admit(): true | Promise<boolean> {
    if (!this.isBehind()) return true;
    if (this.held.length >= this.maxHeld || this.maxHoldMs <= 0) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      this.held.push({ until: this.clock() + this.maxHoldMs, resolve });
      if (this.pollTimer === undefined) {
        this.pollTimer = setInterval(() => this.releaseHeld(), HOLD_POLL_MS);
        // Held requests keep their sockets, and so the process, alive; the poll need not.
        this.pollTimer.unref();
      }
    });
  }

  /** How many writes {@link admit} holds now. */
  get heldWrites(): number {
    return this.held.length;
  }

  /** Lets every held write through once the gate opens; refuses those held too long. */
  private releaseHeld(): void {
    const open = !this.isBehind();
    const now = this.clock();
    let kept = 0;
    for (const h of this.held) {
      if (open) h.resolve(true);
      else if (now >= h.until) h.resolve(false);
      else this.held[kept++] = h;
    }
    this.held.length = kept;
    if (kept === 0 && this.pollTimer !== undefined) {
      clearInterval(this.pollTimer);
      this.pollTimer = undefined;
    }
  }

  /** The ack-to-readable delay of a batch just appended. */
  report(delayMs: number): void {
    if (this.maxDelayMs <= 0) return;
    this.lastReportAt = this.clock();
    this.lastDelayMs = delayMs;
    if (delayMs > this.maxDelayMs) this.behind = true;
    else if (delayMs <= this.maxDelayMs / 2) this.behind = false;
  }

  /**
   * Gives the gate when the oldest record still being appended entered the stream (Infinity
   * when none), so that a stalled append closes it while it lasts: its delay is reported only
   * once it completes, and every write let through meanwhile would queue behind it.
   */
  watchAppending(since: () => number): void {
    this.appendingSince = since;
  }

  /** True while writes should be refused for freshness; false lets a write through. */
  isBehind(): boolean {
    const now = this.clock();
    if (this.behind && (this.lastAdmitAt + this.lastDelayMs - now <= this.maxDelayMs / 2 || now - this.lastReportAt > Math.max(1_000, 2 * this.maxDelayMs))) {
      // What was let through is (about to be) appended, or nothing was appended for a while:
      // nothing is queued behind the refused writes.
      this.behind = false;
    }
    if (!this.behind && this.maxDelayMs > 0) {
      const waited = now - this.appendingSince();
      if (waited > this.maxDelayMs) {
        // An append in flight has already waited too long: counted as a report of what it has
        // waited so far, so the reopening is judged as for a completed one.
        this.behind = true;
        this.lastReportAt = now;
        this.lastDelayMs = waited;
      }
    }
    if (!this.behind) this.lastAdmitAt = now;
    return this.behind;
  }
}
