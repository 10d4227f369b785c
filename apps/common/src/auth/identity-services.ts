import { createHash } from 'node:crypto';
import type { PharosConfig } from '#pharos/config';
import {
  ApiKeyIssuer,
  ApiKeyRevoker,
  ApiKeyVerifier,
  apiKeyPrefixOf,
  LoginAuthenticator,
  PasswordChanger,
  PasswordHasher,
  PasswordPolicy,
  RoleAuthorizer,
  SessionIssuer,
  SessionRevoker,
  SessionVerifier,
  UserProvisioner,
  type ApiKeyPrincipal,
  type SessionPolicy,
  type UserPrincipal,
} from '#pharos/identity';
import type { ApiKeyRepository, MetadataStore, SessionRecord, TenantRepository } from '#pharos/metadata';
import type { CredentialCheck, CredentialGrant, CredentialVerifier, StoredCredentialVerifiers, TenantRole } from '#pharos/tenancy';

/** A grant from the identity store: what the tenant resolver needs plus the full principal. */
export interface IdentityGrant extends CredentialGrant {
  readonly principal: UserPrincipal | ApiKeyPrincipal;
  /** The login session, for a session credential (CSRF checks, "this session" in lists). */
  readonly session?: SessionRecord;
}

export function isIdentityGrant(grant: CredentialGrant): grant is IdentityGrant {
  return 'principal' in grant;
}

/**
 * API keys from the store for the tenant resolver. `verify` is identity's cached
 * `ApiKeyVerifier` (one SHA-256 and a map lookup once a key is known); `peek` answers the
 * synchronous ingestion path (the dedicated OTLP ports) from the keys verified recently. An
 * entry older than the TTL is still answered for one more TTL while it is re-verified in the
 * background (stale-while-revalidate), so a sender using a key steadily never meets a gap;
 * a revocation in this process removes it at once.
 */
export class StoredApiKeyCredentials implements CredentialVerifier<IdentityGrant> {
  private readonly recent = new Map<
    string,
    { readonly check: CredentialCheck<IdentityGrant>; readonly at: number; readonly keyId: string; readonly expiresAt: number | null; refreshing: boolean }
  >();

  constructor(
    private readonly verifier: ApiKeyVerifier,
    /** The verifier checks expiry on every call; `peek` needs the expiry at hand to do the same. */
    private readonly keys: Pick<ApiKeyRepository, 'findByPrefix'>,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async verify(token: string): Promise<CredentialCheck<IdentityGrant>> {
    const result = await this.verifier.verify(token);
    const digest = sha256(token);
    if (!result.ok) {
      this.recent.delete(digest);
      return { ok: false, message: result.message };
    }
    const principal = result.principal;
    const check: CredentialCheck<IdentityGrant> = {
      ok: true,
      grant: {
        subject: `API key "${principal.name}"`,
        roles: new Map(principal.tenants.map((t) => [t, principal.role as TenantRole])),
        defaultTenant: principal.tenants[0],
        principal,
      },
    };
    const known = this.recent.get(digest);
    const now = this.now();
    // Refreshed at most once per TTL per key: the hot path of the main port stays lookup-free.
    if (known === undefined || known.refreshing || now - known.at >= this.ttlMs) {
      const prefix = apiKeyPrefixOf(token);
      const record = prefix === undefined ? undefined : await this.keys.findByPrefix(prefix);
      if (known === undefined && this.recent.size >= 10_000) this.recent.clear();
      this.recent.set(digest, { check, at: now, keyId: principal.keyId, expiresAt: record?.expiresAt ?? null, refreshing: false });
    }
    return check;
  }

  peek(token: string): CredentialCheck<IdentityGrant> | undefined {
    const digest = sha256(token);
    const entry = this.recent.get(digest);
    if (entry === undefined) return undefined;
    const now = this.now();
    const age = now - entry.at;
    if (age >= 2 * this.ttlMs || (entry.expiresAt !== null && now >= entry.expiresAt)) {
      this.recent.delete(digest);
      return undefined;
    }
    if (age >= this.ttlMs && !entry.refreshing) {
      entry.refreshing = true;
      this.verify(token).catch(() => {
        entry.refreshing = false;
      });
    }
    return entry.check;
  }

  /** After a revocation in this process: forget the key at once (both caches). */
  invalidate(keyId: string): void {
    this.verifier.invalidate(keyId);
    for (const [digest, entry] of this.recent) if (entry.keyId === keyId) this.recent.delete(digest);
  }
}

/**
 * Login sessions for the tenant resolver. Sessions are for people using the console, not for
 * ingestion, so every request is checked against the store (revocation is immediate) and
 * `peek` knows nothing.
 */
export class StoredSessionCredentials implements CredentialVerifier<IdentityGrant> {
  constructor(
    private readonly verifier: SessionVerifier,
    private readonly tenants: Pick<TenantRepository, 'list'>,
  ) {}

  async verify(token: string): Promise<CredentialCheck<IdentityGrant>> {
    const result = await this.verifier.verify(token);
    if (!result.ok) return { ok: false, message: result.message };
    const principal = await this.withoutDisabledTenants(result.principal);
    // Until the password is changed the account acts for no tenant (RoleAuthorizer says the same).
    const roles: ReadonlyMap<string, TenantRole> = principal.mustChangePassword ? new Map() : principal.roles;
    return {
      ok: true,
      grant: {
        subject: `user "${principal.login}"`,
        roles,
        defaultTenant: roles.size === 1 ? roles.keys().next().value : undefined,
        principal,
        session: result.session,
      },
    };
  }

  peek(): undefined {
    return undefined;
  }

  /** A disabled tenant's data is closed to its members too, not only to its keys. */
  private async withoutDisabledTenants(principal: UserPrincipal): Promise<UserPrincipal> {
    if (principal.roles.size === 0) return principal;
    const disabled = new Set((await this.tenants.list()).filter((t) => t.disabled).map((t) => t.id));
    if (![...principal.roles.keys()].some((t) => disabled.has(t))) return principal;
    return { ...principal, roles: new Map([...principal.roles].filter(([t]) => !disabled.has(t))) };
  }

  checkCsrf(session: SessionRecord, presented: string | undefined): boolean {
    return this.verifier.checkCsrf(session, presented);
  }
}

/** The identity rules over one metadata store, built once per process. */
export interface IdentityServices {
  readonly store: MetadataStore;
  readonly hasher: PasswordHasher;
  readonly passwordPolicy: PasswordPolicy;
  readonly login: LoginAuthenticator;
  readonly sessionIssuer: SessionIssuer;
  readonly sessionRevoker: SessionRevoker;
  readonly sessionPolicy: SessionPolicy;
  readonly apiKeyIssuer: ApiKeyIssuer;
  readonly apiKeyRevoker: ApiKeyRevoker;
  readonly apiKeyVerifier: ApiKeyVerifier;
  readonly passwordChanger: PasswordChanger;
  readonly userProvisioner: UserProvisioner;
  readonly authorizer: RoleAuthorizer;
  readonly apiKeys: StoredApiKeyCredentials;
  readonly sessions: StoredSessionCredentials;
  /** For the tenant resolver. */
  readonly verifiers: StoredCredentialVerifiers;
}

export function createIdentityServices(store: MetadataStore, auth: PharosConfig['auth']): IdentityServices {
  const hasher = new PasswordHasher();
  const passwordPolicy = new PasswordPolicy(auth.passwordMinLength);
  const sessionPolicy: SessionPolicy = {
    maxLifetimeMs: auth.sessionMaxLifetimeMs,
    idleTimeoutMs: auth.sessionIdleTimeoutMs,
    touchIntervalMs: Math.min(60_000, auth.sessionIdleTimeoutMs),
  };
  const sessionVerifier = new SessionVerifier(store.sessions, store.users, store.memberships, sessionPolicy);
  const sessionRevoker = new SessionRevoker(store.sessions);
  const apiKeyVerifier = new ApiKeyVerifier(store.apiKeys, store.tenants, { cacheTtlMs: auth.apiKeyCacheTtlMs });
  const apiKeys = new StoredApiKeyCredentials(apiKeyVerifier, store.apiKeys, auth.apiKeyCacheTtlMs);
  const sessions = new StoredSessionCredentials(sessionVerifier, store.tenants);
  return {
    store,
    hasher,
    passwordPolicy,
    login: new LoginAuthenticator(store.users, hasher, {
      throttleMaxFailures: auth.loginMaxFailures,
      throttleWindowMs: auth.loginFailureWindowMs,
      lockoutThreshold: auth.lockoutThreshold,
      lockoutMs: auth.lockoutDurationMs,
    }),
    sessionIssuer: new SessionIssuer(store.sessions, sessionPolicy),
    sessionRevoker,
    sessionPolicy,
    apiKeyIssuer: new ApiKeyIssuer(store.apiKeys, Date.now, auth.apiKeyMaxLifetimeMs > 0 ? auth.apiKeyMaxLifetimeMs : null),
    apiKeyRevoker: new ApiKeyRevoker(store.apiKeys, apiKeys),
    apiKeyVerifier,
    passwordChanger: new PasswordChanger(store.users, hasher, sessionRevoker, passwordPolicy),
    userProvisioner: new UserProvisioner(store.users, store.memberships, hasher, passwordPolicy),
    authorizer: new RoleAuthorizer(),
    apiKeys,
    sessions,
    verifiers: { apiKeys, sessions },
  };
}

function sha256(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
