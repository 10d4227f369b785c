import { AccessDeniedError, IdentityError, type Principal, type TenantSettingsView } from '#pharos/identity';
import type { ApiKeyRecord, Role, TenantRecord, UserRecord } from '#pharos/metadata';
import type { ApiKeyType, LimitValueType, MeType, TenantRoleType, TenantSettingsType, TenantType, UserType } from './admin-types.js';
import { RoleValue } from './admin-types.js';
import { gatewayError, toGraphqlError } from './errors.js';
import type { GraphQLError } from './graphql-runtime.js';

/**
 * Records of the identity store as the admin part of the schema shows them, and the
 * administration's errors as the gateway's stable codes. Plain functions, tested without a
 * server.
 */

/**
 * `IdentityAdministration`'s refusals as codes, the REST API's statuses side by side: access
 * denied is FORBIDDEN (403), identity rules (a weak password) BAD_INPUT (400); the store's
 * errors keep the gateway's mapping (NOT_FOUND, ALREADY_EXISTS, VERSION_CONFLICT, BAD_INPUT).
 */
export function adminError(err: unknown): GraphQLError {
  if (err instanceof AccessDeniedError) return gatewayError('FORBIDDEN', err.message);
  if (err instanceof IdentityError) {
    if (err.code === 'no_such_user') return gatewayError('NOT_FOUND', err.message);
    if (err.code === 'wrong_password') return gatewayError('FORBIDDEN', err.message);
    return gatewayError('BAD_INPUT', err.message);
  }
  return toGraphqlError(err);
}

export function roleValue(role: Role): RoleValue {
  return RoleValue[role];
}

export function tenantOf(t: TenantRecord, role: Role | null): TenantType {
  return { id: t.id, name: t.name, disabled: t.disabled, createdAt: t.createdAt, role: role === null ? null : roleValue(role) };
}

/** Every field but the password hash and login-failure counters. */
export function userOf(u: UserRecord): UserType {
  return {
    id: u.id,
    login: u.login,
    name: u.name,
    email: u.email,
    serverAdmin: u.serverAdmin,
    mustChangePassword: u.mustChangePassword,
    disabled: u.disabled,
    lockedUntil: u.lockedUntil,
    createdAt: u.createdAt,
  };
}

/** Never the secret hash. */
export function apiKeyOf(k: ApiKeyRecord): ApiKeyType {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    role: roleValue(k.role),
    tenants: k.tenants,
    ownerTenantId: k.ownerTenantId,
    createdBy: k.createdBy,
    createdAt: k.createdAt,
    expiresAt: k.expiresAt,
    lastUsedAt: k.lastUsedAt,
    revokedAt: k.revokedAt,
  };
}

/** `ingestionRate` → `ingestion_rate`: the effective limits in the names they are edited by. */
export function snakeCase(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export function settingsOf(view: TenantSettingsView): TenantSettingsType {
  const effective: LimitValueType[] = [];
  let effectiveRetentionMs = 0;
  for (const [key, value] of Object.entries(view.effective)) {
    if (typeof value !== 'number') continue;
    if (key === 'retentionMs') effectiveRetentionMs = value;
    else effective.push({ name: snakeCase(key), value });
  }
  effective.sort((a, b) => a.name.localeCompare(b.name));
  const stored = view.stored;
  return {
    tenantId: view.tenantId,
    limits: Object.entries(stored?.limits ?? {})
      .map(([name, value]) => ({ name, value }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    retentionMs: stored?.retentionMs ?? null,
    version: stored?.version ?? 0,
    updatedAt: stored?.updatedAt ?? null,
    effective,
    effectiveRetentionMs,
  };
}

/** Limits as the store keeps them; a name given twice is refused rather than one silently winning. */
export function limitsRecord(limits: readonly { readonly name: string; readonly value: number }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { name, value } of limits) {
    if (Object.hasOwn(out, name)) throw gatewayError('BAD_INPUT', `limit "${name}" is given twice`);
    out[name] = value;
  }
  return out;
}

/**
 * The caller as `me` shows it. `tenantNames` resolves display names of the tenants the
 * principal holds a role in (missing: no tenant row, as for YAML keys).
 */
export function meOf(principal: Principal, tenantNames: ReadonlyMap<string, string>): MeType {
  const tenant = (tenantId: string, role: Role): TenantRoleType => ({ tenantId, tenantName: tenantNames.get(tenantId) ?? null, role: roleValue(role) });
  switch (principal.kind) {
    case 'local':
      return { kind: 'local', authEnabled: false, id: null, login: null, serverAdmin: false, mustChangePassword: false, tenants: [], canAdminister: false };
    case 'api_key':
      return {
        kind: 'api_key',
        authEnabled: true,
        id: principal.keyId,
        login: principal.name,
        serverAdmin: false,
        mustChangePassword: false,
        tenants: principal.tenants.map((t) => tenant(t, principal.role)),
        canAdminister: principal.role === 'admin' && principal.tenants.length > 0,
      };
    case 'user': {
      const tenants = [...principal.roles].map(([t, role]) => tenant(t, role)).sort((a, b) => a.tenantId.localeCompare(b.tenantId));
      return {
        kind: 'user',
        authEnabled: true,
        id: principal.userId,
        login: principal.login,
        serverAdmin: principal.serverAdmin,
        mustChangePassword: principal.mustChangePassword,
        tenants,
        // Until the password is changed the account can do nothing else (RoleAuthorizer).
        canAdminister: !principal.mustChangePassword && (principal.serverAdmin || tenants.some((t) => t.role === RoleValue.admin)),
      };
    }
  }
}
