/**
 * Runs a Kafka admin call, trying again while it fails with an error kafkajs marks retriable.
 *
 * kafkajs retries producer and consumer requests itself but not admin offset calls: on a
 * broker that has just started, the group coordinator is still loading `__consumer_offsets`
 * and the first OffsetFetch answers NOT_COORDINATOR_FOR_GROUP, which would otherwise stop a
 * processor at start. Non-retriable errors, and retriable ones past `budgetMs`, are thrown.
 */
export async function withAdminRetries<T>(call: () => Promise<T>, budgetMs = 15_000, sleep = defaultSleep): Promise<T> {
  const giveUpAt = Date.now() + budgetMs;
  for (let waitMs = 100; ; waitMs = Math.min(waitMs * 2, 1_000)) {
    try {
      return await call();
    } catch (err) {
      if (!isRetriable(err) || Date.now() + waitMs > giveUpAt) throw err;
      await sleep(waitMs);
    }
  }
}

function isRetriable(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { retriable?: unknown }).retriable === true;
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
