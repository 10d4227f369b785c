/**
 * Failed logins per (login, client address) in fixed windows, in memory: after `maxFailures`
 * in a window, further attempts from that address for that login are refused without checking
 * the password, until the window ends. It slows guessing from one address without letting an
 * attacker lock a user out from elsewhere (that is the persistent lockout's job, with a higher
 * threshold). Bounded: beyond `maxEntries` the oldest windows are dropped.
 */
export class LoginThrottle {
  private readonly windows = new Map<string, { start: number; failures: number }>();

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
    private readonly maxEntries = 100_000,
  ) {}

  /** Milliseconds until another attempt is allowed; 0 when allowed now. */
  retryAfter(login: string, ip: string, now: number): number {
    const w = this.windows.get(key(login, ip));
    if (!w || now - w.start >= this.windowMs || w.failures < this.maxFailures) return 0;
    return w.start + this.windowMs - now;
  }

  recordFailure(login: string, ip: string, now: number): void {
    const k = key(login, ip);
    const w = this.windows.get(k);
    if (w && now - w.start < this.windowMs) {
      w.failures++;
      return;
    }
    this.windows.delete(k);
    this.windows.set(k, { start: now, failures: 1 });
    if (this.windows.size > this.maxEntries) this.evict(now);
  }

  recordSuccess(login: string, ip: string): void {
    this.windows.delete(key(login, ip));
  }

  private evict(now: number): void {
    for (const [k, w] of this.windows) {
      if (now - w.start >= this.windowMs) this.windows.delete(k);
    }
    // Still full of live windows: drop the oldest (Map keeps insertion order).
    for (const k of this.windows.keys()) {
      if (this.windows.size <= this.maxEntries) break;
      this.windows.delete(k);
    }
  }
}

function key(login: string, ip: string): string {
  return `${login.trim().toLowerCase()}\u0000${ip}`;
}
