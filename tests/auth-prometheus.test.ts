import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bearer } from './support/auth-client.js';
import { removeDir, startPharos, tempDir, type PharosProcess } from './support/pharos-process.js';
import { startPrometheus, type PrometheusProcess } from './support/prometheus-process.js';

/**
 * Real Prometheus (Debian's 2.42) remote-writes into Pharos with auth on, authenticating with
 * Pharos API keys the way its configuration offers: `authorization` (bearer) for tenant a,
 * `basic_auth` (the key as password) for tenant b, and a viewer key that must be refused.
 * The admin uses the bearer-token login an API client would.
 */
describe('Prometheus remote_write with Pharos API keys', () => {
  const dir = tempDir('auth-prom');
  let pharos: PharosProcess | undefined;
  let prometheus: PrometheusProcess | undefined;
  afterAll(async () => {
    await prometheus?.stop();
    await pharos?.stop();
    removeDir(dir);
  });

  it('lands each remote_write in its key’s tenant and refuses the viewer key', async () => {
    pharos = await startPharos({
      dataDir: join(dir, 'pharos'),
      env: { PHAROS_AUTH_ENABLED: 'true', PHAROS_ADMIN_PASSWORD: 'initial-admin-password', PHAROS_OTLP_HTTP_PORT: '-1', PHAROS_OTLP_GRPC_PORT: '-1' },
    });
    const url = pharos.url;
    // The password from the environment is not printed.
    expect(pharos.output()).not.toMatch(/initial-admin-password/);
    const call = async <T>(method: string, path: string, token: string, body?: unknown, expectStatus = 200): Promise<T> => {
      const res = await fetch(url + path, {
        method,
        headers: { ...bearer(token), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      expect(res.status, `${method} ${path}: ${text}`).toBe(expectStatus);
      return (text === '' ? undefined : JSON.parse(text)) as T;
    };
    const login = await fetch(`${url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'admin', password: 'initial-admin-password', bearer: true }),
    });
    expect(login.status).toBe(200);
    expect(login.headers.get('set-cookie')).toBeNull();
    const { token, mustChangePassword } = (await login.json()) as { token: string; mustChangePassword: boolean };
    expect(mustChangePassword).toBe(true);
    // A bearer session needs no CSRF token: browsers never add the header by themselves.
    await call('POST', '/api/password', token, { currentPassword: 'initial-admin-password', newPassword: 'changed-admin-password' }, 204);
    for (const id of ['a', 'b']) await call('POST', '/api/tenants', token, { id }, 201);
    const keyFor = async (tenant: string, role: string) => (await call<{ key: string }>('POST', `/api/tenants/${tenant}/keys`, token, { name: `prom-${tenant}-${role}`, role }, 201)).key;
    const aKey = await keyFor('a', 'editor');
    const bKey = await keyFor('b', 'editor');
    const viewerKey = await keyFor('a', 'viewer');

    const pharosPort = pharos.port;
    const write = (via: string, auth: string) => `
  - url: http://127.0.0.1:${pharosPort}/api/v1/write
    ${auth}
    queue_config: { batch_send_deadline: 500ms, min_backoff: 50ms, max_backoff: 200ms }
    write_relabel_configs:
      - { target_label: via, replacement: ${via} }`;
    prometheus = await startPrometheus(
      (selfPort) => `
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: prometheus
    static_configs: [{ targets: ['127.0.0.1:${selfPort}'] }]
remote_write:${write('bearer', `authorization: { credentials: '${aKey}' }`)}${write('basic', `basic_auth: { username: prometheus, password: '${bKey}' }`)}${write('viewer', `authorization: { credentials: '${viewerKey}' }`)}
`,
    );

    const viaValues = async (key: string): Promise<string[]> => (await call<{ data: string[] }>('GET', '/api/v1/label/via/values', key)).data;
    const deadline = Date.now() + 60_000;
    while ((await viaValues(aKey)).length === 0 || (await viaValues(bKey)).length === 0) {
      if (Date.now() > deadline) throw new Error(`no remote-written data arrived:\n${prometheus.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    // Let the refused viewer queue try a few more times before looking.
    await new Promise((r) => setTimeout(r, 2000));
    expect(await viaValues(aKey)).toEqual(['bearer']);
    expect(await viaValues(bKey)).toEqual(['basic']);
    const up = await call<{ data: { result: Array<{ metric: Record<string, string> }> } }>('GET', `/api/v1/query?query=${encodeURIComponent('up{job="prometheus"}')}`, bKey);
    expect(up.data.result.map((r) => r.metric['via'])).toEqual(['basic']);
    // Prometheus drops data on a 4xx answer and says why.
    expect(prometheus.output()).toMatch(/403|Forbidden/);
  });
});
