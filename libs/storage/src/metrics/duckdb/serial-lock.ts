/**
 * Runs async tasks one at a time, in call order. Flushes, deletes, retention and rollup
 * reads share the single DuckDB writer connection and the rollup bookkeeping, so they must
 * not interleave at their `await`s; appends never take it (they only touch the head).
 */
export class SerialLock {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    // Keep the chain alive whatever the task's outcome; the caller sees the real result.
    this.tail = result.catch(() => undefined);
    return result;
  }
}
