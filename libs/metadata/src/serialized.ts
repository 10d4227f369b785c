/**
 * SQLite through TypeORM is one connection shared by every caller. Two repository calls that
 * interleave at an `await` would share a transaction: a second `BEGIN` fails, or an unrelated
 * autocommit write joins a transaction that then rolls back. On SQLite the store therefore runs
 * repository calls one at a time. better-sqlite3 executes synchronously anyway, so this costs
 * only the queueing; PostgreSQL (a pool, one connection per transaction) is not wrapped.
 */
export class CallQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    // The queue continues whether the call succeeded or failed.
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

/** Wraps every method of `target` so that calls go through `queue` (methods call each other unwrapped). */
export function serializeCalls<T extends object>(target: T, queue: CallQueue): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value: unknown = Reflect.get(obj, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => queue.run(() => (value as (...a: unknown[]) => Promise<unknown>).apply(obj, args));
    },
  });
}
