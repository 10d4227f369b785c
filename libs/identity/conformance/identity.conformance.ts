/**
 * The identity flows over a real metadata store: login with throttling and lockout, sessions
 * with expiry, revocation and CSRF, API keys with caching and revocation, password changes, the
 * first-start bootstrap and role checks. Run on SQLite in the unit tests and on SQLite files
 * and PostgreSQL in tests/metadata-*.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetadataStore, type Role } from '#pharos/metadata';
import {
  ApiKeyIssuer,
  ApiKeyRevoker,
  ApiKeyVerifier,
  FirstStartBootstrap,
  LoginAuthenticator,
  PasswordChanger,
  PasswordHasher,
  PasswordPolicy,
  RoleAuthorizer,
  SessionIssuer,
  SessionRevoker,
  SessionVerifier,
  UserProvisioner,
  type SessionPolicy,
} from '#pharos/identity';

/** Cheap argon2id parameters: these tests are about the flows, not the cost. */
const FAST = { memoryKiB: 1024, passes: 1, parallelism: 1 };

export function describeIdentityFlows(name: string, freshDatabase: () => Promise<string>): void {
  describe(`identity flows: ${name}`, () => {
    let store: MetadataStore;
    let clock = Date.UTC(2026, 0, 1);
    const now = (): number => clock;
    const hasher = new PasswordHasher(FAST);
    const policy = new PasswordPolicy();
    const sessionPolicy: SessionPolicy = { maxLifetimeMs: 86_400_000, idleTimeoutMs: 3_600_000, touchIntervalMs: 60_000 };
    let n = 0;
    const uniqueName = (p: string): string => `${p}${Date.now().toString(36)}${n++}`;

    beforeAll(async () => {
      store = await MetadataStore.open({ url: await freshDatabase(), now });
    });
    afterAll(async () => {
      await store?.close();
    });

    async function tenantWithUser(role: Role, password = 'correct horse battery') {
      const tenant = await store.tenants.create({ id: uniqueName('t') });
      const provisioner = new UserProvisioner(store.users, store.memberships, hasher, policy);
      const { user } = await provisioner.createUser({ login: uniqueName('user'), tenantId: tenant.id, role, temporaryPassword: password });
      return { tenant, user, password };
    }

    it('first start creates the default tenant and a server admin once, even when raced', async () => {
      const bootstrap = new FirstStartBootstrap(store.tenants, store.users, store.memberships, hasher, policy);
      const outcomes = await Promise.all([bootstrap.run(), bootstrap.run()]);
      const created = outcomes.filter((o) => o.created);
      expect(created).toHaveLength(1);
      const first = created[0]!;
      if (!first.created) throw new Error('unreachable');
      expect(first.generatedPassword).toMatch(/^[A-Za-z0-9]{24}$/);
      const admin = await store.users.getByLogin('admin');
      expect(admin).toMatchObject({ serverAdmin: true, mustChangePassword: true });
      expect(await hasher.verify(admin!.passwordHash!, first.generatedPassword!)).toBe(true);
      expect(await store.memberships.get(admin!.id, 'default')).toMatchObject({ role: 'admin' });
      expect(await bootstrap.run({ adminPassword: 'another password!' })).toEqual({ created: false });

      const login = new LoginAuthenticator(store.users, hasher, undefined, now);
      const result = await login.authenticate({ login: 'ADMIN', password: first.generatedPassword!, ip: '10.0.0.1' });
      expect(result.ok).toBe(true);
      // Until the password changes, the admin may only manage their own account.
      const issued = await new SessionIssuer(store.sessions, sessionPolicy, now).issue(admin!);
      const verified = await new SessionVerifier(store.sessions, store.users, store.memberships, sessionPolicy, now).verify(issued.token);
      if (!verified.ok) throw new Error(verified.message);
      const authorizer = new RoleAuthorizer();
      expect(authorizer.authorize(verified.principal, 'default', 'dashboards:read')).toMatchObject({ allowed: false, status: 403 });
      expect(authorizer.authorize(verified.principal, 'default', 'account:self')).toEqual({ allowed: true });
    });

    it('logs in with the right password only, throttles per login and address, and locks after repeated failures', async () => {
      const { user, password } = await tenantWithUser('viewer');
      const login = new LoginAuthenticator(
        store.users,
        hasher,
        { throttleMaxFailures: 3, throttleWindowMs: 60_000, lockoutThreshold: 6, lockoutMs: 900_000 },
        now,
      );
      expect(await login.authenticate({ login: user.login, password, ip: '1.1.1.1' })).toMatchObject({ ok: true, user: { id: user.id } });
      for (let i = 0; i < 3; i++) {
        expect(await login.authenticate({ login: user.login, password: 'wrong', ip: '1.1.1.1' })).toMatchObject({ ok: false, reason: 'invalid_credentials', message: 'invalid login or password' });
      }
      // Throttled from this address, even with the right password, without touching the database.
      expect(await login.authenticate({ login: user.login, password, ip: '1.1.1.1' })).toMatchObject({ ok: false, reason: 'throttled', retryAfterMs: 60_000 });
      // Another address still gets through; three more failures from two addresses lock the account.
      for (const ip of ['2.2.2.2', '2.2.2.2', '3.3.3.3']) await login.authenticate({ login: user.login, password: 'wrong', ip });
      const locked = await login.authenticate({ login: user.login, password, ip: '4.4.4.4' });
      expect(locked).toMatchObject({ ok: false, reason: 'locked', retryAfterMs: 900_000 });
      clock += 900_000;
      expect(await login.authenticate({ login: user.login, password, ip: '4.4.4.4' })).toMatchObject({ ok: true });
      expect(await store.users.getById(user.id)).toMatchObject({ failedLoginCount: 0, lockedUntil: null });
    });

    it('answers unknown logins like wrong passwords and refuses disabled users', async () => {
      const { user, password } = await tenantWithUser('viewer');
      const login = new LoginAuthenticator(store.users, hasher, undefined, now);
      const unknown = await login.authenticate({ login: 'nobody-here', password: 'whatever', ip: '5.5.5.5' });
      const wrong = await login.authenticate({ login: user.login, password: 'wrong', ip: '5.5.5.5' });
      expect(unknown.ok || wrong.ok).toBe(false);
      if (!unknown.ok && !wrong.ok) expect(unknown.message).toBe(wrong.message);
      await store.users.update(user.id, { disabled: true });
      expect(await login.authenticate({ login: user.login, password, ip: '5.5.5.6' })).toMatchObject({ ok: false, reason: 'disabled', message: 'invalid login or password' });
    });

    it('upgrades a hash made with older parameters at login', async () => {
      const { user, password } = await tenantWithUser('viewer');
      const stronger = new PasswordHasher({ memoryKiB: 2048, passes: 1, parallelism: 1 });
      const result = await new LoginAuthenticator(store.users, stronger, undefined, now).authenticate({ login: user.login, password, ip: '6.6.6.6' });
      expect(result.ok).toBe(true);
      const stored = (await store.users.getById(user.id))!.passwordHash!;
      expect(stored).toContain('m=2048,t=1,p=1');
      expect(stronger.needsRehash(stored)).toBe(false);
      expect(await stronger.verify(stored, password)).toBe(true);
    });

    it('sessions: stored as hashes, expire absolutely and when idle, end on logout, check CSRF', async () => {
      const { user, tenant } = await tenantWithUser('editor');
      const issuer = new SessionIssuer(store.sessions, sessionPolicy, now);
      const verifier = new SessionVerifier(store.sessions, store.users, store.memberships, sessionPolicy, now);
      const issued = await issuer.issue(user, { userAgent: 'test', ip: '127.0.0.1' });
      expect(issued.token).toMatch(/^phs_[A-Za-z0-9_-]{43}$/);
      expect(issued.session.tokenHash).not.toContain(issued.token.slice(4));
      const ok = await verifier.verify(issued.token);
      if (!ok.ok) throw new Error(ok.message);
      expect(ok.principal).toMatchObject({ kind: 'user', userId: user.id, mustChangePassword: true });
      expect(ok.principal.roles.get(tenant.id)).toBe('editor');
      expect(verifier.checkCsrf(ok.session, issued.csrfToken)).toBe(true);
      expect(verifier.checkCsrf(ok.session, issued.csrfToken.slice(0, -1) + 'x')).toBe(false);
      expect(verifier.checkCsrf(ok.session, undefined)).toBe(false);
      expect(await verifier.verify('phs_' + 'A'.repeat(43))).toMatchObject({ ok: false, reason: 'unknown' });
      expect(await verifier.verify('garbage')).toMatchObject({ ok: false, reason: 'malformed' });

      clock += 3_599_000; // just inside the idle timeout
      expect((await verifier.verify(issued.token)).ok).toBe(true);
      clock += 3_600_000; // idle for a full hour
      expect(await verifier.verify(issued.token)).toMatchObject({ ok: false, reason: 'expired' });

      const second = await issuer.issue(user);
      const revoker = new SessionRevoker(store.sessions, now);
      expect(await revoker.revoke(second.session.id)).toBe(true);
      expect(await verifier.verify(second.token)).toMatchObject({ ok: false, reason: 'revoked' });

      const third = await issuer.issue(user);
      for (let t = 0; t < 25; t++) {
        clock += 3_500_000;
        await verifier.verify(third.token);
      }
      expect(await verifier.verify(third.token)).toMatchObject({ ok: false, reason: 'expired' });
    });

    it('password change needs the current password, clears must-change and ends the other sessions', async () => {
      const { user, password } = await tenantWithUser('viewer');
      const issuer = new SessionIssuer(store.sessions, sessionPolicy, now);
      const verifier = new SessionVerifier(store.sessions, store.users, store.memberships, sessionPolicy, now);
      const revoker = new SessionRevoker(store.sessions, now);
      const changer = new PasswordChanger(store.users, hasher, revoker, policy, now);
      const [current, other] = [await issuer.issue(user), await issuer.issue(user)];
      await expect(changer.change({ userId: user.id, currentPassword: 'wrong', newPassword: 'a brand new secret' })).rejects.toMatchObject({ code: 'wrong_password' });
      await expect(changer.change({ userId: user.id, currentPassword: password, newPassword: 'short' })).rejects.toMatchObject({ code: 'weak_password' });
      const updated = await changer.change({ userId: user.id, currentPassword: password, newPassword: 'a brand new secret', keepSessionId: current.session.id });
      expect(updated).toMatchObject({ mustChangePassword: false, passwordChangedAt: clock });
      expect((await verifier.verify(current.token)).ok).toBe(true);
      expect(await verifier.verify(other.token)).toMatchObject({ ok: false, reason: 'revoked' });
      const login = new LoginAuthenticator(store.users, hasher, undefined, now);
      expect((await login.authenticate({ login: user.login, password: 'a brand new secret', ip: '7.7.7.7' })).ok).toBe(true);
      expect((await login.authenticate({ login: user.login, password, ip: '7.7.7.8' })).ok).toBe(false);
      await changer.reset(user.id, 'temporary password 1');
      expect(await store.users.getById(user.id)).toMatchObject({ mustChangePassword: true });
      expect(await verifier.verify(current.token)).toMatchObject({ ok: false, reason: 'revoked' });
    });

    it('API keys: shown once, hash stored, verified from cache, revocation honoured within the TTL', async () => {
      const [a, b] = [await store.tenants.create({ id: uniqueName('ka') }), await store.tenants.create({ id: uniqueName('kb') })];
      const issuer = new ApiKeyIssuer(store.apiKeys, now);
      const verifierHere = new ApiKeyVerifier(store.apiKeys, store.tenants, { cacheTtlMs: 10_000, now });
      const verifierElsewhere = new ApiKeyVerifier(store.apiKeys, store.tenants, { cacheTtlMs: 10_000, now });
      const { key, record } = await issuer.issue({ ownerTenantId: a.id, tenants: [a.id, b.id], role: 'editor', name: 'prometheus', expiresAt: clock + 86_400_000, createdBy: null });
      expect(key).toMatch(/^phk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
      expect(JSON.stringify(await store.apiKeys.get(a.id, record.id))).not.toContain(key.slice(17));
      for (const v of [verifierHere, verifierElsewhere]) {
        const ok = await v.verify(key);
        expect(ok).toEqual({ ok: true, principal: { kind: 'api_key', keyId: record.id, name: 'prometheus', role: 'editor', tenants: [a.id, b.id] } });
      }
      expect(await verifierHere.verify(key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A'))).toMatchObject({ ok: false, reason: 'unknown' });
      expect(await verifierHere.verify('phk_nope')).toMatchObject({ ok: false, reason: 'malformed' });

      await new ApiKeyRevoker(store.apiKeys, verifierHere, now).revoke(a.id, record.id);
      expect(await verifierHere.verify(key)).toMatchObject({ ok: false, reason: 'revoked' });
      // The other process trusts its cache until the TTL ends, then sees the revocation.
      expect((await verifierElsewhere.verify(key)).ok).toBe(true);
      clock += 10_000;
      expect(await verifierElsewhere.verify(key)).toMatchObject({ ok: false, reason: 'revoked' });
    });

    it('API keys: expire on time even when cached, drop disabled tenants, and record last use in batches', async () => {
      const [a, b] = [await store.tenants.create({ id: uniqueName('ea') }), await store.tenants.create({ id: uniqueName('eb') })];
      const issuer = new ApiKeyIssuer(store.apiKeys, now, 90 * 86_400_000);
      await expect(issuer.issue({ ownerTenantId: a.id, role: 'viewer', name: 'x', expiresAt: null, createdBy: null })).rejects.toThrow(/expire within 90 days/);
      await expect(issuer.issue({ ownerTenantId: a.id, role: 'viewer', name: 'x', expiresAt: clock - 1, createdBy: null })).rejects.toThrow(/future/);
      const verifier = new ApiKeyVerifier(store.apiKeys, store.tenants, { cacheTtlMs: 60_000, now });
      const { key, record } = await issuer.issue({ ownerTenantId: a.id, tenants: [b.id, a.id], role: 'viewer', name: 'grafana', expiresAt: clock + 5_000, createdBy: null });
      await store.tenants.update(b.id, { disabled: true });
      expect(await verifier.verify(key)).toMatchObject({ ok: true, principal: { tenants: [a.id] } });
      const usedAt = clock;
      await verifier.flushUsage();
      expect((await store.apiKeys.get(a.id, record.id))?.lastUsedAt).toBe(usedAt);
      clock += 5_000;
      expect(await verifier.verify(key)).toMatchObject({ ok: false, reason: 'expired' });
      await store.tenants.update(a.id, { disabled: true });
      const fresh = new ApiKeyVerifier(store.apiKeys, store.tenants, { now });
      const { key: key2 } = await new ApiKeyIssuer(store.apiKeys, now).issue({ ownerTenantId: a.id, role: 'viewer', name: 'y', expiresAt: null, createdBy: null });
      expect(await fresh.verify(key2)).toMatchObject({ ok: false, reason: 'tenant_disabled' });
    });

    it('roles decide per tenant: a viewer cannot write, tenant A grants nothing in tenant B', async () => {
      const viewer = await tenantWithUser('viewer');
      const editor = await tenantWithUser('editor');
      const verifier = new SessionVerifier(store.sessions, store.users, store.memberships, sessionPolicy, now);
      const issuer = new SessionIssuer(store.sessions, sessionPolicy, now);
      const principalOf = async (u: typeof viewer) => {
        await store.users.update(u.user.id, { mustChangePassword: false });
        const v = await verifier.verify((await issuer.issue(u.user)).token);
        if (!v.ok) throw new Error(v.message);
        return v.principal;
      };
      const [pv, pe] = [await principalOf(viewer), await principalOf(editor)];
      const authorizer = new RoleAuthorizer();
      expect(authorizer.authorize(pv, viewer.tenant.id, 'dashboards:read').allowed).toBe(true);
      expect(authorizer.authorize(pv, viewer.tenant.id, 'dashboards:write').allowed).toBe(false);
      expect(authorizer.authorize(pe, editor.tenant.id, 'dashboards:write').allowed).toBe(true);
      expect(authorizer.authorize(pe, editor.tenant.id, 'keys:manage').allowed).toBe(false);
      expect(authorizer.authorize(pe, viewer.tenant.id, 'dashboards:read')).toMatchObject({ allowed: false, message: expect.stringContaining('no access') });
      expect(authorizer.tenantFor(pe, viewer.tenant.id)).toBeUndefined();
      expect(authorizer.tenantFor(pe, undefined)).toBe(editor.tenant.id);
    });
  });
}
