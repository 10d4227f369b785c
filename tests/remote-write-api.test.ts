import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startPharos, tempDir, type PharosProcess } from './support/pharos-process.js';
import { getSeries, remoteWrite, waitForSeries } from './support/remote-write-client.js';

const now = () => Date.now();
const series = (name: string, extra: Record<string, string> = {}, value = 1) => ({
  labels: { __name__: name, job: 'test', ...extra },
  samples: [{ timestamp: now(), value }],
});

describe('remote_write and the series API through the built pharos binary', () => {
  let pharos: PharosProcess;
  beforeAll(async () => {
    const dir = tempDir('rw');
    const configFile = join(dir, 'pharos.yaml');
    writeFileSync(configFile, 'limits:\n  tenants:\n    small:\n      max_request_size: 200\n      max_active_series: 2\n    slow:\n      ingestion_rate: 10\n');
    pharos = await startPharos({ dataDir: join(dir, 'data'), args: ['--config', configFile] });
  });
  afterAll(async () => {
    const code = await pharos?.stop();
    expect(code).toBe(0);
    removeDir(join(pharos.dataDir, '..'));
  });

  it('answers health, readiness and its own metrics', async () => {
    expect((await fetch(`${pharos.url}/-/healthy`)).status).toBe(200);
    expect((await fetch(`${pharos.url}/-/ready`)).status).toBe(200);
    const metrics = await (await fetch(`${pharos.url}/metrics`)).text();
    expect(metrics).toContain('pharos_build_info{');
    expect(metrics).toContain('pharos_http_request_duration_seconds_bucket');
  });

  it('stores a 1.0 write and makes it readable within 2 s (freshness)', async () => {
    const res = await remoteWrite(pharos.url, [series('rw_v1_total', { instance: 'a' }), series('rw_v1_total', { instance: 'b' })]);
    expect(res.status).toBe(204);
    const found = await waitForSeries(pharos.url, 'rw_v1_total', (s) => s.length === 2, { timeoutMs: 2000 });
    expect(found.map((s) => s.instance).sort()).toEqual(['a', 'b']);
  });

  it('stores a 2.0 write and reports what was written in the response headers', async () => {
    const res = await remoteWrite(pharos.url, [series('rw_v2', { instance: 'a' }), series('rw_v2', { instance: 'b' })], { version: '2.0' });
    expect(res.status).toBe(204);
    expect(res.headers.get('x-prometheus-remote-write-samples-written')).toBe('2');
    expect(res.headers.get('x-prometheus-remote-write-histograms-written')).toBe('0');
    expect((await waitForSeries(pharos.url, 'rw_v2', (s) => s.length === 2)).length).toBe(2);
  });

  it('keeps tenants apart', async () => {
    expect((await remoteWrite(pharos.url, [series('tenant_only_a')], { headers: { 'x-scope-orgid': 'team-a' } })).status).toBe(204);
    expect((await waitForSeries(pharos.url, 'tenant_only_a', (s) => s.length === 1, { tenant: 'team-a' })).length).toBe(1);
    expect(await getSeries(pharos.url, 'tenant_only_a', 'team-b')).toEqual([]);
    expect(await getSeries(pharos.url, 'tenant_only_a')).toEqual([]);
    const labels = await (await fetch(`${pharos.url}/api/v1/label/__name__/values`, { headers: { 'x-scope-orgid': 'team-b' } })).json();
    expect(labels).toEqual({ status: 'success', data: [] });
  });

  it('writes the good series of a partly bad request and says what it refused', async () => {
    const res = await remoteWrite(pharos.url, [
      series('partly_good', { instance: 'ok' }),
      { labels: ['__name__', 'partly_good', 'dup', 'a', 'dup', 'b'], samples: [{ timestamp: now(), value: 1 }] },
      { labels: { job: 'no-name' }, samples: [{ timestamp: now(), value: 1 }] },
      { labels: { __name__: 'partly_good', instance: 'old' }, samples: [{ timestamp: now() - 400 * 86_400_000, value: 1 }] },
    ]);
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toMatch(/rejected/);
    expect(text).toMatch(/duplicate/);
    expect(text).toMatch(/__name__/);
    const found = await waitForSeries(pharos.url, 'partly_good', (s) => s.length >= 1);
    expect(found.map((s) => s.instance)).toEqual(['ok']);
    const metrics = await (await fetch(`${pharos.url}/metrics`)).text();
    expect(metrics).toMatch(/pharos_ingest_rejected_samples_total\{[^}]*reason="too_old"[^}]*\} 1/);
  });

  it('answers malformed bodies and wrong content types with a 4xx naming the problem', async () => {
    const garbageSnappy = await remoteWrite(pharos.url, [], { wireBody: Buffer.from('definitely not snappy') });
    expect(garbageSnappy.status).toBe(400);
    expect(await garbageSnappy.text()).toMatch(/snappy/i);

    const garbageProto = await remoteWrite(pharos.url, [], { protobuf: Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]) });
    expect(garbageProto.status).toBe(400);

    const wrongType = await fetch(`${pharos.url}/api/v1/write`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'up 1' });
    expect(wrongType.status).toBe(415);

    const unknownProto = await remoteWrite(pharos.url, [series('x')], { headers: { 'content-type': 'application/x-protobuf;proto=foo.Bar' } });
    expect(unknownProto.status).toBe(415);
  });

  it('enforces per-tenant limits: request size (413), active series and rate (429)', async () => {
    const incompressible = randomBytes(300).toString('base64');
    const big = [series('big', { pad: incompressible })];
    expect((await remoteWrite(pharos.url, big, { headers: { 'x-scope-orgid': 'small' } })).status).toBe(413);

    const three = [series('s', { i: '1' }), series('s', { i: '2' }), series('s', { i: '3' })];
    const limited = await remoteWrite(pharos.url, three, { headers: { 'x-scope-orgid': 'small' } });
    expect(limited.status).toBe(400);
    expect(await limited.text()).toMatch(/max_active_series/);

    const slow = Array.from({ length: 50 }, (_, i) => series('r', { i: String(i) }));
    const first = await remoteWrite(pharos.url, slow.slice(0, 10), { headers: { 'x-scope-orgid': 'slow' } });
    expect(first.status).toBe(204);
    const second = await remoteWrite(pharos.url, slow.slice(10), { headers: { 'x-scope-orgid': 'slow' } });
    expect(second.status).toBe(429);
    expect(await second.text()).toMatch(/rate limit/);
  });

  it('answers bad series API parameters in the Prometheus error format', async () => {
    const noMatch = await fetch(`${pharos.url}/api/v1/series`);
    expect(noMatch.status).toBe(400);
    expect(await noMatch.json()).toEqual({ status: 'error', errorType: 'bad_data', error: 'no match[] parameter provided' });
    const badTime = await fetch(`${pharos.url}/api/v1/series?match[]=up&start=yesterday`);
    expect(await badTime.json()).toMatchObject({ errorType: 'bad_data', error: expect.stringMatching(/invalid parameter "start"/) });
    const badSelector = await fetch(`${pharos.url}/api/v1/series?match[]=${encodeURIComponent('up{')}`);
    expect(badSelector.status).toBe(400);
    const post = await fetch(`${pharos.url}/api/v1/series`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams([['match[]', 'rw_v1_total'], ['match[]', 'rw_v2']]).toString(),
    });
    expect(((await post.json()) as { data: unknown[] }).data).toHaveLength(4);
  });
});

describe('authentication', () => {
  let pharos: PharosProcess;
  beforeAll(async () => {
    const dir = tempDir('auth');
    const configFile = join(dir, 'pharos.yaml');
    writeFileSync(
      configFile,
      'auth:\n  enabled: true\n  keys:\n    - name: team-a-writer\n      tenants: [team-a]\n      token: team-a-secret-token-123\n',
    );
    pharos = await startPharos({ dataDir: join(dir, 'data'), args: ['--config', configFile] });
  });
  afterAll(async () => {
    await pharos?.stop();
    removeDir(join(pharos.dataDir, '..'));
  });

  it('refuses requests without a valid key and takes the tenant from the key', async () => {
    expect((await remoteWrite(pharos.url, [series('authed')])).status).toBe(401);
    expect((await remoteWrite(pharos.url, [series('authed')], { headers: { authorization: 'Bearer wrong-token-xxxxxxxx' } })).status).toBe(401);
    const forbidden = await remoteWrite(pharos.url, [series('authed')], {
      headers: { authorization: 'Bearer team-a-secret-token-123', 'x-scope-orgid': 'team-b' },
    });
    expect(forbidden.status).toBe(403);
    const basic = 'Basic ' + Buffer.from('prometheus:team-a-secret-token-123').toString('base64');
    expect((await remoteWrite(pharos.url, [series('authed')], { headers: { authorization: basic } })).status).toBe(204);
    const res = await fetch(`${pharos.url}/api/v1/series?match[]=authed`);
    expect(res.status).toBe(401);
    const deadline = Date.now() + 2000;
    let data: unknown[] = [];
    while (Date.now() < deadline && data.length === 0) {
      const ok = await fetch(`${pharos.url}/api/v1/series?match[]=authed`, { headers: { authorization: 'Bearer team-a-secret-token-123' } });
      data = ((await ok.json()) as { data: unknown[] }).data;
    }
    expect(data).toHaveLength(1);
  });
});
