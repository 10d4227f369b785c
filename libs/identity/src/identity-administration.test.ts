import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidRecordError, MetadataStore, RecordNotFoundError, VersionConflictError, type TenantSettingsRecord } from '#pharos/metadata';
import { ApiKeyIssuer, ApiKeyRevoker } from './api-key-issuer.js';
import { AccessDeniedError, IdentityAdministration, type TenantLimitsApplier } from './identity-administration.js';
import { PasswordChanger } from './password-changer.js';
import { PasswordHasher } from './password-hasher.js';
import { LOCAL_PRINCIPAL, type ApiKeyPrincipal, type UserPrincipal } from './principal.js';
import { RoleAuthorizer } from './role-authorizer.js';
import { SessionRevoker } from './sessions.js';
import { UserProvisioner } from './user-provisioner.js';

const FAST = { memoryKiB: 1024, passes: 1, parallelism: 1 };

/** The app's applier validates against the configuration schema; this one knows two limits. */
class TwoLimits implements TenantLimitsApplier {
  readonly applied: Array<[string, Pick<TenantSettingsRecord, 'limits' | 'retentionMs'> | undefined]> = [];
  effective(_tenant: string, settings: Pick<TenantSettingsRecord, 'limits' | 'retentionMs'> | undefined): object {
    const unknown = Object.keys(settings?.limits ?? {}).filter((k) => k !== 'ingestion_rate' && k !== 'query_timeout');
    if (unknown.length > 0) throw new InvalidRecordError(unknown.map((k) => `limits.${k}: unknown key`).join('; '));
    return { ingestionRate: settings?.limits['ingestion_rate'] ?? 0, retentionMs: settings?.retentionMs ?? 1 };
  }
  apply(tenant: string, settings: Pick<TenantSettingsRecord, 'limits' | 'retentionMs'> | undefined): object {
    this.applied.push([tenant, settings]);
    return this.effective(tenant, settings);
  }
}

function user(userId: string, roles: Record<string, 'viewer' | 'editor' | 'admin'>, serverAdmin = false): UserPrincipal {
  return { kind: 'user', userId, login: userId, serverAdmin, mustChangePassword: false, sessionId: 's', roles: new Map(Object.entries(roles)) };
}

describe('IdentityAdministration over a real metadata store', () => {
  let store: MetadataStore;
  let admin: IdentityAdministration;
  const limits = new TwoLimits();
  const invalidated: string[] = [];
  let root: UserPrincipal;

  beforeAll(async () => {
    store = await MetadataStore.open({ url: 'sqlite://:memory:' });
    const hasher = new PasswordHasher(FAST);
    const sessions = new SessionRevoker(store.sessions);
    admin = new IdentityAdministration({
      tenants: store.tenants,
      users: store.users,
      memberships: store.memberships,
      apiKeys: store.apiKeys,
      tenantSettings: store.tenantSettings,
      authorizer: new RoleAuthorizer(),
      apiKeyIssuer: new ApiKeyIssuer(store.apiKeys),
      apiKeyRevoker: new ApiKeyRevoker(store.apiKeys, undefined),
      keyCache: { invalidate: (id) => void invalidated.push(id) },
      userProvisioner: new UserProvisioner(store.users, store.memberships, hasher),
      passwordChanger: new PasswordChanger(store.users, hasher, sessions),
      sessionRevoker: sessions,
      limits,
    });
    // Keys and settings reference the acting user, so the server admin is a real account.
    root = user((await store.users.create({ login: 'root', passwordHash: null, serverAdmin: true })).id, {}, true);
    await admin.createTenant(root, { id: 'a', name: 'Team A' });
    await admin.createTenant(root, { id: 'b' });
  });

  afterAll(async () => {
    await store?.close();
  });

  it('lets only server admins create tenants, with a valid id', async () => {
    await expect(admin.createTenant(user('x', { a: 'admin' }), { id: 'c' })).rejects.toThrow(AccessDeniedError);
    await expect(admin.createTenant(root, { id: 'bad id' })).rejects.toThrow(InvalidRecordError);
    // The local user (auth off) may do everything, as the REST API allows it.
    await expect(admin.createTenant(LOCAL_PRINCIPAL, { id: 'local-made' })).resolves.toMatchObject({ id: 'local-made' });
  });

  it('keeps a tenant admin inside their tenant', async () => {
    const alice = user('alice', { a: 'admin' });
    const added = await admin.addMember(alice, 'a', { login: 'vera', role: 'viewer' });
    expect(added.temporaryPassword).toMatch(/^[A-Za-z0-9]{24}$/);
    await expect(admin.addMember(alice, 'b', { login: 'vera', role: 'viewer' })).rejects.toThrow(AccessDeniedError);
    await expect(admin.listMembers(alice, 'b')).rejects.toThrow(AccessDeniedError);
    await expect(admin.createApiKey(alice, 'a', { name: 'both', role: 'viewer', expiresAt: null, tenants: ['a', 'b'] })).rejects.toThrow(AccessDeniedError);
    await expect(admin.tenantSettings(alice, 'b')).rejects.toThrow(AccessDeniedError);
    await expect(admin.listUsers(alice, { limit: 10, offset: 0 })).rejects.toThrow(/needs a server admin/);
    // An existing login is added with the role; no new password.
    const again = await admin.addMember(root, 'b', { login: 'vera', role: 'editor' });
    expect(again).toEqual({ user: added.user, role: 'editor' });
  });

  it('refuses viewers and editors every management action', async () => {
    for (const role of ['viewer', 'editor'] as const) {
      const p = user(`${role}-user`, { a: role });
      await expect(admin.listApiKeys(p, 'a')).rejects.toThrow(AccessDeniedError);
      await expect(admin.addMember(p, 'a', { login: 'x', role: 'viewer' })).rejects.toThrow(AccessDeniedError);
      await expect(admin.updateTenantSettings(p, 'a', { limits: {}, retentionMs: null })).rejects.toThrow(AccessDeniedError);
    }
  });

  it('lets an API key grant no more than its own role', async () => {
    const key: ApiKeyPrincipal = { kind: 'api_key', keyId: 'k', name: 'ops', role: 'admin', tenants: ['a'] };
    await expect(admin.createApiKey(key, 'a', { name: 'child', role: 'admin', expiresAt: null })).resolves.toBeDefined();
    const editorKey: ApiKeyPrincipal = { ...key, role: 'editor' };
    await expect(admin.createApiKey(editorKey, 'a', { name: 'child', role: 'viewer', expiresAt: null })).rejects.toThrow(AccessDeniedError);
  });

  it('issues keys with the owner first and no duplicate tenants, and checks the owner is included', async () => {
    const issued = await admin.createApiKey(root, 'a', { name: 'multi', role: 'viewer', expiresAt: null, tenants: ['b', 'a', 'b'] });
    expect(issued.record.tenants).toEqual(['a', 'b']);
    expect(issued.key).toMatch(/^phk_/);
    await expect(admin.createApiKey(root, 'a', { name: 'x', role: 'viewer', expiresAt: null, tenants: ['b'] })).rejects.toThrow(/must include the owning tenant/);
    await expect(admin.createApiKey(root, 'a', { name: 'x', role: 'viewer', expiresAt: 1.5 })).rejects.toThrow(InvalidRecordError);
  });

  it('forgets cached keys of a tenant whose enabled state changes', async () => {
    const { record } = await admin.createApiKey(root, 'b', { name: 'cached', role: 'viewer', expiresAt: null });
    invalidated.length = 0;
    await admin.updateTenant(root, 'b', { name: 'Team B' });
    expect(invalidated).toEqual([]);
    await admin.updateTenant(root, 'b', { disabled: true });
    expect(invalidated).toContain(record.id);
    await admin.updateTenant(root, 'b', { disabled: false });
  });

  it('changes and removes members only where they are members, and not above oneself', async () => {
    const members = await admin.listMembers(root, 'a');
    const vera = members.find((m) => m.user.login === 'vera')!;
    expect((await admin.changeMemberRole(root, 'a', vera.user.id, 'editor')).role).toBe('editor');
    await expect(admin.changeMemberRole(root, 'a', 'nobody', 'viewer')).rejects.toThrow(RecordNotFoundError);
    await admin.removeMember(root, 'a', vera.user.id);
    await expect(admin.removeMember(root, 'a', vera.user.id)).rejects.toThrow(RecordNotFoundError);
  });

  it('validates, versions and applies tenant settings', async () => {
    await expect(admin.updateTenantSettings(root, 'a', { limits: { max_series: 1 }, retentionMs: null })).rejects.toThrow(/max_series: unknown key/);
    await expect(admin.updateTenantSettings(root, 'a', { limits: {}, retentionMs: -5 })).rejects.toThrow(/positive number/);
    await expect(admin.updateTenantSettings(root, 'a', { limits: { ingestion_rate: Number.NaN }, retentionMs: null })).rejects.toThrow(/must be a number/);
    await expect(admin.updateTenantSettings(root, 'zzz', { limits: {}, retentionMs: null })).rejects.toThrow(RecordNotFoundError);
    const saved = await admin.updateTenantSettings(root, 'a', { limits: { ingestion_rate: 5 }, retentionMs: 7_200_000, expectedVersion: 0 });
    expect(saved.stored).toMatchObject({ version: 1, limits: { ingestion_rate: 5 }, retentionMs: 7_200_000, updatedBy: root.userId });
    expect(limits.applied.at(-1)?.[0]).toBe('a');
    await expect(admin.updateTenantSettings(root, 'a', { limits: {}, retentionMs: null, expectedVersion: 0 })).rejects.toThrow(VersionConflictError);
    const reset = await admin.resetTenantSettings(root, 'a');
    expect(reset.stored).toBeUndefined();
    expect(limits.applied.at(-1)).toEqual(['a', undefined]);
  });

  it('manages accounts: no self-disabling, generated reset passwords', async () => {
    const [someone] = (await admin.listUsers(root, { limit: 10, offset: 0 })).filter((u) => u.user.login === 'vera');
    const id = someone!.user.id;
    const self = user(id, {}, true);
    await expect(admin.updateUser(self, id, { disabled: true })).rejects.toThrow(/cannot disable themselves/);
    const reset = await admin.resetUserPassword(root, id);
    expect(reset.temporaryPassword).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(reset.user.mustChangePassword).toBe(true);
    expect((await admin.resetUserPassword(root, id, 'chosen-by-the-admin')).temporaryPassword).toBe('chosen-by-the-admin');
    await expect(admin.resetUserPassword(root, 'nobody')).rejects.toThrow(RecordNotFoundError);
    expect((await admin.updateUser(root, id, { disabled: true })).disabled).toBe(true);
  });
});
