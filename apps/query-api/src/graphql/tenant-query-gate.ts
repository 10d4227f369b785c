import { gatewayError } from './errors.js';

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Bounds how many metric queries of one tenant evaluate at once. GraphQL runs a request's
 * root fields concurrently (a dashboard's aliased panels), so without a bound one request of
 * 50 panels would take every core from the other tenants; waiters run in arrival order.
 */
export class TenantQueryGate {
  private readonly running = new Map<string, number>();
  private readonly waiting = new Map<string, Waiter[]>();

  constructor(private readonly maxPerTenant: number) {
    if (!(maxPerTenant >= 1)) throw new Error(`maxPerTenant must be at least 1, got ${maxPerTenant}`);
  }

  /** Runs `work` when a slot of the tenant is free; an abort while waiting gives CANCELED. */
  async run<T>(tenant: string, signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
    await this.acquire(tenant, signal);
    try {
      return await work();
    } finally {
      this.release(tenant);
    }
  }

  /** Queries of the tenant in flight (for tests and self-metrics). */
  inFlight(tenant: string): number {
    return this.running.get(tenant) ?? 0;
  }

  private acquire(tenant: string, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(gatewayError('CANCELED', 'the request was canceled before its query ran'));
    const n = this.running.get(tenant) ?? 0;
    if (n < this.maxPerTenant) {
      this.running.set(tenant, n + 1);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const queue = this.waiting.get(tenant) ?? [];
      const onAbort = (): void => {
        const i = queue.indexOf(waiter);
        if (i >= 0) queue.splice(i, 1);
        reject(gatewayError('CANCELED', 'the request was canceled while its query waited for a slot'));
      };
      const waiter: Waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject,
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      queue.push(waiter);
      this.waiting.set(tenant, queue);
    });
  }

  private release(tenant: string): void {
    const queue = this.waiting.get(tenant);
    const next = queue?.shift();
    if (next) {
      // The slot passes straight to the next waiter: the running count stays the same.
      if (queue!.length === 0) this.waiting.delete(tenant);
      next.resolve();
      return;
    }
    const n = (this.running.get(tenant) ?? 1) - 1;
    if (n <= 0) this.running.delete(tenant);
    else this.running.set(tenant, n);
  }
}
