import { Client, Metadata, credentials, type ServiceError } from '@grpc/grpc-js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeExportRequest } from '#pharos/otlp';
import { ConsoleClient, basic, bearer, printedAdminPassword } from './support/auth-client.js';
import { freePort, removeDir, startPharos, tempDir, type PharosProcess } from './support/pharos-process.js';
import { remoteWrite } from './support/remote-write-client.js';

// Identity wired through the built `pharos` binary with auth on: first-start admin, login,
// CSRF, lockout, keys and members per tenant, and isolation at every door (remote_write, OTLP
// on the main port, the OTLP HTTP and gRPC ports, InfluxDB writes, query, series, labels).

const YAML_TOKEN = 'yaml-token-0123456789';

interface IssuedKey {
  readonly id: string;
  readonly key: string;
}

describe('auth on: identity and tenant isolation through a real pharos process', () => {
  const dir = tempDir('auth');
  let pharos: PharosProcess;
  let otlpHttpPort: number;
  let grpcPort: number;
  let admin: ConsoleClient;
  let adminPassword: string;
  const keys: Record<'aWriter' | 'aReader' | 'bWriter', IssuedKey> = {} as never;

  beforeAll(async () => {
    otlpHttpPort = await freePort();
    grpcPort = await freePort();
    const config = join(dir, 'pharos.yaml');
    writeFileSync(
      config,
      [
        'auth:',
        '  enabled: true',
        '  login_max_failures: 3',
        '  lockout_threshold: 3',
        '  lockout_duration: 1m',
        '  keys:',
        '    - name: ops',
        '      tenants: [c]',
        `      token: ${YAML_TOKEN}`,
      ].join('\n') + '\n',
    );
    pharos = await startPharos({
      dataDir: join(dir, 'data'),
      args: ['--config', config],
      env: { PHAROS_OTLP_HTTP_PORT: String(otlpHttpPort), PHAROS_OTLP_GRPC_PORT: String(grpcPort) },
    });
    admin = new ConsoleClient(pharos.url);
  });

  afterAll(async () => {
    await pharos?.stop();
    removeDir(dir);
  });

  it('prints a generated admin password once and demands a change at the first login', async () => {
    const printed = printedAdminPassword(pharos.output());
    expect(printed).toMatch(/^[A-Za-z0-9]{24}$/);
    // Not in the structured log.
    expect(pharos.output().split('\n').filter((l) => l.startsWith('{') && l.includes(printed!))).toEqual([]);
    const res = await admin.login('admin', printed!);
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^pharos_session=phs_[A-Za-z0-9_-]{43}; /);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(await res.json()).toMatchObject({ mustChangePassword: true, user: { login: 'admin', serverAdmin: true } });

    // Until the password changes, the account can do nothing else.
    expect((await admin.request('GET', '/api/v1/labels')).status).toBe(403);
    expect((await admin.request('POST', '/api/tenants', { body: { id: 'early' } })).status).toBe(403);
    // A cookie-authenticated change without the CSRF token is refused.
    const noCsrf = await admin.request('POST', '/api/password', { body: { currentPassword: printed, newPassword: 'admin-password-2026' }, csrf: false });
    expect(noCsrf.status).toBe(403);
    expect(await noCsrf.text()).toMatch(/CSRF/);
    const weak = await admin.request('POST', '/api/password', { body: { currentPassword: printed, newPassword: 'short' } });
    expect(weak.status).toBe(400);
    expect((await admin.request('POST', '/api/password', { body: { currentPassword: printed, newPassword: 'admin-password-2026' } })).status).toBe(204);
    adminPassword = 'admin-password-2026';
    expect(await admin.json('GET', '/api/session')).toMatchObject({ kind: 'user', login: 'admin', mustChangePassword: false, tenants: [{ id: 'default', role: 'admin' }] });
  });

  it('lets the server admin create tenants, keys (shown once) and members', async () => {
    for (const id of ['a', 'b']) expect(await admin.json('POST', '/api/tenants', { id, name: `Team ${id}` }, 201)).toMatchObject({ id, disabled: false });
    expect((await admin.request('POST', '/api/tenants', { body: { id: 'a' } })).status).toBe(409);
    const issue = async (tenant: string, name: string, role: string): Promise<IssuedKey> => {
      const body = await admin.json<{ id: string; key: string }>('POST', `/api/tenants/${tenant}/keys`, { name, role }, 201);
      expect(body.key).toMatch(/^phk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
      return { id: body.id, key: body.key };
    };
    keys.aWriter = await issue('a', 'prometheus-a', 'editor');
    keys.aReader = await issue('a', 'grafana-a', 'viewer');
    keys.bWriter = await issue('b', 'prometheus-b', 'editor');
    const listed = await admin.json<Record<string, unknown>[]>('GET', '/api/tenants/a/keys');
    expect(listed.map((k) => k['name']).sort()).toEqual(['grafana-a', 'prometheus-a']);
    expect(JSON.stringify(listed)).not.toMatch(/phk_|secretHash/);
    const vera = await admin.json<{ id: string; temporaryPassword?: string }>('POST', '/api/tenants/a/users', { login: 'vera', role: 'viewer', password: 'vera-temporary-pw' }, 201);
    expect(vera.temporaryPassword).toBeUndefined();
    const lou = await admin.json<{ temporaryPassword: string }>('POST', '/api/tenants/b/users', { login: 'lou', role: 'editor' }, 201);
    expect(lou.temporaryPassword).toMatch(/^[A-Za-z0-9]{24}$/);
    expect((await admin.json<Array<{ login: string; role: string }>>('GET', '/api/tenants/a/users')).map((u) => [u.login, u.role])).toEqual([['vera', 'viewer']]);
  });

  it('refuses every door without a credential', async () => {
    const sample = [{ labels: { __name__: 'auth_probe' }, samples: [{ value: 1, timestamp: Date.now() }] }];
    expect((await remoteWrite(pharos.url, sample)).status).toBe(401);
    expect((await remoteWrite(pharos.url, sample, { headers: bearer(`phk_000000000000_${'x'.repeat(43)}`) })).status).toBe(401);
    expect((await fetch(`${pharos.url}/otlp/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${otlpHttpPort}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
    expect((await grpcExport(new Metadata()))?.code).toBe(16);
    expect((await fetch(`${pharos.url}/api/v2/write?bucket=x`, { method: 'POST', body: 'm v=1' })).status).toBe(401);
    for (const path of ['/api/v1/query?query=up', '/api/v1/series?match[]=up', '/api/v1/labels', '/api/v1/label/__name__/values', '/api/tenants', '/api/session']) {
      const res = await fetch(pharos.url + path);
      expect(res.status, path).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="pharos"');
    }
    // Health, readiness and the login stay open.
    expect((await fetch(`${pharos.url}/-/ready`)).status).toBe(200);
  });

  it('writes into the key’s tenant only, at every door; viewers and other tenants are refused', async () => {
    const now = Date.now();
    const probe = (src: string) => [{ labels: { __name__: 'auth_probe', src }, samples: [{ value: 1, timestamp: now }] }];
    expect((await remoteWrite(pharos.url, probe('a'), { headers: bearer(keys.aWriter.key) })).status).toBe(204);
    // Prometheus' basic_auth: the password is the key, the user name is ignored.
    expect((await remoteWrite(pharos.url, probe('b'), { headers: basic(keys.bWriter.key) })).status).toBe(204);
    expect((await remoteWrite(pharos.url, probe('c'), { headers: bearer(YAML_TOKEN) })).status).toBe(204);
    const viewer = await remoteWrite(pharos.url, probe('viewer'), { headers: bearer(keys.aReader.key) });
    expect(viewer.status).toBe(403);
    expect(await viewer.text()).toMatch(/metrics:write .* needs the editor role/);
    expect((await remoteWrite(pharos.url, probe('cross'), { headers: { ...bearer(keys.aWriter.key), 'x-scope-orgid': 'b' } })).status).toBe(403);

    const otlp = (name: string) =>
      JSON.stringify({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name, gauge: { dataPoints: [{ timeUnixNano: `${BigInt(now) * 1_000_000n}`, asDouble: 2 }] } }] }] }] });
    const postOtlp = (url: string, name: string, headers: Record<string, string>) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: otlp(name) });
    expect((await postOtlp(`${pharos.url}/otlp/v1/metrics`, 'auth_otlp_main', bearer(keys.aWriter.key))).status).toBe(200);
    expect((await postOtlp(`${pharos.url}/otlp/v1/metrics`, 'auth_otlp_viewer', bearer(keys.aReader.key))).status).toBe(403);
    // The dedicated OTLP/HTTP port: YAML keys, and store keys verified within the cache TTL.
    expect((await postOtlp(`http://127.0.0.1:${otlpHttpPort}/v1/metrics`, 'auth_otlp_port', bearer(keys.aWriter.key))).status).toBe(200);
    expect((await postOtlp(`http://127.0.0.1:${otlpHttpPort}/v1/metrics`, 'auth_otlp_port', bearer(YAML_TOKEN))).status).toBe(200);
    expect((await postOtlp(`http://127.0.0.1:${otlpHttpPort}/v1/metrics`, 'auth_otlp_viewer', bearer(keys.aReader.key))).status).toBe(403);
    const md = new Metadata();
    md.set('authorization', `Bearer ${keys.bWriter.key}`);
    expect(await grpcExport(md, 'auth_otlp_grpc')).toBeNull();
    const viewerMd = new Metadata();
    viewerMd.set('authorization', `Bearer ${keys.aReader.key}`);
    expect((await grpcExport(viewerMd))?.code).toBe(7);

    const influx = await fetch(`${pharos.url}/api/v2/write?bucket=x&precision=ms`, { method: 'POST', headers: { authorization: `Token ${keys.aWriter.key}` }, body: `auth_influx v=3 ${now}` });
    expect(influx.status).toBe(204);
    const influxViewer = await fetch(`${pharos.url}/write?db=x&p=${keys.aReader.key}`, { method: 'POST', body: `auth_influx v=3 ${now}` });
    expect(influxViewer.status).toBe(403);
  });

  it('reads only the credential’s tenant through query, series and labels', async () => {
    const seriesOf = async (headers: Record<string, string>, expected: number): Promise<Record<string, string>[]> => {
      const deadline = Date.now() + 5000;
      for (;;) {
        const res = await fetch(`${pharos.url}/api/v1/series?${new URLSearchParams({ 'match[]': '{__name__=~"auth_.*"}' })}`, { headers });
        expect(res.status).toBe(200);
        const data = ((await res.json()) as { data: Record<string, string>[] }).data;
        if (data.length >= expected || Date.now() > deadline) return data;
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const inA = await seriesOf(bearer(keys.aReader.key), 4);
    expect(inA.map((s) => s['__name__'] + (s['src'] ? `:${s['src']}` : '')).sort()).toEqual(['auth_influx_v', 'auth_otlp_main', 'auth_otlp_port', 'auth_probe:a']);
    const inB = await seriesOf(bearer(keys.bWriter.key), 2);
    expect(inB.map((s) => s['__name__'] + (s['src'] ? `:${s['src']}` : '')).sort()).toEqual(['auth_otlp_grpc', 'auth_probe:b']);
    const inC = await seriesOf(bearer(YAML_TOKEN), 2);
    expect(inC.map((s) => s['__name__'] + (s['src'] ? `:${s['src']}` : '')).sort()).toEqual(['auth_otlp_port', 'auth_probe:c']);

    const query = await fetch(`${pharos.url}/api/v1/query?query=${encodeURIComponent('count(auth_probe)')}`, { headers: bearer(keys.aReader.key) });
    expect(((await query.json()) as { data: { result: Array<{ value: [number, string] }> } }).data.result[0]!.value[1]).toBe('1');
    const labels = await fetch(`${pharos.url}/api/v1/label/src/values`, { headers: bearer(keys.bWriter.key) });
    expect(((await labels.json()) as { data: string[] }).data).toEqual(['b']);
    // Naming another tenant is refused, not answered empty.
    for (const path of ['/api/v1/series?match[]=auth_probe', '/api/v1/query?query=auth_probe', '/api/v1/labels']) {
      expect((await fetch(pharos.url + path, { headers: { ...bearer(keys.aReader.key), 'x-scope-orgid': 'b' } })).status, path).toBe(403);
    }
    // The server admin manages tenant b but reads its data only through a membership.
    expect((await admin.request('GET', '/api/v1/labels', { headers: { 'x-scope-orgid': 'b' } })).status).toBe(403);
  });

  it('gives a viewer user read access to their tenant only', async () => {
    const vera = new ConsoleClient(pharos.url);
    expect((await vera.login('vera', 'vera-temporary-pw')).status).toBe(200);
    expect((await vera.request('POST', '/api/password', { body: { currentPassword: 'vera-temporary-pw', newPassword: 'vera-chosen-password' } })).status).toBe(204);
    const series = await vera.request('GET', `/api/v1/series?${new URLSearchParams({ 'match[]': 'auth_probe' })}`);
    expect(series.status).toBe(200);
    expect(((await series.json()) as { data: Array<Record<string, string>> }).data).toEqual([{ __name__: 'auth_probe', src: 'a' }]);
    expect((await vera.request('GET', '/api/v1/labels', { headers: { 'x-scope-orgid': 'b' } })).status).toBe(403);
    const write = await vera.request('POST', '/api/v1/write', { headers: { 'content-type': 'application/x-protobuf' } });
    expect(write.status).toBe(403);
    expect((await vera.request('GET', '/api/tenants/a/keys')).status).toBe(403);
    expect((await vera.request('POST', '/api/tenants/a/keys', { body: { name: 'mine', role: 'viewer' } })).status).toBe(403);
    expect((await vera.request('PUT', '/api/tenants/a/settings', { body: { limits: { ingestion_rate: 1 } } })).status).toBe(403);
    expect((await vera.request('POST', '/api/tenants', { body: { id: 'mine' } })).status).toBe(403);
    expect(await vera.json('GET', '/api/tenants')).toEqual([expect.objectContaining({ id: 'a', role: 'viewer' })]);
    // Sessions: listed, and logout ends this one.
    const sessions = await vera.json<Array<{ current: boolean }>>('GET', '/api/sessions');
    expect(sessions.filter((s) => s.current)).toHaveLength(1);
    expect((await vera.request('POST', '/api/logout')).status).toBe(204);
    expect((await vera.request('GET', '/api/v1/labels')).status).toBe(401);
  });

  it('revokes keys at once and never shows another tenant’s key', async () => {
    expect((await admin.request('DELETE', `/api/tenants/b/keys/${keys.aReader.id}`)).status).toBe(404);
    expect((await fetch(`${pharos.url}/api/v1/labels`, { headers: bearer(keys.aReader.key) })).status).toBe(200);
    const revoked = await admin.json<{ revokedAt: number }>('DELETE', `/api/tenants/a/keys/${keys.aReader.id}`);
    expect(revoked.revokedAt).toBeGreaterThan(0);
    const after = await fetch(`${pharos.url}/api/v1/labels`, { headers: bearer(keys.aReader.key) });
    expect(after.status).toBe(401);
    expect(await after.text()).toMatch(/revoked/);
  });

  it('throttles failed logins and locks the account, answering 429 with Retry-After', async () => {
    const guesser = new ConsoleClient(pharos.url);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await guesser.login('lou', `wrong-guess-${i}`)).status);
    expect(statuses.slice(0, 2)).toEqual([401, 401]);
    expect(statuses[2]).toBe(429);
    const locked = await guesser.login('lou', 'wrong-again');
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Unknown logins get the same answer as wrong passwords.
    const unknown = await guesser.login('nobody-here', 'whatever-password');
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toEqual({ error: 'invalid login or password' });
    const lou = (await admin.json<Array<{ login: string; lockedUntil: number | null }>>('GET', '/api/tenants/b/users')).find((u) => u.login === 'lou');
    expect(lou?.lockedUntil).toBeGreaterThan(Date.now());
    // CSRF holds for every state-changing door a cookie reaches.
    expect((await admin.request('POST', '/api/tenants', { body: { id: 'csrf' }, csrf: false })).status).toBe(403);
  });

  it('applies per-tenant limits edited at run time to the running limiters', async () => {
    const write = () =>
      remoteWrite(pharos.url, [{ labels: { __name__: 'auth_rate', n: '1' }, samples: [{ value: 1, timestamp: Date.now() }, { value: 2, timestamp: Date.now() + 1 }] }], {
        headers: bearer(keys.bWriter.key),
      });
    expect((await write()).status).toBe(204);
    expect((await write()).status).toBe(204);
    const bad = await admin.request('PUT', '/api/tenants/b/settings', { body: { limits: { ingestion_rate: 1, max_series: 2 } } });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/max_series: unknown key/);
    const saved = await admin.json<{ version: number; effective: { ingestionRate: number; retentionMs: number } }>('PUT', '/api/tenants/b/settings', {
      limits: { ingestion_rate: 1, ingestion_burst: 1 },
      retention: 2 * 86_400_000,
      version: 0,
    });
    expect(saved).toMatchObject({ version: 1, effective: { ingestionRate: 1, retentionMs: 2 * 86_400_000 } });
    expect((await admin.request('PUT', '/api/tenants/b/settings', { body: { limits: {}, version: 0 } })).status).toBe(409);
    const statuses = [(await write()).status, (await write()).status];
    expect(statuses).toContain(429);
    // Tenant a is untouched.
    expect((await remoteWrite(pharos.url, [{ labels: { __name__: 'auth_rate' }, samples: [{ value: 1, timestamp: Date.now() }] }], { headers: bearer(keys.aWriter.key) })).status).toBe(204);
    expect((await admin.request('DELETE', '/api/tenants/b/settings')).status).toBe(204);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await write()).status).toBe(204);
  });

  it('lets server admins manage accounts and disable tenants, closing their doors at once', async () => {
    const users = await admin.json<Array<{ id: string; login: string; tenants: Array<{ id: string; role: string }> }>>('GET', '/api/users');
    expect(users.map((u) => u.login).sort()).toEqual(['admin', 'lou', 'vera']);
    const vera = users.find((u) => u.login === 'vera')!;
    expect(vera.tenants).toEqual([{ id: 'a', role: 'viewer' }]);
    const self = users.find((u) => u.login === 'admin')!;
    expect((await admin.request('PATCH', `/api/users/${self.id}`, { body: { disabled: true } })).status).toBe(400);
    expect(await admin.json('POST', `/api/users/${vera.id}/password-reset`, { temporaryPassword: 'vera-reset-password' })).toMatchObject({ mustChangePassword: true });
    const veraAgain = new ConsoleClient(pharos.url);
    expect((await veraAgain.login('vera', 'vera-chosen-password')).status).toBe(401);
    expect((await veraAgain.login('vera', 'vera-reset-password')).status).toBe(200);
    expect((await veraAgain.request('GET', '/api/v1/labels')).status).toBe(403);
    expect(await admin.json('PATCH', `/api/users/${vera.id}`, { disabled: true })).toMatchObject({ disabled: true });
    expect((await veraAgain.request('GET', '/api/session')).status).toBe(401);

    expect((await fetch(`${pharos.url}/api/v1/labels`, { headers: bearer(keys.bWriter.key) })).status).toBe(200);
    expect(await admin.json('PATCH', '/api/tenants/b', { disabled: true })).toMatchObject({ id: 'b', disabled: true });
    const closed = await fetch(`${pharos.url}/api/v1/labels`, { headers: bearer(keys.bWriter.key) });
    expect(closed.status).toBe(401);
    expect(await closed.text()).toMatch(/disabled/);
    await admin.json('PATCH', '/api/tenants/b', { disabled: false });
    expect((await fetch(`${pharos.url}/api/v1/labels`, { headers: bearer(keys.bWriter.key) })).status).toBe(200);
    // Only server admins see every tenant.
    expect((await admin.json<Array<{ id: string }>>('GET', '/api/tenants')).map((t) => t.id).sort()).toEqual(['a', 'b', 'default']);
  });

  it('does not print the password again on a later start', async () => {
    await pharos.stop();
    pharos = await startPharos({ dataDir: pharos.dataDir, args: ['--config', join(dir, 'pharos.yaml')], env: { PHAROS_OTLP_HTTP_PORT: '-1', PHAROS_OTLP_GRPC_PORT: '-1' } });
    expect(printedAdminPassword(pharos.output())).toBeUndefined();
    const again = new ConsoleClient(pharos.url);
    expect((await again.login('admin', adminPassword)).status).toBe(200);
    // Keys survive the restart; the revoked one stays revoked.
    expect((await fetch(`${pharos.url}/api/v1/labels`, { headers: bearer(keys.aWriter.key) })).status).toBe(200);
    expect((await fetch(`${pharos.url}/api/v1/labels`, { headers: bearer(keys.aReader.key) })).status).toBe(401);
  });

  function grpcExport(metadata: Metadata, name = 'auth_grpc_refused'): Promise<ServiceError | null> {
    const client = new Client(`127.0.0.1:${grpcPort}`, credentials.createInsecure());
    const now = `${BigInt(Date.now()) * 1_000_000n}`;
    const body = encodeExportRequest({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name, gauge: { dataPoints: [{ timeUnixNano: now, asDouble: 1 }] } }] }] }] });
    return new Promise<ServiceError | null>((resolve) =>
      client.makeUnaryRequest('/opentelemetry.proto.collector.metrics.v1.MetricsService/Export', (b: Buffer) => b, (b: Buffer) => b, body, metadata, (err) => {
        client.close();
        resolve(err);
      }),
    );
  }
});
