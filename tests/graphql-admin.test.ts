import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleClient, bearer, printedAdminPassword } from './support/auth-client.js';
import { codes, gql, type GqlAnswer } from './support/graphql-client.js';
import { removeDir, startPharos, tempDir, type PharosProcess } from './support/pharos-process.js';
import { remoteWrite } from './support/remote-write-client.js';

// The GraphQL gateway's admin operations through the built `pharos` binary with auth on: the
// same rules as the REST identity API (tenant admins their tenant, server admins everything,
// viewers and editors nothing), secrets shown once, and a key created here used at the doors.

const ADMIN_PASSWORD = 'admin-password-2026';

/** A logged-in console user speaking GraphQL with its cookie and CSRF token. */
class GqlUser {
  constructor(readonly client: ConsoleClient) {}

  run<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}): Promise<GqlAnswer<T>> {
    return gql<T>(this.client.url, query, variables, { cookie: this.client.sessionCookie ?? '', 'x-csrf-token': this.client.csrfToken ?? '' });
  }

  /** The data, failing the test with the errors otherwise. */
  async ok<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const answer = await this.run<T>(query, variables);
    if (answer.errors?.length || !answer.data) throw new Error(`expected data, got ${answer.status}: ${JSON.stringify(answer.errors)}`);
    return answer.data;
  }
}

/** Every admin mutation, each aimed at `tenant` (and a user id there). */
function adminMutations(tenant: string, userId: string, keyId: string): Array<[string, string, Record<string, unknown>]> {
  return [
    ['createTenant', 'mutation($id: String!) { createTenant(input: { id: $id }) { id } }', { id: `new-${tenant}` }],
    ['updateTenant', 'mutation($t: String!) { updateTenant(id: $t, patch: { name: "Renamed" }) { id } }', { t: tenant }],
    ['inviteMember', 'mutation($t: String!) { inviteMember(tenant: $t, input: { login: "intruder", role: viewer }) { temporaryPassword } }', { t: tenant }],
    ['changeMemberRole', 'mutation($t: String!, $u: String!) { changeMemberRole(tenant: $t, userId: $u, role: viewer) { role } }', { t: tenant, u: userId }],
    ['removeMember', 'mutation($t: String!, $u: String!) { removeMember(tenant: $t, userId: $u) }', { t: tenant, u: userId }],
    ['createApiKey', 'mutation($t: String!) { createApiKey(tenant: $t, input: { name: "sneaky", role: viewer }) { secret } }', { t: tenant }],
    ['revokeApiKey', 'mutation($t: String!, $k: String!) { revokeApiKey(tenant: $t, id: $k) { id } }', { t: tenant, k: keyId }],
    ['updateTenantSettings', 'mutation($t: String!) { updateTenantSettings(tenant: $t, input: { limits: [{ name: "ingestion_rate", value: 1 }] }) { version } }', { t: tenant }],
    ['resetTenantSettings', 'mutation($t: String!) { resetTenantSettings(tenant: $t) { version } }', { t: tenant }],
    ['updateUser', 'mutation($u: String!) { updateUser(id: $u, patch: { disabled: true }) { id } }', { u: userId }],
    ['resetUserPassword', 'mutation($u: String!) { resetUserPassword(id: $u) { temporaryPassword } }', { u: userId }],
  ];
}

const MEMBERS = 'query($t: String!) { tenantMembers(tenant: $t) { role user { id login mustChangePassword } } }';
const CREATE_KEY = 'mutation($t: String!, $in: CreateApiKeyInput!) { createApiKey(tenant: $t, input: $in) { secret apiKey { id name prefix role tenants expiresAt } } }';
const INVITE = 'mutation($t: String!, $in: InviteMemberInput!) { inviteMember(tenant: $t, input: $in) { temporaryPassword member { role user { id login mustChangePassword } } } }';

describe('GraphQL admin with auth on', () => {
  const dir = tempDir('gql-admin');
  let pharos: PharosProcess;
  let admin: GqlUser;
  const ids: Record<string, string> = {};
  const secrets: string[] = [];

  /** Logs a member in and sets their own password (their first login demands it). */
  async function loginMember(login: string, temporary: string): Promise<GqlUser> {
    const client = new ConsoleClient(pharos.url);
    expect((await client.login(login, temporary)).status).toBe(200);
    expect((await client.request('POST', '/api/password', { body: { currentPassword: temporary, newPassword: `${login}-own-password-1` } })).status).toBe(204);
    return new GqlUser(client);
  }

  beforeAll(async () => {
    const config = join(dir, 'pharos.yaml');
    writeFileSync(config, 'auth:\n  enabled: true\n');
    pharos = await startPharos({ dataDir: join(dir, 'data'), args: ['--config', config], env: { PHAROS_OTLP_HTTP_PORT: '-1', PHAROS_OTLP_GRPC_PORT: '-1' } });
    const printed = printedAdminPassword(pharos.output());
    if (printed === undefined) throw new Error(`no admin password printed:\n${pharos.output()}`);
    const client = new ConsoleClient(pharos.url);
    expect((await client.login('admin', printed)).status).toBe(200);
    admin = new GqlUser(client);
    // Until the password is changed the account administers nothing, here as over REST.
    expect(codes(await admin.run('mutation { createTenant(input: { id: "early" }) { id } }'))).toEqual(['FORBIDDEN']);
    expect((await admin.run<{ me: { canAdminister: boolean } }>('{ me { canAdminister } }')).data?.me.canAdminister).toBe(false);
    expect((await client.request('POST', '/api/password', { body: { currentPassword: printed, newPassword: ADMIN_PASSWORD } })).status).toBe(204);
  });

  afterAll(async () => {
    await pharos?.stop();
    removeDir(dir);
  });

  it('answers me for the server admin', async () => {
    const { me } = await admin.ok<{ me: Record<string, unknown> }>('{ me { kind authEnabled login serverAdmin mustChangePassword canAdminister tenants { tenantId role } } }');
    expect(me).toEqual({
      kind: 'user',
      authEnabled: true,
      login: 'admin',
      serverAdmin: true,
      mustChangePassword: false,
      canAdminister: true,
      tenants: [{ tenantId: 'default', role: 'admin' }],
    });
  });

  it('lets the server admin create tenants and members; temporary passwords appear once', async () => {
    for (const id of ['a', 'b']) {
      const { createTenant } = await admin.ok<{ createTenant: { id: string; name: string; disabled: boolean } }>(
        'mutation($id: String!, $name: String) { createTenant(input: { id: $id, name: $name }) { id name disabled } }',
        { id, name: `Team ${id}` },
      );
      expect(createTenant).toEqual({ id, name: `Team ${id}`, disabled: false });
    }
    expect(codes(await admin.run('mutation { createTenant(input: { id: "a" }) { id } }'))).toEqual(['ALREADY_EXISTS']);
    const bad = await admin.run('mutation { createTenant(input: { id: "no spaces allowed" }) { id } }');
    expect(codes(bad)).toEqual(['BAD_INPUT']);
    expect(bad.errors?.[0]?.message).toMatch(/must match/);

    type Invited = { inviteMember: { temporaryPassword: string | null; member: { role: string; user: { id: string; login: string; mustChangePassword: boolean } } } };
    for (const [login, role] of [['alice', 'admin'], ['eddie', 'editor'], ['vera', 'viewer']] as const) {
      const { inviteMember } = await admin.ok<Invited>(INVITE, { t: 'a', in: { login, role } });
      expect(inviteMember.member).toMatchObject({ role, user: { login, mustChangePassword: true } });
      expect(inviteMember.temporaryPassword).toMatch(/^[A-Za-z0-9]{24}$/);
      ids[login] = inviteMember.member.user.id;
      secrets.push(inviteMember.temporaryPassword!);
      ids[`${login}:temporary`] = inviteMember.temporaryPassword!;
    }
    const bob = await admin.ok<Invited>(INVITE, { t: 'b', in: { login: 'bob', role: 'editor', password: 'bob-temporary-pw' } });
    expect(bob.inviteMember.temporaryPassword).toBeNull();
    ids['bob'] = bob.inviteMember.member.user.id;
    const weak = await admin.run(INVITE, { t: 'b', in: { login: 'weak', role: 'viewer', password: 'short' } });
    expect(codes(weak)).toEqual(['BAD_INPUT']);

    const listed = await admin.ok<{ tenantMembers: Array<{ role: string; user: { login: string } }> }>(MEMBERS, { t: 'a' });
    expect(listed.tenantMembers.map((m) => [m.user.login, m.role]).sort()).toEqual([['alice', 'admin'], ['eddie', 'editor'], ['vera', 'viewer']]);
    // Queries can reach no temporary password.
    expect(JSON.stringify(listed)).not.toContain(ids['alice:temporary']);
  });

  it('refuses every admin operation to a viewer and to an editor', async () => {
    const { createApiKey } = await admin.ok<{ createApiKey: { secret: string; apiKey: { id: string } } }>(CREATE_KEY, { t: 'a', in: { name: 'victim', role: 'viewer' } });
    secrets.push(createApiKey.secret);
    for (const login of ['vera', 'eddie']) {
      const member = await loginMember(login, ids[`${login}:temporary`]!);
      const { me } = await member.ok<{ me: { canAdminister: boolean; tenants: unknown[] } }>('{ me { canAdminister tenants { tenantId role } } }');
      expect(me.canAdminister).toBe(false);
      for (const [name, query, variables] of adminMutations('a', ids['alice']!, createApiKey.apiKey.id)) {
        const answer = await member.run(query, variables);
        expect(codes(answer), `${login} ${name}`).toEqual(['FORBIDDEN']);
        expect(answer.data ?? null, `${login} ${name}`).toBeNull();
      }
      for (const query of [MEMBERS, 'query($t: String!) { apiKeys(tenant: $t) { id } }', 'query($t: String!) { tenantSettings(tenant: $t) { version } }']) {
        expect(codes(await member.run(query, { t: 'a' })), `${login} ${query}`).toEqual(['FORBIDDEN']);
      }
      expect(codes(await member.run('{ users { user { id } } }'))).toEqual(['FORBIDDEN']);
      // Their own tenant is visible to them; another is not.
      expect((await member.ok<{ tenants: Array<{ id: string; role: string }> }>('{ tenants { id role } }')).tenants).toEqual([{ id: 'a', role: login === 'vera' ? 'viewer' : 'editor' }]);
      expect(codes(await member.run('{ tenant(id: "b") { id } }'))).toEqual(['FORBIDDEN']);
    }
    // Nothing changed: the key still lists as active, the members are as they were.
    const keys = await admin.ok<{ apiKeys: Array<{ id: string; revokedAt: number | null }> }>('query { apiKeys(tenant: "a") { id revokedAt } }');
    expect(keys.apiKeys.find((k) => k.id === createApiKey.apiKey.id)?.revokedAt).toBeNull();
    expect((await admin.ok<{ tenantMembers: unknown[] }>(MEMBERS, { t: 'a' })).tenantMembers).toHaveLength(3);
  });

  it('lets a tenant admin manage their tenant and nothing else', async () => {
    const alice = await loginMember('alice', ids['alice:temporary']!);
    expect((await alice.ok<{ me: { canAdminister: boolean } }>('{ me { canAdminister } }')).me.canAdminister).toBe(true);
    const carol = await alice.ok<{ inviteMember: { member: { user: { id: string } } } }>(INVITE, { t: 'a', in: { login: 'carol', role: 'editor', password: 'carol-temporary-pw' } });
    const carolId = carol.inviteMember.member.user.id;
    expect((await alice.ok<{ changeMemberRole: { role: string } }>('mutation($u: String!) { changeMemberRole(tenant: "a", userId: $u, role: viewer) { role } }', { u: carolId })).changeMemberRole.role).toBe('viewer');
    expect((await alice.ok<{ removeMember: boolean }>('mutation($u: String!) { removeMember(tenant: "a", userId: $u) }', { u: carolId })).removeMember).toBe(true);
    expect(codes(await alice.run('mutation($u: String!) { removeMember(tenant: "a", userId: $u) }', { u: carolId }))).toEqual(['NOT_FOUND']);
    const settings = await alice.ok<{ updateTenantSettings: { version: number } }>(
      'mutation { updateTenantSettings(tenant: "a", input: { limits: [{ name: "query_timeout", value: 60000 }], version: 0 }) { version } }',
    );
    expect(settings.updateTenantSettings.version).toBe(1);

    // Tenant b, and everything reserved to server admins, is closed to her.
    for (const [name, query, variables] of adminMutations('b', ids['bob']!, 'no-such-key')) {
      expect(codes(await alice.run(query, variables)), name).toEqual(['FORBIDDEN']);
    }
    for (const query of [MEMBERS, 'query($t: String!) { apiKeys(tenant: $t) { id } }', 'query($t: String!) { tenantSettings(tenant: $t) { version } }']) {
      expect(codes(await alice.run(query, { t: 'b' })), query).toEqual(['FORBIDDEN']);
    }
    // A key of tenant a may not reach into tenant b either.
    expect(codes(await alice.run(CREATE_KEY, { t: 'a', in: { name: 'both', role: 'viewer', tenants: ['a', 'b'] } }))).toEqual(['FORBIDDEN']);
    expect((await alice.ok<{ tenants: Array<{ id: string }> }>('{ tenants { id } }')).tenants.map((t) => t.id)).toEqual(['a']);
  });

  it('lets the server admin act in any tenant', async () => {
    const members = await admin.ok<{ tenantMembers: Array<{ user: { login: string } }> }>(MEMBERS, { t: 'b' });
    expect(members.tenantMembers.map((m) => m.user.login)).toEqual(['bob']);
    const saved = await admin.ok<{ updateTenantSettings: { version: number; limits: unknown; retentionMs: number; effectiveRetentionMs: number; effective: Array<{ name: string; value: number }> } }>(
      'mutation { updateTenantSettings(tenant: "b", input: { limits: [{ name: "ingestion_rate", value: 50 }], retentionMs: 172800000, version: 0 }) { version limits { name value } retentionMs effectiveRetentionMs effective { name value } } }',
    );
    expect(saved.updateTenantSettings).toMatchObject({ version: 1, limits: [{ name: 'ingestion_rate', value: 50 }], retentionMs: 172_800_000, effectiveRetentionMs: 172_800_000 });
    expect(saved.updateTenantSettings.effective).toContainEqual({ name: 'ingestion_rate', value: 50 });
    const stale = await admin.run('mutation { updateTenantSettings(tenant: "b", input: { limits: [], version: 0 }) { version } }');
    expect(codes(stale)).toEqual(['VERSION_CONFLICT']);
    expect(stale.errors?.[0]?.extensions?.['currentVersion']).toBe(1);
    const unknown = await admin.run('mutation { updateTenantSettings(tenant: "b", input: { limits: [{ name: "max_series", value: 1 }] }) { version } }');
    expect(codes(unknown)).toEqual(['BAD_INPUT']);
    expect(unknown.errors?.[0]?.message).toMatch(/max_series: unknown key/);
    // The REST API sees what GraphQL saved: one store, one set of rules.
    expect(await admin.client.json('GET', '/api/tenants/b/settings')).toMatchObject({ version: 1, limits: { ingestion_rate: 50 } });
    expect((await admin.ok<{ resetTenantSettings: { version: number; limits: unknown[] } }>('mutation { resetTenantSettings(tenant: "b") { version limits { name } } }')).resetTenantSettings).toEqual({
      version: 0,
      limits: [],
    });

    const renamed = await admin.ok<{ updateTenant: { name: string; disabled: boolean } }>('mutation { updateTenant(id: "b", patch: { name: "Team Bee", disabled: true }) { name disabled } }');
    expect(renamed.updateTenant).toEqual({ name: 'Team Bee', disabled: true });
    await admin.ok('mutation { updateTenant(id: "b", patch: { disabled: false }) { id } }');
    expect(codes(await admin.run('mutation { updateTenant(id: "zzz", patch: { name: "x" }) { id } }'))).toEqual(['NOT_FOUND']);
    expect((await admin.ok<{ tenants: Array<{ id: string }> }>('{ tenants { id } }')).tenants.map((t) => t.id).sort()).toEqual(['a', 'b', 'default']);

    const { users } = await admin.ok<{ users: Array<{ user: { id: string; login: string }; tenants: Array<{ tenantId: string; tenantName: string | null; role: string }> }> }>(
      '{ users { user { id login } tenants { tenantId tenantName role } } }',
    );
    expect(users.find((u) => u.user.login === 'bob')?.tenants).toEqual([{ tenantId: 'b', tenantName: 'Team Bee', role: 'editor' }]);
    const self = users.find((u) => u.user.login === 'admin')!;
    expect(codes(await admin.run('mutation($u: String!) { updateUser(id: $u, patch: { serverAdmin: false }) { id } }', { u: self.user.id }))).toEqual(['BAD_INPUT']);
    const reset = await admin.ok<{ resetUserPassword: { temporaryPassword: string; user: { mustChangePassword: boolean } } }>(
      'mutation($u: String!) { resetUserPassword(id: $u) { temporaryPassword user { mustChangePassword } } }',
      { u: ids['bob'] },
    );
    expect(reset.resetUserPassword.user.mustChangePassword).toBe(true);
    secrets.push(reset.resetUserPassword.temporaryPassword);
    expect((await new ConsoleClient(pharos.url).login('bob', reset.resetUserPassword.temporaryPassword)).status).toBe(200);
    expect((await admin.ok<{ updateUser: { disabled: boolean } }>('mutation($u: String!) { updateUser(id: $u, patch: { disabled: true }) { disabled } }', { u: ids['bob'] })).updateUser.disabled).toBe(true);
  });

  it('creates a key whose secret is shown once and authenticates remote-write and queries', async () => {
    const alice = new GqlUser(new ConsoleClient(pharos.url));
    expect((await alice.client.login('alice', 'alice-own-password-1')).status).toBe(200);
    const expiresAt = Date.now() + 86_400_000;
    const { createApiKey } = await alice.ok<{ createApiKey: { secret: string; apiKey: { id: string; name: string; role: string; tenants: string[]; expiresAt: number } } }>(CREATE_KEY, {
      t: 'a',
      in: { name: 'prometheus-a', role: 'editor', expiresAt },
    });
    expect(createApiKey.secret).toMatch(/^phk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(createApiKey.apiKey).toMatchObject({ name: 'prometheus-a', role: 'editor', tenants: ['a'], expiresAt });
    secrets.push(createApiKey.secret);

    const now = Date.now();
    const written = await remoteWrite(pharos.url, [{ labels: { __name__: 'gql_admin_probe', via: 'graphql-key' }, samples: [{ value: 42, timestamp: now }] }], {
      headers: bearer(createApiKey.secret),
    });
    expect(written.status).toBe(204);
    let result: Array<{ value: [number, string] }> = [];
    for (let i = 0; i < 40 && result.length === 0; i++) {
      const res = await fetch(`${pharos.url}/api/v1/query?${new URLSearchParams({ query: 'gql_admin_probe', time: String(now / 1000) })}`, { headers: bearer(createApiKey.secret) });
      expect(res.status).toBe(200);
      result = ((await res.json()) as { data: { result: typeof result } }).data.result;
      if (result.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(result.map((r) => r.value[1])).toEqual(['42']);

    const listed = await alice.ok<{ apiKeys: Array<{ id: string; prefix: string }> }>('query { apiKeys(tenant: "a") { id prefix name role lastUsedAt expiresAt revokedAt } }');
    expect(listed.apiKeys.map((k) => k.id)).toContain(createApiKey.apiKey.id);
    expect(JSON.stringify(listed)).not.toContain(createApiKey.secret);

    const revoked = await alice.ok<{ revokeApiKey: { revokedAt: number | null } }>('mutation($k: String!) { revokeApiKey(tenant: "a", id: $k) { revokedAt } }', { k: createApiKey.apiKey.id });
    expect(revoked.revokeApiKey.revokedAt).toBeGreaterThan(0);
    const refused = await remoteWrite(pharos.url, [{ labels: { __name__: 'gql_admin_probe' }, samples: [{ value: 1, timestamp: Date.now() }] }], { headers: bearer(createApiKey.secret) });
    expect(refused.status).toBe(401);
  });

  it('keeps secrets out of the logs', () => {
    expect(secrets.length).toBeGreaterThanOrEqual(5);
    const output = pharos.output();
    for (const secret of secrets) expect(output.includes(secret), 'a secret reached the log').toBe(false);
  });
});
