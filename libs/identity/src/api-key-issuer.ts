import {
  DuplicateRecordError,
  InvalidRecordError,
  type ApiKeyRecord,
  type ApiKeyRepository,
  type Role,
} from '#pharos/metadata';
import { newApiKey } from './api-key-format.js';
import type { ApiKeyVerifier } from './api-key-verifier.js';
import { sha256Hex } from './tokens.js';

export interface ApiKeyRequest {
  /** The tenant whose admins manage the key. */
  readonly ownerTenantId: string;
  /** Tenants the key may act for, first = default; defaults to the owner alone. */
  readonly tenants?: readonly string[];
  readonly role: Role;
  readonly name: string;
  /** Absolute expiry (ms since epoch), or null for a key that does not expire. */
  readonly expiresAt: number | null;
  readonly createdBy: string | null;
}

export interface IssuedApiKey {
  /** The key, to show once: it cannot be recovered later. */
  readonly key: string;
  readonly record: ApiKeyRecord;
}

/**
 * Creates API keys. Who may create which key is the caller's check (RoleAuthorizer.canGrant
 * for every tenant of the key); this class enforces what holds for every key.
 */
export class ApiKeyIssuer {
  constructor(
    private readonly keys: Pick<ApiKeyRepository, 'create'>,
    private readonly now: () => number = Date.now,
    /** Longest lifetime allowed; null allows keys without expiry. */
    private readonly maxLifetimeMs: number | null = null,
  ) {}

  async issue(request: ApiKeyRequest): Promise<IssuedApiKey> {
    const now = this.now();
    if (request.expiresAt !== null && request.expiresAt <= now) throw new InvalidRecordError('an API key must expire in the future');
    if (this.maxLifetimeMs !== null) {
      if (request.expiresAt === null || request.expiresAt - now > this.maxLifetimeMs) {
        throw new InvalidRecordError(`an API key must expire within ${Math.round(this.maxLifetimeMs / 86_400_000)} days`);
      }
    }
    // A prefix collision (48 random bits) is astronomically rare; a new draw settles it.
    for (let attempt = 0; ; attempt++) {
      const { key, prefix } = newApiKey();
      try {
        const record = await this.keys.create({
          ownerTenantId: request.ownerTenantId,
          tenants: request.tenants ?? [request.ownerTenantId],
          prefix,
          secretHash: sha256Hex(key),
          name: request.name,
          role: request.role,
          createdBy: request.createdBy,
          expiresAt: request.expiresAt,
        });
        return { key, record };
      } catch (err) {
        if (!(err instanceof DuplicateRecordError) || attempt >= 2) throw err;
      }
    }
  }
}

/** Revokes keys, effective at once in this process and within the verifier's cache TTL elsewhere. */
export class ApiKeyRevoker {
  constructor(
    private readonly keys: Pick<ApiKeyRepository, 'revoke'>,
    private readonly verifier: Pick<ApiKeyVerifier, 'invalidate'> | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  async revoke(tenantId: string, keyId: string): Promise<ApiKeyRecord> {
    const record = await this.keys.revoke(tenantId, keyId, this.now());
    this.verifier?.invalidate(record.id);
    return record;
  }
}
