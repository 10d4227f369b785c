/**
 * The metadata store's acceptance suite, run against every database it supports (SQLite and a
 * real PostgreSQL): migrations from empty and re-run, the schema matching the mappings, and
 * every repository's CRUD, uniqueness, tenant isolation and concurrent updates.
 *
 * Usage, from a test file:
 * ```ts
 * describeMetadataConformance('sqlite', { freshDatabase: async () => `sqlite://${tmp}/${n++}.db` });
 * ```
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DuplicateRecordError,
  InvalidRecordError,
  MetadataStore,
  RecordNotFoundError,
  VersionConflictError,
  runMetadataMigrations,
} from '#pharos/metadata';

export interface MetadataHarness {
  /** A URL (`metadata.url`) of a new, empty database; each call a different one. */
  freshDatabase(): Promise<string>;
  /** Test names (see {@link METADATA_CONFORMANCE_TESTS}) this database opts out of, with the reason in the caller. */
  skip?: readonly string[];
}

export const METADATA_CONFORMANCE_TESTS = {
  migrateFromEmpty: 'migrates an empty database and the schema matches the mappings',
  migrateIdempotent: 'reopening and re-running migrations applies nothing',
  migrateOff: 'migrate:false refuses a database with pending migrations',
  concurrentMigrations: 'processes opening an empty database together migrate it once',
} as const;

/** A clock the tests move; repositories read it for created/updated times. */
export class TestClock {
  constructor(public ms = Date.UTC(2026, 0, 1)) {}
  readonly now = (): number => this.ms;
}

const sha = (): string => randomBytes(32).toString('hex');
const unique = (p: string): string => `${p}-${randomBytes(4).toString('hex')}`;

export function describeMetadataConformance(name: string, harness: MetadataHarness): void {
  const skip = new Set(harness.skip ?? []);
  for (const s of skip) {
    if (!Object.values(METADATA_CONFORMANCE_TESTS).includes(s as never)) throw new Error(`unknown conformance test in skip: ${s}`);
  }
  const optional = (title: string, fn: () => Promise<void>) => (skip.has(title) ? it.skip(title, fn) : it(title, fn));

  describe(`metadata store conformance: ${name}`, () => {
    const clock = new TestClock();
    let url: string;
    let store: MetadataStore;

    beforeAll(async () => {
      url = await harness.freshDatabase();
      store = await MetadataStore.open({ url, now: clock.now });
    });
    afterAll(async () => {
      await store?.close();
    });

    async function tenant(prefix = 't') {
      return store.tenants.create({ id: unique(prefix) });
    }
    async function user(prefix = 'u') {
      return store.users.create({ login: unique(prefix), passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA' });
    }

    describe('migrations', () => {
      it(METADATA_CONFORMANCE_TESTS.migrateFromEmpty, async () => {
        expect(store.appliedMigrations).toEqual(['InitialSchema1767225600000']);
        // What `synchronize` would change if it were on: nothing, so the mappings and the
        // migrated schema agree column for column, index for index, key for key.
        const diff = await store.typeormDataSource.driver.createSchemaBuilder().log();
        expect(diff.upQueries.map((q) => q.query)).toEqual([]);
      });

      optional(METADATA_CONFORMANCE_TESTS.migrateIdempotent, async () => {
        const again = await MetadataStore.open({ url });
        try {
          expect(again.appliedMigrations).toEqual([]);
          expect(await runMetadataMigrations(again.typeormDataSource)).toEqual([]);
          await again.ping();
        } finally {
          await again.close();
        }
      });

      optional(METADATA_CONFORMANCE_TESTS.migrateOff, async () => {
        const emptyUrl = await harness.freshDatabase();
        await expect(MetadataStore.open({ url: emptyUrl, migrate: false })).rejects.toThrow(/pending migrations/);
      });

      optional(METADATA_CONFORMANCE_TESTS.concurrentMigrations, async () => {
        const emptyUrl = await harness.freshDatabase();
        const stores = await Promise.all([1, 2, 3].map(() => MetadataStore.open({ url: emptyUrl })));
        try {
          expect(stores.map((s) => s.appliedMigrations.length).sort()).toEqual([0, 0, 1]);
          await stores[0]!.tenants.create({ id: 'after-concurrent-migration' });
          expect(await stores[2]!.tenants.get('after-concurrent-migration')).toBeDefined();
        } finally {
          await Promise.all(stores.map((s) => s.close()));
        }
      });
    });

    describe('tenants', () => {
      it('creates, reads, lists, updates and deletes', async () => {
        const id = unique('acme');
        const created = await store.tenants.create({ id, name: 'Acme Corp' });
        expect(created).toEqual({ id, name: 'Acme Corp', disabled: false, createdAt: clock.ms, updatedAt: clock.ms });
        expect(await store.tenants.get(id)).toEqual(created);
        expect((await store.tenants.list()).map((t) => t.id)).toContain(id);
        clock.ms += 1000;
        const updated = await store.tenants.update(id, { disabled: true, name: 'Acme' });
        expect(updated).toMatchObject({ id, name: 'Acme', disabled: true, updatedAt: clock.ms, createdAt: created.createdAt });
        await store.tenants.delete(id);
        expect(await store.tenants.get(id)).toBeUndefined();
      });

      it('refuses a duplicate id, a malformed id, and changes to a missing tenant', async () => {
        const t = await tenant();
        await expect(store.tenants.create({ id: t.id })).rejects.toBeInstanceOf(DuplicateRecordError);
        await expect(store.tenants.create({ id: 'bad id/with spaces' })).rejects.toThrow(InvalidRecordError);
        await expect(store.tenants.update(unique('missing'), { name: 'x' })).rejects.toBeInstanceOf(RecordNotFoundError);
        await expect(store.tenants.delete(unique('missing'))).rejects.toBeInstanceOf(RecordNotFoundError);
      });

      it('deleting a tenant deletes its memberships, keys, settings, folders and dashboards', async () => {
        const t = await tenant();
        const u = await user();
        await store.memberships.set(u.id, t.id, 'editor');
        const key = await store.apiKeys.create(newKey(t.id, [t.id]));
        await store.tenantSettings.put(t.id, { limits: { ingestion_rate: 10 }, retentionMs: null });
        const folder = await store.folders.create(t.id, { title: 'F' });
        await store.dashboards.create(t.id, { uid: 'd1', title: 'D', model: '{}', folderUid: folder.uid, tags: ['x'] });
        await store.tenants.delete(t.id);
        expect(await store.memberships.listForUser(u.id)).toEqual([]);
        expect(await store.apiKeys.findByPrefix(key.prefix)).toBeUndefined();
        expect(await store.tenantSettings.get(t.id)).toBeUndefined();
        expect(await store.folders.list(t.id)).toEqual([]);
        expect(await store.dashboards.search(t.id)).toEqual([]);
        expect(await store.users.getById(u.id)).toBeDefined();
      });
    });

    describe('users', () => {
      it('creates, finds by id and by login case-insensitively, updates and deletes', async () => {
        const login = unique('Alice');
        const u = await store.users.create({ login, name: 'Alice A.', email: 'alice@example.com', passwordHash: 'h1', serverAdmin: true, mustChangePassword: true });
        expect(u).toMatchObject({ login: login.toLowerCase(), name: 'Alice A.', email: 'alice@example.com', serverAdmin: true, mustChangePassword: true, disabled: false, failedLoginCount: 0, lockedUntil: null, passwordChangedAt: clock.ms });
        expect(await store.users.getById(u.id)).toEqual(u);
        expect(await store.users.getByLogin(login.toUpperCase())).toEqual(u);
        const changed = await store.users.update(u.id, { passwordHash: 'h2', mustChangePassword: false, passwordChangedAt: clock.ms + 5, email: null });
        expect(changed).toMatchObject({ passwordHash: 'h2', mustChangePassword: false, passwordChangedAt: clock.ms + 5, email: null });
        expect(await store.users.count()).toBeGreaterThan(0);
        await store.users.delete(u.id);
        expect(await store.users.getById(u.id)).toBeUndefined();
        await expect(store.users.update(u.id, { name: 'x' })).rejects.toBeInstanceOf(RecordNotFoundError);
      });

      it('logins are unique regardless of case, and malformed input is refused by name', async () => {
        const login = unique('bob');
        await store.users.create({ login, passwordHash: null });
        await expect(store.users.create({ login: login.toUpperCase(), passwordHash: null })).rejects.toBeInstanceOf(DuplicateRecordError);
        await expect(store.users.create({ login: 'has space', passwordHash: null })).rejects.toThrow(/login/);
        await expect(store.users.create({ login: unique('c'), email: 'not-an-email', passwordHash: null })).rejects.toThrow(/email/);
      });

      it('counts concurrent login failures atomically and locks at the threshold', async () => {
        const u = await user();
        const policy = { lockAfter: 5, lockForMs: 60_000, now: clock.ms };
        await Promise.all([1, 2, 3, 4].map(() => store.users.recordLoginFailure(u.id, policy)));
        const fourth = await store.users.getById(u.id);
        expect(fourth).toMatchObject({ failedLoginCount: 4, lockedUntil: null });
        const fifth = await store.users.recordLoginFailure(u.id, policy);
        expect(fifth).toMatchObject({ failedLoginCount: 5, lockedUntil: clock.ms + 60_000 });
        await store.users.recordLoginSuccess(u.id);
        expect(await store.users.getById(u.id)).toMatchObject({ failedLoginCount: 0, lockedUntil: null });
      });

      it('lists users in login order with paging', async () => {
        const all = await store.users.list({ limit: 1000 });
        const logins = all.map((u) => u.login);
        expect(logins).toEqual([...logins].sort());
        const second = await store.users.list({ limit: 1, offset: 1 });
        expect(second[0]?.id).toBe(all[1]?.id);
      });
    });

    describe('memberships', () => {
      it('grants, replaces and removes a role, and lists per user and per tenant', async () => {
        const [a, b] = [await tenant(), await tenant()];
        const [u1, u2] = [await user(), await user()];
        expect(await store.memberships.set(u1.id, a.id, 'viewer')).toMatchObject({ userId: u1.id, tenantId: a.id, role: 'viewer' });
        const createdAt = clock.ms;
        clock.ms += 10;
        expect(await store.memberships.set(u1.id, a.id, 'admin')).toEqual({ userId: u1.id, tenantId: a.id, role: 'admin', createdAt });
        await store.memberships.set(u1.id, b.id, 'editor');
        await store.memberships.set(u2.id, b.id, 'viewer');
        expect((await store.memberships.listForUser(u1.id)).map((m) => [m.tenantId, m.role])).toEqual(
          [[a.id, 'admin'], [b.id, 'editor']].sort((x, y) => x[0]!.localeCompare(y[0]!)),
        );
        // Isolation: tenant A's member list never shows tenant B's members.
        expect((await store.memberships.listForTenant(a.id)).map((m) => m.userId)).toEqual([u1.id]);
        expect(await store.memberships.get(u2.id, a.id)).toBeUndefined();
        expect(await store.memberships.remove(u1.id, a.id)).toBe(true);
        expect(await store.memberships.remove(u1.id, a.id)).toBe(false);
      });

      it('refuses an unknown role, user or tenant', async () => {
        const t = await tenant();
        const u = await user();
        await expect(store.memberships.set(u.id, t.id, 'owner' as never)).rejects.toThrow(/role "owner" must be one of viewer, editor, admin/);
        await expect(store.memberships.set('no-such-user', t.id, 'viewer')).rejects.toBeInstanceOf(InvalidRecordError);
        await expect(store.memberships.set(u.id, unique('no-such-tenant'), 'viewer')).rejects.toBeInstanceOf(InvalidRecordError);
      });

      it('deleting a user deletes their memberships and sessions', async () => {
        const t = await tenant();
        const u = await user();
        await store.memberships.set(u.id, t.id, 'viewer');
        const s = await store.sessions.create({ tokenHash: sha(), csrfHash: sha(), userId: u.id, expiresAt: clock.ms + 1000 });
        await store.users.delete(u.id);
        expect(await store.memberships.listForTenant(t.id)).toEqual([]);
        expect(await store.sessions.get(s.id)).toBeUndefined();
      });
    });

    describe('API keys', () => {
      it('stores a key with its tenants in order and finds it by prefix', async () => {
        const [a, b] = [await tenant(), await tenant()];
        const input = newKey(a.id, [b.id, a.id]);
        const created = await store.apiKeys.create(input);
        expect(created).toMatchObject({ ...input, tenants: [b.id, a.id], lastUsedAt: null, revokedAt: null, createdAt: clock.ms });
        expect(await store.apiKeys.findByPrefix(input.prefix)).toEqual(created);
        expect(await store.apiKeys.get(a.id, created.id)).toEqual(created);
      });

      it('refuses a duplicate prefix, tenants without the owner, unknown tenants and malformed hashes', async () => {
        const t = await tenant();
        const k = await store.apiKeys.create(newKey(t.id, [t.id]));
        await expect(store.apiKeys.create({ ...newKey(t.id, [t.id]), prefix: k.prefix })).rejects.toBeInstanceOf(DuplicateRecordError);
        const other = await tenant();
        await expect(store.apiKeys.create(newKey(t.id, [other.id]))).rejects.toThrow(/must include its owner tenant/);
        await expect(store.apiKeys.create(newKey(t.id, [t.id, unique('ghost')]))).rejects.toBeInstanceOf(InvalidRecordError);
        await expect(store.apiKeys.create({ ...newKey(t.id, [t.id]), secretHash: 'xyz' })).rejects.toThrow(/secretHash/);
        await expect(store.apiKeys.create({ ...newKey(t.id, [t.id]), role: 'root' as never })).rejects.toThrow(/role/);
      });

      it('isolates tenants: another tenant can neither list, get, revoke nor delete a key', async () => {
        const [a, b] = [await tenant(), await tenant()];
        const keyA = await store.apiKeys.create(newKey(a.id, [a.id]));
        const keyB = await store.apiKeys.create(newKey(b.id, [b.id]));
        expect((await store.apiKeys.listForTenant(a.id)).map((k) => k.id)).toEqual([keyA.id]);
        expect(await store.apiKeys.get(b.id, keyA.id)).toBeUndefined();
        await expect(store.apiKeys.revoke(b.id, keyA.id, clock.ms)).rejects.toBeInstanceOf(RecordNotFoundError);
        await expect(store.apiKeys.delete(b.id, keyA.id)).rejects.toBeInstanceOf(RecordNotFoundError);
        expect((await store.apiKeys.findByPrefix(keyA.prefix))?.revokedAt).toBeNull();
        expect((await store.apiKeys.listForTenant(b.id)).map((k) => k.id)).toEqual([keyB.id]);
      });

      it('revokes once (the first time is kept), records usage monotonically, and deletes', async () => {
        const t = await tenant();
        const k = await store.apiKeys.create(newKey(t.id, [t.id]));
        expect((await store.apiKeys.revoke(t.id, k.id, 1000)).revokedAt).toBe(1000);
        expect((await store.apiKeys.revoke(t.id, k.id, 2000)).revokedAt).toBe(1000);
        await store.apiKeys.recordUsage(new Map([[k.id, 5000]]));
        await store.apiKeys.recordUsage(new Map([[k.id, 4000]]));
        expect((await store.apiKeys.get(t.id, k.id))?.lastUsedAt).toBe(5000);
        await store.apiKeys.delete(t.id, k.id);
        expect(await store.apiKeys.findByPrefix(k.prefix)).toBeUndefined();
      });
    });

    describe('sessions', () => {
      it('creates, finds by token hash, touches, lists live ones and revokes', async () => {
        const u = await user();
        const tokenHash = sha();
        const s = await store.sessions.create({ tokenHash, csrfHash: sha(), userId: u.id, expiresAt: clock.ms + 60_000, userAgent: 'curl/8', ip: '127.0.0.1' });
        expect(await store.sessions.findByTokenHash(tokenHash)).toEqual(s);
        await store.sessions.touch(s.id, clock.ms + 5);
        expect((await store.sessions.get(s.id))?.lastSeenAt).toBe(clock.ms + 5);
        const expired = await store.sessions.create({ tokenHash: sha(), csrfHash: sha(), userId: u.id, expiresAt: clock.ms - 1 });
        const other = await store.sessions.create({ tokenHash: sha(), csrfHash: sha(), userId: u.id, expiresAt: clock.ms + 60_000 });
        expect((await store.sessions.listActiveForUser(u.id, clock.ms)).map((x) => x.id).sort()).toEqual([s.id, other.id].sort());
        expect(await store.sessions.revokeAllForUser(u.id, clock.ms, s.id)).toBe(2);
        expect((await store.sessions.listActiveForUser(u.id, clock.ms)).map((x) => x.id)).toEqual([s.id]);
        expect(await store.sessions.revoke(s.id, clock.ms)).toBe(true);
        expect(await store.sessions.revoke(s.id, clock.ms + 1)).toBe(false);
        expect((await store.sessions.get(s.id))?.revokedAt).toBe(clock.ms);
        expect(await store.sessions.deleteEndedBefore(clock.ms + 1)).toBeGreaterThanOrEqual(3);
        expect(await store.sessions.get(expired.id)).toBeUndefined();
      });

      it('refuses a duplicate token hash and an unknown user', async () => {
        const u = await user();
        const tokenHash = sha();
        await store.sessions.create({ tokenHash, csrfHash: sha(), userId: u.id, expiresAt: clock.ms + 1 });
        await expect(store.sessions.create({ tokenHash, csrfHash: sha(), userId: u.id, expiresAt: clock.ms + 1 })).rejects.toBeInstanceOf(DuplicateRecordError);
        await expect(store.sessions.create({ tokenHash: sha(), csrfHash: sha(), userId: 'nobody', expiresAt: 1 })).rejects.toBeInstanceOf(InvalidRecordError);
      });
    });

    describe('tenant settings', () => {
      it('round-trips limits and retention, bumping the version on each write', async () => {
        const t = await tenant();
        expect(await store.tenantSettings.get(t.id)).toBeUndefined();
        const v1 = await store.tenantSettings.put(t.id, { limits: { ingestion_rate: 50_000, max_active_series: 1e6 }, retentionMs: 86_400_000 }, { updatedBy: null });
        expect(v1).toMatchObject({ tenantId: t.id, limits: { ingestion_rate: 50_000, max_active_series: 1e6 }, retentionMs: 86_400_000, version: 1 });
        const v2 = await store.tenantSettings.put(t.id, { limits: {}, retentionMs: null }, { expectedVersion: 1 });
        expect(v2).toMatchObject({ limits: {}, retentionMs: null, version: 2 });
        expect((await store.tenantSettings.list()).find((s) => s.tenantId === t.id)?.version).toBe(2);
        await store.tenantSettings.delete(t.id);
        expect(await store.tenantSettings.get(t.id)).toBeUndefined();
      });

      it('checks the expected version, also between concurrent writers', async () => {
        const t = await tenant();
        await store.tenantSettings.put(t.id, { limits: {}, retentionMs: null }, { expectedVersion: 0 });
        await expect(store.tenantSettings.put(t.id, { limits: {}, retentionMs: null }, { expectedVersion: 0 })).rejects.toBeInstanceOf(VersionConflictError);
        const results = await Promise.allSettled(
          [1, 2, 3, 4, 5].map((n) => store.tenantSettings.put(t.id, { limits: { ingestion_rate: n }, retentionMs: null }, { expectedVersion: 1 })),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(VersionConflictError);
        expect((await store.tenantSettings.get(t.id))?.version).toBe(2);
      });

      it('refuses malformed limits, a bad retention and an unknown tenant', async () => {
        const t = await tenant();
        await expect(store.tenantSettings.put(t.id, { limits: { 'Bad-Name': 1 }, retentionMs: null })).rejects.toThrow(/snake_case/);
        await expect(store.tenantSettings.put(t.id, { limits: { ingestion_rate: -1 }, retentionMs: null })).rejects.toThrow(/ingestion_rate/);
        await expect(store.tenantSettings.put(t.id, { limits: {}, retentionMs: 0 })).rejects.toThrow(/retentionMs/);
        await expect(store.tenantSettings.put(unique('ghost'), { limits: {}, retentionMs: null })).rejects.toBeInstanceOf(InvalidRecordError);
      });
    });

    describe('folders', () => {
      it('creates, lists, renames with a version check and deletes', async () => {
        const t = await tenant();
        const f = await store.folders.create(t.id, { uid: 'ops', title: 'Operations' });
        expect(f).toMatchObject({ tenantId: t.id, uid: 'ops', title: 'Operations', version: 1 });
        expect(await store.folders.get(t.id, 'ops')).toEqual(f);
        const renamed = await store.folders.update(t.id, 'ops', { title: 'Ops' }, 1);
        expect(renamed).toMatchObject({ title: 'Ops', version: 2 });
        await expect(store.folders.update(t.id, 'ops', { title: 'Stale' }, 1)).rejects.toMatchObject({ currentVersion: 2 });
        expect((await store.folders.list(t.id)).map((x) => x.uid)).toEqual(['ops']);
        await store.folders.delete(t.id, 'ops');
        expect(await store.folders.get(t.id, 'ops')).toBeUndefined();
      });

      it('keeps uids and titles unique per tenant, not across tenants, and isolates tenants', async () => {
        const [a, b] = [await tenant(), await tenant()];
        await store.folders.create(a.id, { uid: 'shared', title: 'Shared' });
        await expect(store.folders.create(a.id, { uid: 'shared', title: 'Other' })).rejects.toBeInstanceOf(DuplicateRecordError);
        await expect(store.folders.create(a.id, { uid: 'other', title: 'Shared' })).rejects.toBeInstanceOf(DuplicateRecordError);
        await store.folders.create(b.id, { uid: 'shared', title: 'Shared' });
        expect(await store.folders.list(a.id)).toHaveLength(1);
        await expect(store.folders.update(b.id, 'missing', { title: 'x' }, 1)).rejects.toBeInstanceOf(RecordNotFoundError);
        await store.folders.delete(b.id, 'shared');
        expect(await store.folders.get(a.id, 'shared')).toBeDefined();
      });

      it('refuses to delete a folder that holds dashboards', async () => {
        const t = await tenant();
        await store.folders.create(t.id, { uid: 'full', title: 'Full' });
        await store.dashboards.create(t.id, { title: 'Inside', model: '{}', folderUid: 'full' });
        await expect(store.folders.delete(t.id, 'full')).rejects.toThrow(/still holds 1 dashboard/);
      });
    });

    describe('dashboards', () => {
      const model = '{"title":"Node","panels":[{"type":"timeseries","targets":[{"expr":"rate(x[5m])"}]}],"zeta":1,"alpha":"ünï"}';

      it('creates and reads back a dashboard with its model byte-exact and its tags', async () => {
        const t = await tenant();
        const d = await store.dashboards.create(t.id, { uid: 'node', title: 'Node', model, tags: ['linux', 'infra', 'linux'], createdBy: null });
        expect(d).toMatchObject({ tenantId: t.id, uid: 'node', title: 'Node', model, version: 1, folderId: null, tags: ['linux', 'infra'] });
        const read = await store.dashboards.get(t.id, 'node');
        expect(read?.model).toBe(model);
        expect(read?.tags).toEqual(['infra', 'linux']);
        const random = await store.dashboards.create(t.id, { title: 'Random uid', model: '{}' });
        expect(random.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
      });

      it('refuses a duplicate uid in a tenant but allows it in another, and refuses bad input', async () => {
        const [a, b] = [await tenant(), await tenant()];
        await store.dashboards.create(a.id, { uid: 'same', title: 'A', model: '{}' });
        await expect(store.dashboards.create(a.id, { uid: 'same', title: 'A2', model: '{}' })).rejects.toBeInstanceOf(DuplicateRecordError);
        await store.dashboards.create(b.id, { uid: 'same', title: 'B', model: '{}' });
        await expect(store.dashboards.create(a.id, { title: 'x', model: '[1,2]' })).rejects.toThrow(/JSON object/);
        await expect(store.dashboards.create(a.id, { title: 'x', model: '{nope' })).rejects.toThrow(/not valid JSON/);
        await expect(store.dashboards.create(a.id, { uid: 'bad uid!', title: 'x', model: '{}' })).rejects.toThrow(/uid/);
        await expect(store.dashboards.create(a.id, { title: '', model: '{}' })).rejects.toThrow(/title/);
      });

      it("isolates tenants on get, search, tags, update and delete, and refuses another tenant's folder", async () => {
        const [a, b] = [await tenant(), await tenant()];
        await store.folders.create(b.id, { uid: 'b-folder', title: 'B folder' });
        await store.dashboards.create(a.id, { uid: 'secret', title: 'Secret', model: '{}', tags: ['a-only'] });
        expect(await store.dashboards.get(b.id, 'secret')).toBeUndefined();
        expect(await store.dashboards.search(b.id, { query: 'secret' })).toEqual([]);
        expect(await store.dashboards.tags(b.id)).toEqual([]);
        await expect(store.dashboards.update(b.id, 'secret', { title: 'pwned' }, 1)).rejects.toBeInstanceOf(RecordNotFoundError);
        await expect(store.dashboards.delete(b.id, 'secret')).rejects.toBeInstanceOf(RecordNotFoundError);
        await expect(store.dashboards.create(a.id, { title: 'x', model: '{}', folderUid: 'b-folder' })).rejects.toThrow(/no folder "b-folder" in tenant/);
        expect(await store.dashboards.search(a.id, { folderUid: 'b-folder' })).toEqual([]);
        expect((await store.dashboards.get(a.id, 'secret'))?.title).toBe('Secret');
      });

      it('searches by title (case-insensitive, LIKE characters literal), tags (all of) and folder', async () => {
        const t = await tenant();
        await store.folders.create(t.id, { uid: 'f1', title: 'F1' });
        await store.dashboards.create(t.id, { uid: 'd1', title: 'Kafka Lag', model: '{}', tags: ['kafka', 'prod'], folderUid: 'f1' });
        await store.dashboards.create(t.id, { uid: 'd2', title: 'kafka brokers', model: '{}', tags: ['kafka'] });
        await store.dashboards.create(t.id, { uid: 'd3', title: '100% CPU_usage', model: '{}', tags: ['prod'] });
        const uids = async (s: Parameters<typeof store.dashboards.search>[1]) => (await store.dashboards.search(t.id, s)).map((d) => d.uid);
        expect(await uids({ query: 'KAFKA' })).toEqual(['d2', 'd1']);
        expect(await uids({ query: '%' })).toEqual(['d3']);
        expect(await uids({ query: '0_' })).toEqual([]);
        expect(await uids({ query: 'cpu_' })).toEqual(['d3']);
        expect(await uids({ tags: ['kafka', 'prod'] })).toEqual(['d1']);
        expect(await uids({ tags: ['prod'] })).toEqual(['d3', 'd1']);
        expect(await uids({ folderUid: 'f1' })).toEqual(['d1']);
        expect(await uids({ folderUid: null })).toEqual(['d3', 'd2']);
        expect(await uids({ limit: 1, offset: 1 })).toEqual(['d2']);
        const [first] = await store.dashboards.search(t.id, { query: 'lag' });
        expect(first).toMatchObject({ uid: 'd1', tags: ['kafka', 'prod'] });
        expect(first).not.toHaveProperty('model');
        expect(await store.dashboards.tags(t.id)).toEqual([
          { tag: 'kafka', count: 2 },
          { tag: 'prod', count: 2 },
        ]);
      });

      it('updates with an optimistic version: title, model, tags and folder', async () => {
        const t = await tenant();
        await store.folders.create(t.id, { uid: 'dest', title: 'Dest' });
        await store.dashboards.create(t.id, { uid: 'v', title: 'V', model: '{"a":1}', tags: ['old'] });
        clock.ms += 1000;
        const v2 = await store.dashboards.update(t.id, 'v', { title: 'V2', model: '{"a":2}', tags: ['new'], folderUid: 'dest', updatedBy: null }, 1);
        expect(v2).toMatchObject({ title: 'V2', model: '{"a":2}', tags: ['new'], version: 2, updatedAt: clock.ms });
        expect(v2.folderId).toBe((await store.folders.get(t.id, 'dest'))?.id);
        const stale = store.dashboards.update(t.id, 'v', { title: 'lost update' }, 1);
        await expect(stale).rejects.toBeInstanceOf(VersionConflictError);
        await expect(stale).rejects.toMatchObject({ currentVersion: 2 });
        const v3 = await store.dashboards.update(t.id, 'v', { folderUid: null }, 2);
        expect(v3).toMatchObject({ folderId: null, version: 3, title: 'V2', tags: ['new'] });
        await store.dashboards.delete(t.id, 'v');
        expect(await store.dashboards.get(t.id, 'v')).toBeUndefined();
        expect(await store.dashboards.tags(t.id)).toEqual([]);
      });

      it('of concurrent updates from the same version exactly one wins', async () => {
        const t = await tenant();
        await store.dashboards.create(t.id, { uid: 'race', title: 'Race', model: '{}' });
        const results = await Promise.allSettled(
          Array.from({ length: 8 }, (_, i) => store.dashboards.update(t.id, 'race', { title: `writer ${i}`, tags: [`w${i}`] }, 1)),
        );
        const won = results.filter((r): r is PromiseFulfilledResult<Awaited<ReturnType<typeof store.dashboards.update>>> => r.status === 'fulfilled');
        for (const r of results) if (r.status === 'rejected' && !(r.reason instanceof VersionConflictError)) throw r.reason;
        expect(won).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(VersionConflictError);
        const final = await store.dashboards.get(t.id, 'race');
        expect(final).toMatchObject({ version: 2, title: won[0]!.value.title, tags: won[0]!.value.tags });
      });
    });

    function newKey(ownerTenantId: string, tenants: string[]) {
      return {
        ownerTenantId,
        prefix: randomBytes(6).toString('hex'),
        secretHash: sha(),
        name: 'remote-write',
        role: 'editor' as const,
        tenants,
        createdBy: null,
        expiresAt: clock.ms + 86_400_000,
      };
    }
  });
}
