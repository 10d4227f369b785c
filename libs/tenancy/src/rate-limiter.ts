/**
 * Token bucket per tenant: `rate` samples per second with a burst allowance. A request is
 * admitted whole or not at all, as Mimir's distributor does, so a sender retrying after 429
 * does not duplicate a half-accepted request.
 */
export class IngestionRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updatedAt: number }>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** True when `samples` fit in the tenant's bucket (and takes them); rate 0 means unlimited. */
  tryTake(tenant: string, samples: number, rate: number, burst: number): boolean {
    if (rate <= 0) return true;
    const capacity = burst > 0 ? burst : rate;
    const now = this.now();
    let bucket = this.buckets.get(tenant);
    if (!bucket) {
      bucket = { tokens: capacity, updatedAt: now };
      this.buckets.set(tenant, bucket);
    }
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.updatedAt) / 1000) * rate);
    bucket.updatedAt = now;
    // A request larger than the whole bucket could never pass; let it through when the bucket is full.
    if (samples > capacity && bucket.tokens >= capacity) {
      bucket.tokens -= samples;
      return true;
    }
    if (bucket.tokens < samples) return false;
    bucket.tokens -= samples;
    return true;
  }
}
