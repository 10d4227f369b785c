import type { ApiKeyRecord, ApiKeyRepository, TenantRepository } from '#pharos/metadata';
import { apiKeyPrefixOf } from './api-key-format.js';
import type { ApiKeyPrincipal } from './principal.js';
import { hexDigestsEqual, sha256Hex } from './tokens.js';

export type ApiKeyVerification =
  | { readonly ok: true; readonly principal: ApiKeyPrincipal }
  | { readonly ok: false; readonly reason: 'malformed' | 'unknown' | 'revoked' | 'expired' | 'tenant_disabled'; readonly message: string };

export interface ApiKeyVerifierOptions {
  /**
   * How long a verified key is trusted without asking the database again (default 10 s). A
   * revocation by another process takes effect within this time; in this process at once.
   */
  readonly cacheTtlMs?: number;
  /** Most keys cached (default 10,000); the oldest entries go first. */
  readonly cacheMaxEntries?: number;
  readonly now?: () => number;
}

interface CacheEntry {
  readonly key: ApiKeyRecord;
  readonly principal: ApiKeyPrincipal | undefined;
  readonly failure: Exclude<ApiKeyVerification, { ok: true }> | undefined;
  readonly checkedAt: number;
}

const UNKNOWN: ApiKeyVerification = { ok: false, reason: 'unknown', message: 'invalid API key' };
const MALFORMED: ApiKeyVerification = { ok: false, reason: 'malformed', message: 'invalid API key' };

/**
 * Verifies API keys on every remote-write and query request. The first sight of a key costs a
 * database lookup by prefix and a constant-time comparison of SHA-256 digests; the result is
 * cached under the digest for `cacheTtlMs`, so the hot path is one SHA-256 and a map lookup.
 * Expiry is checked on every call; last-used times are gathered in memory and written by
 * `flushUsage` (one write per key, not per request).
 */
export class ApiKeyVerifier {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly byKeyId = new Map<string, string>();
  private readonly lastUsed = new Map<string, number>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(
    private readonly keys: Pick<ApiKeyRepository, 'findByPrefix' | 'recordUsage'>,
    private readonly tenants: Pick<TenantRepository, 'get'>,
    options: ApiKeyVerifierOptions = {},
  ) {
    this.ttlMs = options.cacheTtlMs ?? 10_000;
    this.maxEntries = options.cacheMaxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  async verify(presented: string): Promise<ApiKeyVerification> {
    const prefix = apiKeyPrefixOf(presented);
    if (prefix === undefined) return MALFORMED;
    const digest = sha256Hex(presented);
    const now = this.now();
    let entry = this.cache.get(digest);
    if (entry === undefined || now - entry.checkedAt >= this.ttlMs) {
      const fresh = await this.load(prefix, digest, now);
      if (fresh === undefined) {
        // Unknown keys are not cached: a flood of random keys must not evict real ones.
        this.forget(digest);
        return UNKNOWN;
      }
      entry = fresh;
      this.remember(digest, entry);
    }
    if (entry.failure) return entry.failure;
    if (entry.key.expiresAt !== null && now >= entry.key.expiresAt) {
      return { ok: false, reason: 'expired', message: `API key "${entry.key.name}" expired` };
    }
    this.lastUsed.set(entry.key.id, now);
    return { ok: true, principal: entry.principal! };
  }

  /** Drops a key from the cache (after a revocation in this process). */
  invalidate(keyId: string): void {
    const digest = this.byKeyId.get(keyId);
    if (digest !== undefined) this.forget(digest);
  }

  /** Writes the gathered last-used times; call periodically and at shutdown. */
  async flushUsage(): Promise<void> {
    if (this.lastUsed.size === 0) return;
    const batch = new Map(this.lastUsed);
    this.lastUsed.clear();
    await this.keys.recordUsage(batch);
  }

  get cachedKeys(): number {
    return this.cache.size;
  }

  private async load(prefix: string, digest: string, now: number): Promise<CacheEntry | undefined> {
    const key = await this.keys.findByPrefix(prefix);
    if (!key || !hexDigestsEqual(key.secretHash, digest)) return undefined;
    const base = { key, checkedAt: now };
    if (key.revokedAt !== null) {
      return { ...base, principal: undefined, failure: { ok: false, reason: 'revoked', message: `API key "${key.name}" was revoked` } };
    }
    const enabled: string[] = [];
    for (const tenantId of key.tenants) {
      const tenant = await this.tenants.get(tenantId);
      if (tenant && !tenant.disabled) enabled.push(tenantId);
    }
    if (enabled.length === 0) {
      return { ...base, principal: undefined, failure: { ok: false, reason: 'tenant_disabled', message: `the tenants of API key "${key.name}" are disabled` } };
    }
    const principal: ApiKeyPrincipal = { kind: 'api_key', keyId: key.id, name: key.name, role: key.role, tenants: enabled };
    return { ...base, principal, failure: undefined };
  }

  private remember(digest: string, entry: CacheEntry): void {
    this.cache.delete(digest);
    this.cache.set(digest, entry);
    this.byKeyId.set(entry.key.id, digest);
    if (this.cache.size > this.maxEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.forget(oldest);
    }
  }

  private forget(digest: string): void {
    const entry = this.cache.get(digest);
    if (!entry) return;
    this.cache.delete(digest);
    if (this.byKeyId.get(entry.key.id) === digest) this.byKeyId.delete(entry.key.id);
  }
}
