/**
 * A request refused as a whole, with the HTTP status a sender understands: 429 for a tenant
 * over its limits (Prometheus retries only when told to), 503 with Retry-After when Pharos
 * itself is saturated (senders retry), 400/413 for bad input (senders drop it).
 */
export class IngestRefusedError extends Error {
  override readonly name = 'IngestRefusedError';
  constructor(
    readonly status: 400 | 413 | 429 | 503,
    message: string,
    readonly reason: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}
