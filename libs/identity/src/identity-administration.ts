import {
  InvalidRecordError,
  RecordNotFoundError,
  TENANT_ID_PATTERN,
  type ApiKeyRecord,
  type ApiKeyRepository,
  type MembershipRecord,
  type MembershipRepository,
  type Role,
  type TenantRecord,
  type TenantRepository,
  type TenantSettingsRecord,
  type TenantSettingsRepository,
  type UserRecord,
  type UserRepository,
} from '#pharos/metadata';
import type { ApiKeyIssuer, ApiKeyRevoker, IssuedApiKey } from './api-key-issuer.js';
import type { PasswordChanger } from './password-changer.js';
import type { Principal } from './principal.js';
import type { Action, RoleAuthorizer } from './role-authorizer.js';
import type { SessionRevoker } from './sessions.js';
import { randomReadablePassword } from './tokens.js';
import type { UserProvisioner } from './user-provisioner.js';

/** The principal may not do this (HTTP 403, GraphQL FORBIDDEN); the message says why. */
export class AccessDeniedError extends Error {
  override readonly name = 'AccessDeniedError';
}

/**
 * Applies a tenant's stored limits and retention to the running process (the app's
 * `TenantSettingsApplier`). Both MUST throw `InvalidRecordError` naming every bad entry.
 */
export interface TenantLimitsApplier {
  /** The limits the settings would give the tenant, without applying them. */
  effective(tenantId: string, settings: Pick<TenantSettingsRecord, 'limits' | 'retentionMs'> | undefined): object;
  /** Applies them (undefined: back to the configured ones) and returns the effective limits. */
  apply(tenantId: string, settings: Pick<TenantSettingsRecord, 'limits' | 'retentionMs'> | undefined): object;
}

/** What the administration rules use; `createIdentityServices` (apps/common) builds each. */
export interface AdministrationDependencies {
  readonly tenants: TenantRepository;
  readonly users: Pick<UserRepository, 'getById' | 'getByLogin' | 'list' | 'update'>;
  readonly memberships: Pick<MembershipRepository, 'get' | 'set' | 'remove' | 'listForTenant' | 'listForUser'>;
  readonly apiKeys: Pick<ApiKeyRepository, 'listForTenant'>;
  readonly tenantSettings: Pick<TenantSettingsRepository, 'get' | 'put' | 'delete'>;
  readonly authorizer: RoleAuthorizer;
  readonly apiKeyIssuer: Pick<ApiKeyIssuer, 'issue'>;
  readonly apiKeyRevoker: Pick<ApiKeyRevoker, 'revoke'>;
  /** Forgets cached verifications of a key, so a disabled tenant's keys stop at once here. */
  readonly keyCache: { invalidate(keyId: string): void };
  readonly userProvisioner: Pick<UserProvisioner, 'createUser'>;
  readonly passwordChanger: Pick<PasswordChanger, 'reset'>;
  readonly sessionRevoker: Pick<SessionRevoker, 'revokeAllForUser'>;
  readonly limits: TenantLimitsApplier;
}

export interface TenantSettingsView {
  readonly tenantId: string;
  /** Undefined while nothing is stored (the configured limits apply). */
  readonly stored: TenantSettingsRecord | undefined;
  readonly effective: object;
}

export interface MemberAdded {
  readonly user: UserRecord;
  readonly role: Role;
  /** Only for a new account whose password was generated: to hand over once. */
  readonly temporaryPassword?: string;
}

/**
 * The management rules of tenants, members, API keys, tenant limits and accounts, for every
 * door that offers them (the REST identity API and the GraphQL gateway): who may do what
 * (RoleAuthorizer: tenant admins their tenant, server admins everything; nobody grants a role
 * above their own), the checks on the values, and the side effects (cached keys forgotten,
 * sessions ended, limits applied). Doors parse their own wire format and map the errors:
 * `AccessDeniedError` (403), `RecordNotFoundError` (404), `InvalidRecordError` and
 * `IdentityError` (400), `DuplicateRecordError` and `VersionConflictError` (409).
 */
export class IdentityAdministration {
  constructor(private readonly deps: AdministrationDependencies) {}

  // --- tenants ---------------------------------------------------------------------------

  /** Every tenant for a server admin; the principal's own tenants for anyone else. */
  async listTenants(principal: Principal): Promise<Array<{ readonly tenant: TenantRecord; readonly role: Role | null }>> {
    const { authorizer } = this.deps;
    const all = await this.deps.tenants.list();
    return all
      .filter((t) => authorizer.authorize(principal, t.id, 'tenants:manage').allowed || authorizer.roleIn(principal, t.id) !== undefined)
      .map((t) => ({ tenant: t, role: authorizer.roleIn(principal, t.id) ?? null }));
  }

  /** One tenant, if the principal may see it (member or server admin). */
  async getTenant(principal: Principal, id: string): Promise<{ readonly tenant: TenantRecord; readonly role: Role | null }> {
    const { authorizer } = this.deps;
    const role = authorizer.roleIn(principal, id) ?? null;
    if (role === null) this.authorize(principal, id, 'tenants:manage');
    const tenant = await this.deps.tenants.get(id);
    if (tenant === undefined) throw new RecordNotFoundError(`no tenant "${id}"`);
    return { tenant, role };
  }

  async createTenant(principal: Principal, input: { readonly id: string; readonly name?: string }): Promise<TenantRecord> {
    this.authorize(principal, input.id, 'tenants:manage');
    if (!TENANT_ID_PATTERN.test(input.id)) throw new InvalidRecordError(`tenant id ${JSON.stringify(input.id)} must match ${TENANT_ID_PATTERN}`);
    return this.deps.tenants.create({ id: input.id, ...(input.name !== undefined ? { name: input.name } : {}) });
  }

  /** Renames, disables or enables; a disabled tenant's keys and sessions stop working at once here. */
  async updateTenant(principal: Principal, id: string, patch: { readonly name?: string; readonly disabled?: boolean }): Promise<TenantRecord> {
    this.authorize(principal, id, 'tenants:manage');
    const updated = await this.deps.tenants.update(id, {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.disabled !== undefined ? { disabled: patch.disabled } : {}),
    });
    // Cached key verifications of this tenant must not outlive the change in this process.
    if (patch.disabled !== undefined) for (const key of await this.deps.apiKeys.listForTenant(id)) this.deps.keyCache.invalidate(key.id);
    return updated;
  }

  // --- limits and retention ----------------------------------------------------------------

  async tenantSettings(principal: Principal, tenantId: string): Promise<TenantSettingsView> {
    this.authorize(principal, tenantId, 'limits:manage');
    const stored = await this.deps.tenantSettings.get(tenantId);
    return { tenantId, stored, effective: this.deps.limits.effective(tenantId, stored) };
  }

  /**
   * Stores and applies limits (snake_case names as under `limits.tenants.<id>` in YAML;
   * durations in ms, sizes in bytes) and retention (ms, null: the default). With
   * `expectedVersion` the write happens only if nobody saved in between (0: none stored).
   */
  async updateTenantSettings(
    principal: Principal,
    tenantId: string,
    input: { readonly limits: Readonly<Record<string, number>>; readonly retentionMs: number | null; readonly expectedVersion?: number },
  ): Promise<TenantSettingsView> {
    this.authorize(principal, tenantId, 'limits:manage');
    for (const [k, v] of Object.entries(input.limits)) {
      if (!Number.isFinite(v)) throw new InvalidRecordError(`limits.${k} must be a number (durations in ms, sizes in bytes)`);
    }
    const retentionMs = input.retentionMs;
    if (retentionMs !== null && (!Number.isSafeInteger(retentionMs) || retentionMs <= 0)) {
      throw new InvalidRecordError('"retention" must be a positive number of milliseconds, or null for the default');
    }
    if (input.expectedVersion !== undefined && !Number.isSafeInteger(input.expectedVersion)) throw new InvalidRecordError('"version" must be an integer');
    const settings = { limits: input.limits, retentionMs };
    this.deps.limits.effective(tenantId, settings);
    if ((await this.deps.tenants.get(tenantId)) === undefined) throw new RecordNotFoundError(`no tenant "${tenantId}"`);
    const saved = await this.deps.tenantSettings.put(tenantId, settings, {
      ...(input.expectedVersion !== undefined ? { expectedVersion: input.expectedVersion } : {}),
      updatedBy: actorOf(principal),
    });
    return { tenantId, stored: saved, effective: this.deps.limits.apply(tenantId, saved) };
  }

  /** Back to the configured limits and retention. */
  async resetTenantSettings(principal: Principal, tenantId: string): Promise<TenantSettingsView> {
    this.authorize(principal, tenantId, 'limits:manage');
    await this.deps.tenantSettings.delete(tenantId);
    return { tenantId, stored: undefined, effective: this.deps.limits.apply(tenantId, undefined) };
  }

  // --- members -------------------------------------------------------------------------------

  async listMembers(principal: Principal, tenantId: string): Promise<Array<{ readonly user: UserRecord; readonly role: Role }>> {
    this.authorize(principal, tenantId, 'users:manage');
    const out: Array<{ user: UserRecord; role: Role }> = [];
    for (const m of await this.deps.memberships.listForTenant(tenantId)) {
      const user = await this.deps.users.getById(m.userId);
      if (user) out.push({ user, role: m.role });
    }
    return out;
  }

  /**
   * A new login gets an account with a temporary password (generated and returned once unless
   * given), to change at first login; an existing login is added to the tenant with the role.
   */
  async addMember(
    principal: Principal,
    tenantId: string,
    input: { readonly login: string; readonly role: Role; readonly name?: string; readonly email?: string; readonly password?: string },
  ): Promise<MemberAdded> {
    this.checkGrant(principal, tenantId, input.role);
    if ((await this.deps.tenants.get(tenantId)) === undefined) throw new RecordNotFoundError(`no tenant "${tenantId}"`);
    const existing = await this.deps.users.getByLogin(input.login);
    if (existing) {
      await this.deps.memberships.set(existing.id, tenantId, input.role);
      return { user: existing, role: input.role };
    }
    const created = await this.deps.userProvisioner.createUser({
      login: input.login,
      tenantId,
      role: input.role,
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.email !== undefined ? { email: input.email } : {}),
      ...(input.password !== undefined ? { temporaryPassword: input.password } : {}),
    });
    return { user: created.user, role: input.role, ...(input.password === undefined ? { temporaryPassword: created.temporaryPassword } : {}) };
  }

  async changeMemberRole(principal: Principal, tenantId: string, userId: string, role: Role): Promise<MembershipRecord> {
    this.checkGrant(principal, tenantId, role);
    const current = await this.deps.memberships.get(userId, tenantId);
    if (!current) throw new RecordNotFoundError(`user "${userId}" is not a member of tenant "${tenantId}"`);
    // Demoting someone above you is granting less than they hold: allowed only to peers and up.
    this.checkGrant(principal, tenantId, current.role);
    return this.deps.memberships.set(userId, tenantId, role);
  }

  /** Their sessions stay, but carry no role here from the next request on (roles are read per request). */
  async removeMember(principal: Principal, tenantId: string, userId: string): Promise<void> {
    this.authorize(principal, tenantId, 'users:manage');
    const current = await this.deps.memberships.get(userId, tenantId);
    if (!current) throw new RecordNotFoundError(`user "${userId}" is not a member of tenant "${tenantId}"`);
    this.checkGrant(principal, tenantId, current.role);
    await this.deps.memberships.remove(userId, tenantId);
  }

  // --- API keys ------------------------------------------------------------------------------

  async listApiKeys(principal: Principal, tenantId: string): Promise<ApiKeyRecord[]> {
    this.authorize(principal, tenantId, 'keys:manage');
    return this.deps.apiKeys.listForTenant(tenantId);
  }

  /**
   * The key is in the answer this once; only its hash is stored. `tenants` (default: the
   * owning one) must include the owner, which stays first; the principal must be able to grant
   * the role in every one of them.
   */
  async createApiKey(
    principal: Principal,
    tenantId: string,
    input: { readonly name: string; readonly role: Role; readonly expiresAt: number | null; readonly tenants?: readonly string[] },
  ): Promise<IssuedApiKey> {
    this.authorize(principal, tenantId, 'keys:manage');
    if (input.expiresAt !== null && !Number.isSafeInteger(input.expiresAt)) {
      throw new InvalidRecordError('"expiresAt" must be milliseconds since the epoch, or null for a key without expiry');
    }
    const tenants = input.tenants ?? [tenantId];
    if (tenants.length === 0) throw new InvalidRecordError('"tenants" must be a non-empty list of tenant ids');
    if (!tenants.includes(tenantId)) throw new InvalidRecordError(`"tenants" must include the owning tenant "${tenantId}"`);
    for (const t of tenants) this.checkGrant(principal, t, input.role);
    return this.deps.apiKeyIssuer.issue({
      ownerTenantId: tenantId,
      tenants: [tenantId, ...new Set(tenants.filter((t) => t !== tenantId))],
      role: input.role,
      name: input.name,
      expiresAt: input.expiresAt,
      createdBy: actorOf(principal),
    });
  }

  async revokeApiKey(principal: Principal, tenantId: string, keyId: string): Promise<ApiKeyRecord> {
    this.authorize(principal, tenantId, 'keys:manage');
    return this.deps.apiKeyRevoker.revoke(tenantId, keyId);
  }

  // --- accounts across tenants (server admins) ------------------------------------------------

  async listUsers(
    principal: Principal,
    page: { readonly limit: number; readonly offset: number },
  ): Promise<Array<{ readonly user: UserRecord; readonly memberships: readonly MembershipRecord[] }>> {
    this.requireServerAdmin(principal);
    const out: Array<{ user: UserRecord; memberships: MembershipRecord[] }> = [];
    for (const user of await this.deps.users.list(page)) out.push({ user, memberships: await this.deps.memberships.listForUser(user.id) });
    return out;
  }

  /** Disabling ends every session of the user. Nobody disables or demotes themselves. */
  async updateUser(
    principal: Principal,
    userId: string,
    patch: { readonly name?: string; readonly email?: string; readonly disabled?: boolean; readonly serverAdmin?: boolean },
  ): Promise<UserRecord> {
    this.requireServerAdmin(principal);
    if (principal.kind === 'user' && principal.userId === userId && (patch.disabled === true || patch.serverAdmin === false)) {
      throw new InvalidRecordError('a server admin cannot disable themselves or drop their own server-admin flag (ask another server admin)');
    }
    const updated = await this.deps.users.update(userId, {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.email !== undefined ? { email: patch.email } : {}),
      ...(patch.disabled !== undefined ? { disabled: patch.disabled } : {}),
      ...(patch.serverAdmin !== undefined ? { serverAdmin: patch.serverAdmin } : {}),
    });
    if (patch.disabled === true) await this.deps.sessionRevoker.revokeAllForUser(userId);
    return updated;
  }

  /**
   * Sets a temporary password (generated when not given, returned to hand over once) that must
   * be changed at the next login; every session of the user ends.
   */
  async resetUserPassword(principal: Principal, userId: string, temporaryPassword?: string): Promise<{ readonly user: UserRecord; readonly temporaryPassword: string }> {
    this.requireServerAdmin(principal);
    if (!(await this.deps.users.getById(userId))) throw new RecordNotFoundError(`no user "${userId}"`);
    const password = temporaryPassword ?? randomReadablePassword();
    return { user: await this.deps.passwordChanger.reset(userId, password), temporaryPassword: password };
  }

  // --- rules ---------------------------------------------------------------------------------

  private authorize(principal: Principal, tenantId: string, action: Action): void {
    const decision = this.deps.authorizer.authorize(principal, tenantId, action);
    if (!decision.allowed) throw new AccessDeniedError(decision.message);
  }

  private checkGrant(principal: Principal, tenantId: string, role: Role): void {
    const decision = this.deps.authorizer.canGrant(principal, tenantId, role);
    if (!decision.allowed) throw new AccessDeniedError(decision.message);
  }

  private requireServerAdmin(principal: Principal): void {
    if (!this.deps.authorizer.authorize(principal, '', 'tenants:manage').allowed) throw new AccessDeniedError('managing accounts across tenants needs a server admin');
  }
}

/** Records name the user who acted; keys and the local user are not users. */
function actorOf(principal: Principal): string | null {
  return principal.kind === 'user' ? principal.userId : null;
}
