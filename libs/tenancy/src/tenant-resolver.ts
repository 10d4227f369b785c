import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiKeyConfig } from '#pharos/config';

/** The tenant a request acts for, or why it may not act at all. */
export type TenantResolution =
  | { readonly ok: true; readonly tenant: string }
  | { readonly ok: false; readonly status: 400 | 401 | 403; readonly message: string };

export const DEFAULT_TENANT = 'default';
export const TENANT_HEADER = 'x-scope-orgid';

/** Tenant ids as Mimir and Loki accept them, minus `|` (we do not federate queries yet). */
const TENANT_ID = /^[a-zA-Z0-9_.\-!*'()]{1,150}$/;

/**
 * Decides the tenant of a request from its headers.
 *
 * Auth off (single-user default, as Mimir and Loki ship): `X-Scope-OrgID`, or `default`.
 * Auth on: a key from `Authorization: Bearer <key>` or basic auth (the password is the key,
 * so Prometheus `basic_auth` works); the tenant is the key's, and a header naming a tenant the
 * key does not grant is refused with 403.
 */
export class TenantResolver {
  private readonly keysByHash: Map<string, ApiKeyConfig>;

  constructor(
    private readonly authEnabled: boolean,
    keys: readonly ApiKeyConfig[],
  ) {
    this.keysByHash = new Map(keys.map((k) => [k.sha256, k]));
  }

  resolve(headers: Readonly<Record<string, string | string[] | undefined>>): TenantResolution {
    const named = single(headers[TENANT_HEADER]);
    if (named !== undefined && !TENANT_ID.test(named)) {
      return { ok: false, status: 400, message: `invalid tenant id in X-Scope-OrgID: ${JSON.stringify(named.slice(0, 200))}` };
    }
    if (!this.authEnabled) return { ok: true, tenant: named ?? DEFAULT_TENANT };

    const token = credentialOf(single(headers['authorization']));
    if (token === undefined) {
      return { ok: false, status: 401, message: 'authentication required: send an API key as a bearer token or as the basic-auth password' };
    }
    const key = this.lookup(token);
    if (!key) return { ok: false, status: 401, message: 'invalid API key' };
    if (named === undefined) return { ok: true, tenant: key.tenants[0]! };
    if (!key.tenants.includes(named)) {
      return { ok: false, status: 403, message: `API key "${key.name}" is not allowed to act for tenant "${named}"` };
    }
    return { ok: true, tenant: named };
  }

  private lookup(token: string): ApiKeyConfig | undefined {
    const digest = createHash('sha256').update(token).digest();
    const key = this.keysByHash.get(digest.toString('hex'));
    // The map lookup is by digest, so timing reveals nothing about the key; the constant-time
    // compare guards against a future change to a prefix-based lookup.
    return key && timingSafeEqual(Buffer.from(key.sha256, 'hex'), digest) ? key : undefined;
  }
}

function single(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined || v === '' ? undefined : v.trim();
}

function credentialOf(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const [scheme, rest] = [authorization.slice(0, authorization.indexOf(' ')), authorization.slice(authorization.indexOf(' ') + 1).trim()];
  if (/^bearer$/i.test(scheme)) return rest || undefined;
  if (/^basic$/i.test(scheme)) {
    const decoded = Buffer.from(rest, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) || undefined : undefined;
  }
  return undefined;
}
