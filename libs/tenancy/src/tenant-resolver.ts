import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiKeyConfig } from '#pharos/config';
import {
  presentedCredential,
  single,
  type CredentialCheck,
  type CredentialGrant,
  type CredentialVerifier,
  type DataAccess,
  type PresentedCredential,
  type RequestHeaders,
  type TenantRole,
} from './credentials.js';

/** The tenant a request acts for, or why it may not act at all. */
export type TenantResolution =
  | {
      readonly ok: true;
      readonly tenant: string;
      /** What the credential may do; absent when auth is off. */
      readonly grant?: CredentialGrant;
    }
  | { readonly ok: false; readonly status: 400 | 401 | 403; readonly message: string };

/** Who a request is, before any tenant is chosen. */
export type Authentication =
  | { readonly ok: true; readonly grant: CredentialGrant; readonly credential: PresentedCredential }
  /** Auth is off: everyone may do everything in the tenant they name. */
  | { readonly ok: true; readonly grant: undefined; readonly credential: undefined }
  | { readonly ok: false; readonly status: 401; readonly message: string };

/** The verifiers of credentials kept in the metadata store, told apart by their prefixes. */
export interface StoredCredentialVerifiers {
  /** Tokens starting `phk_`. */
  readonly apiKeys?: CredentialVerifier;
  /** Tokens starting `phs_` (a bearer session token or the session cookie). */
  readonly sessions?: CredentialVerifier;
}

export const DEFAULT_TENANT = 'default';
export const TENANT_HEADER = 'x-scope-orgid';
const API_KEY_PREFIX = 'phk_';
const SESSION_PREFIX = 'phs_';

/** Tenant ids as Mimir and Loki accept them, minus `|` (we do not federate queries yet). */
const TENANT_ID = /^[a-zA-Z0-9_.\-!*'()]{1,150}$/;

const RANK: Readonly<Record<TenantRole, number>> = { viewer: 0, editor: 1, admin: 2 };

/**
 * Decides the tenant of a request from its headers.
 *
 * Auth off (single-user default, as Mimir and Loki ship): `X-Scope-OrgID`, or `default`.
 * Auth on: a credential from `Authorization` (bearer, InfluxDB `Token`, or basic auth whose
 * password is the token, so Prometheus `basic_auth` works) or the session cookie. `phk_` API
 * keys and `phs_` sessions are checked by the stored-credential verifiers; any other token
 * against the YAML keys (`auth.keys`, which act as editors: they read and write). The tenant
 * is the credential's default unless `X-Scope-OrgID` names another it grants (else 403).
 *
 * `resolveAsync` is the complete check. The synchronous `resolve` answers for requests the
 * HTTP auth hook already checked (`remember`), and otherwise only from YAML keys and recently
 * verified stored keys, requiring write access: it is the ingestion path of receivers that
 * cannot wait (see docs/adr/0012-identity-wiring.md).
 */
export class TenantResolver {
  private readonly keysByHash: Map<string, ApiKeyConfig>;
  private readonly yamlGrants = new Map<string, CredentialGrant>();
  private readonly remembered = new WeakMap<object, TenantResolution>();

  constructor(
    private readonly authEnabled: boolean,
    keys: readonly ApiKeyConfig[],
    private readonly stored: StoredCredentialVerifiers = {},
  ) {
    this.keysByHash = new Map(keys.map((k) => [k.sha256, k]));
    for (const k of keys) {
      this.yamlGrants.set(k.sha256, {
        subject: `API key "${k.name}"`,
        roles: new Map(k.tenants.map((t) => [t, 'editor' as const])),
        defaultTenant: k.tenants[0],
      });
    }
  }

  get enabled(): boolean {
    return this.authEnabled;
  }

  /** Who the request is: the verified credential, or why it has none. */
  async authenticate(headers: RequestHeaders): Promise<Authentication> {
    if (!this.authEnabled) return { ok: true, grant: undefined, credential: undefined };
    const credential = presentedCredential(headers);
    if (credential === undefined) return MISSING;
    const check = await this.verify(credential.token);
    return check.ok ? { ok: true, grant: check.grant, credential } : { ok: false, status: 401, message: check.message };
  }

  /** The complete check: credential, tenant, and the role the access needs. */
  async resolveAsync(headers: RequestHeaders, access: DataAccess): Promise<TenantResolution> {
    const named = namedTenant(headers);
    if (named !== undefined && !named.ok) return named;
    const auth = await this.authenticate(headers);
    if (!auth.ok) return auth;
    return this.choose(auth.grant, named?.tenant, access);
  }

  /**
   * Picks the tenant for a verified grant (undefined: auth off) and checks the role the
   * access needs. Exposed for callers that authenticated by other means (the HTTP hook).
   */
  choose(grant: CredentialGrant | undefined, named: string | undefined, access: DataAccess): TenantResolution {
    if (grant === undefined) return { ok: true, tenant: named ?? DEFAULT_TENANT };
    const tenant = named ?? grant.defaultTenant;
    if (tenant === undefined) {
      return { ok: false, status: 400, message: `${grant.subject} belongs to several tenants: name one with the X-Scope-OrgID header` };
    }
    const role = grant.roles.get(tenant);
    if (role === undefined) return { ok: false, status: 403, message: `${grant.subject} is not allowed to act for tenant "${tenant}"` };
    if (access === 'write' && RANK[role] < RANK.editor) {
      return { ok: false, status: 403, message: `${grant.subject} is a viewer in tenant "${tenant}" and may not write data` };
    }
    return { ok: true, tenant, grant };
  }

  /**
   * Records the resolution of a request the HTTP auth hook checked, so the handler's
   * synchronous `resolve(req.headers)` returns it. Keyed by the headers object, which lives
   * exactly as long as the request.
   */
  remember(headers: RequestHeaders, resolution: Extract<TenantResolution, { ok: true }>): void {
    this.remembered.set(headers, resolution);
  }

  /** Synchronous resolution; see the class comment for what it can decide. */
  resolve(headers: RequestHeaders): TenantResolution {
    const known = this.remembered.get(headers);
    if (known !== undefined) return known;
    const named = namedTenant(headers);
    if (named !== undefined && !named.ok) return named;
    if (!this.authEnabled) return { ok: true, tenant: named?.tenant ?? DEFAULT_TENANT };
    const credential = presentedCredential(headers);
    if (credential === undefined) return MISSING;
    const check = this.verifyNow(credential.token);
    if (!check.ok) return { ok: false, status: 401, message: check.message };
    return this.choose(check.grant, named?.tenant, 'write');
  }

  private verify(token: string): Promise<CredentialCheck> {
    const stored = this.storedVerifierFor(token);
    if (stored !== undefined) return stored.verify(token);
    return Promise.resolve(this.yamlKey(token));
  }

  private verifyNow(token: string): CredentialCheck {
    const stored = this.storedVerifierFor(token);
    if (stored === undefined) return this.yamlKey(token);
    const seen = stored.peek(token);
    if (seen !== undefined) return seen;
    // Not verified recently: verify in the background so a retry finds it, and refuse now.
    void stored.verify(token).catch(() => undefined);
    return { ok: false, message: 'the credential has not been verified yet; retry the request' };
  }

  private storedVerifierFor(token: string): CredentialVerifier | undefined {
    if (token.startsWith(API_KEY_PREFIX)) return this.stored.apiKeys ?? NO_STORE;
    if (token.startsWith(SESSION_PREFIX)) return this.stored.sessions ?? NO_STORE;
    return undefined;
  }

  private yamlKey(token: string): CredentialCheck {
    const digest = createHash('sha256').update(token).digest();
    const hex = digest.toString('hex');
    const key = this.keysByHash.get(hex);
    // The map lookup is by digest, so timing reveals nothing about the key; the constant-time
    // compare guards against a future change to a prefix-based lookup.
    if (!key || !timingSafeEqual(Buffer.from(key.sha256, 'hex'), digest)) return INVALID_KEY;
    return { ok: true, grant: this.yamlGrants.get(hex)! };
  }
}

const MISSING = {
  ok: false,
  status: 401,
  message: 'authentication required: send an API key as a bearer token or as the basic-auth password, or log in',
} as const;
const INVALID_KEY: CredentialCheck = { ok: false, message: 'invalid API key' };

/** Stored credentials presented to a process without the metadata store. */
const NO_STORE: CredentialVerifier = {
  verify: () => Promise.resolve({ ok: false, message: 'this process cannot verify stored credentials (no metadata store)' }),
  peek: () => ({ ok: false, message: 'this process cannot verify stored credentials (no metadata store)' }),
};

function namedTenant(headers: RequestHeaders): { ok: true; tenant: string } | { ok: false; status: 400; message: string } | undefined {
  const named = single(headers[TENANT_HEADER]);
  if (named === undefined) return undefined;
  if (!TENANT_ID.test(named)) {
    return { ok: false, status: 400, message: `invalid tenant id in X-Scope-OrgID: ${JSON.stringify(named.slice(0, 200))}` };
  }
  return { ok: true, tenant: named };
}
