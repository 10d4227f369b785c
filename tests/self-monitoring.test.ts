import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDashboardModel, type DashboardModel } from '#pharos/dashboard-model';
import { gql } from './support/graphql-client.js';
import { removeDir, startPharos, tempDir, type PharosProcess } from './support/pharos-process.js';

/**
 * Self-monitoring and dashboard provisioning in the built `pharos` binary: the process writes
 * its own metrics into the configured tenant through the stream (nowhere else), the built-in
 * "Pharos overview" dashboard is there, and every query of it evaluates over those metrics.
 */

const TENANT = 'ops';

interface PromAnswer {
  status: string;
  data: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
  error?: string;
}

async function api<T>(url: string, path: string, tenant: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url + path, { headers: { 'x-scope-orgid': tenant } });
  return { status: res.status, body: (await res.json()) as T };
}

const instant = (url: string, query: string, tenant = TENANT) => api<PromAnswer>(url, `/api/v1/query?${new URLSearchParams({ query })}`, tenant);

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A target's expression with the dashboard's variables as "All" would give them. */
function substitute(expr: string, model: DashboardModel): string {
  let out = expr;
  for (const v of model.variables) out = out.replaceAll(`$${v.name}`, v.allValue ?? '.*');
  return out;
}

describe('self-monitoring of the pharos binary', () => {
  const dir = tempDir('self-monitoring');
  const provisioned = join(dir, 'dashboards');
  let pharos: PharosProcess;

  beforeAll(async () => {
    mkdirSync(provisioned);
    writeFileSync(
      join(provisioned, 'team.json'),
      JSON.stringify({ title: 'Team board', uid: 'team-board', tenant: 'team', tags: ['team'], model: { panels: [{ id: 1, type: 'stat', targets: [{ expr: 'up' }] }] } }),
    );
    writeFileSync(join(provisioned, 'broken.json'), '{"title": "half a file"');
    const configFile = join(dir, 'pharos.yaml');
    writeFileSync(configFile, `self_monitoring:\n  tenant: ${TENANT}\n  interval: 1s\ndashboards:\n  provisioning:\n    path: ${provisioned}\n`);
    pharos = await startPharos({ dataDir: join(dir, 'data'), args: ['--config', configFile], env: { PHAROS_SELF_MONITORING: 'true' } });
  });

  afterAll(async () => {
    await pharos?.stop();
    removeDir(dir);
  });

  it('stores its own counters in the configured tenant, queryable with rate() after a few intervals', async () => {
    const query = 'rate(pharos_ingest_samples_total{job="pharos",protocol="self_monitoring"}[1m])';
    const answer = await eventually('a self-monitoring rate', async () => {
      const r = await instant(pharos.url, query);
      return r.body.status === 'success' && r.body.data.result.length > 0 ? r.body : undefined;
    });
    const series = answer.data.result[0]!;
    expect(series.metric).toMatchObject({ job: 'pharos', protocol: 'self_monitoring', tenant: TENANT });
    expect(series.metric['instance']).toMatch(new RegExp(`:${pharos.port}$`));
    expect(Number(series.value[1])).toBeGreaterThan(0);
    // The counter itself grows by the few hundred samples of every write.
    const total = await instant(pharos.url, 'pharos_ingest_samples_total{job="pharos",protocol="self_monitoring"}');
    expect(Number(total.body.data.result[0]?.value[1])).toBeGreaterThan(100);
    // The same writes are counted at /metrics like any intake's.
    expect(await (await fetch(`${pharos.url}/metrics`)).text()).toMatch(new RegExp(`pharos_ingest_samples_total\\{tenant="${TENANT}",protocol="self_monitoring"\\} \\d+`));
  });

  it('keeps names and types as /metrics shows them: counters, classic histograms, process metrics', async () => {
    const metadata = await api<{ data: Record<string, Array<{ type: string }>> }>(pharos.url, '/api/v1/metadata', TENANT);
    expect(metadata.body.data['pharos_ingest_samples_total']?.[0]?.type).toBe('counter');
    expect(metadata.body.data['pharos_http_request_duration_seconds']?.[0]?.type).toBe('histogram');
    expect(metadata.body.data['pharos_store_series']?.[0]?.type).toBe('gauge');
    expect(metadata.body.data['pharos_store_rollup_rows']?.[0]?.type).toBe('gauge');
    const buckets = await instant(pharos.url, 'count(pharos_http_request_duration_seconds_bucket{job="pharos",le="+Inf"})');
    expect(Number(buckets.body.data.result[0]?.value[1])).toBeGreaterThan(0);
    const rss = await instant(pharos.url, 'pharos_process_resident_memory_bytes{job="pharos"}');
    expect(Number(rss.body.data.result[0]?.value[1])).toBeGreaterThan(10 * 1024 * 1024);
    // The store thread's memory (the platform runs the store on a thread of its own): DuckDB's
    // buffer manager and the thread's V8 heap, which the process' nodejs_* metrics do not show.
    const storeMemory = await instant(pharos.url, 'pharos_store_memory_bytes{job="pharos"}');
    const byKind = new Map(storeMemory.body.data.result.map((r) => [r.metric['kind'], Number(r.value[1])]));
    expect(byKind.get('engine')).toBeGreaterThan(0);
    expect(byKind.get('heap_used')).toBeGreaterThan(1024 * 1024);
    expect(byKind.get('heap_total')).toBeGreaterThanOrEqual(byKind.get('heap_used')!);
    // The remote-write decode workers' isolates (label caches), likewise beside the main thread's.
    const decodeMemory = await instant(pharos.url, 'pharos_ingest_decode_workers_memory_bytes{job="pharos"}');
    const decodeByKind = new Map(decodeMemory.body.data.result.map((r) => [r.metric['kind'], Number(r.value[1])]));
    expect(decodeByKind.get('heap_used')).toBeGreaterThan(1024 * 1024);
    expect(decodeByKind.get('heap_total')).toBeGreaterThanOrEqual(decodeByKind.get('heap_used')!);
    expect(decodeByKind.has('external')).toBe(true);
  });

  it('writes nothing into other tenants', async () => {
    for (const tenant of ['default', 'team']) {
      const names = await api<{ data: string[] }>(pharos.url, '/api/v1/label/__name__/values', tenant);
      expect(names.body.data.filter((n) => n.startsWith('pharos_'))).toEqual([]);
      const any = await instant(pharos.url, '{job="pharos"}', tenant);
      expect(any.body.data.result).toEqual([]);
    }
  });

  it('provisions the overview dashboard, whose every query evaluates over the self-metrics', async () => {
    const answer = await gql<{ dashboard: { uid: string; title: string; tags: string[]; model: string; createdBy: string } | null }>(
      pharos.url,
      '{ dashboard(uid: "pharos-overview") { uid title tags model createdBy } }',
      {},
      { 'x-scope-orgid': TENANT },
    );
    expect(answer.errors).toBeUndefined();
    const d = answer.data!.dashboard!;
    expect(d).toMatchObject({ uid: 'pharos-overview', title: 'Pharos overview', tags: ['pharos'] });
    const model = parseDashboardModel(d.model);

    // The instance variable's query (label_values(selector, instance)) finds this process.
    const variable = model.variables[0]!;
    expect(variable.kind === 'query' && variable.query).toBe('label_values(pharos_build_info{job="pharos"}, instance)');
    const instances = await api<{ data: string[] }>(pharos.url, `/api/v1/label/instance/values?${new URLSearchParams({ 'match[]': 'pharos_build_info{job="pharos"}' })}`, TENANT);
    expect(instances.body.data).toEqual([expect.stringMatching(new RegExp(`:${pharos.port}$`))]);

    // Let a couple of rate windows fill, then every target must evaluate without error.
    const withData: string[] = [];
    for (const panel of model.panels) {
      for (const target of panel.targets) {
        const expr = substitute(target.expr, model);
        const r = await instant(pharos.url, expr);
        expect(r.status, `${panel.title}: ${expr}: ${r.body.error}`).toBe(200);
        expect(r.body.status).toBe('success');
        if (r.body.data.result.length > 0) withData.push(panel.title);
      }
    }
    // Not a dashboard of empty panels: the ones over what this process always does have data.
    for (const title of ['Samples ingested / s', 'Series', 'Store on disk', 'Samples ingested / s by intake', 'CPU', 'Resident memory', 'Stream lag (records behind)']) {
      expect(withData, title).toContain(title);
    }

    // It lives in the self-monitoring tenant only.
    const elsewhere = await gql<{ dashboard: unknown }>(pharos.url, '{ dashboard(uid: "pharos-overview") { uid } }', {}, { 'x-scope-orgid': 'default' });
    expect(elsewhere.data!.dashboard).toBeNull();
  });

  it('provisions dashboard files into their tenant and counts a broken file without failing the start', async () => {
    const team = await gql<{ dashboard: { title: string; tags: string[] } | null }>(pharos.url, '{ dashboard(uid: "team-board") { title tags } }', {}, { 'x-scope-orgid': 'team' });
    expect(team.data!.dashboard).toEqual({ title: 'Team board', tags: ['team'] });
    const metrics = await (await fetch(`${pharos.url}/metrics`)).text();
    const errors = /pharos_dashboard_provisioning_errors_total\{source="file"\} (\d+)/.exec(metrics);
    expect(Number(errors?.[1])).toBeGreaterThanOrEqual(1);
    expect(pharos.output()).toMatch(/dashboard file not provisioned.*broken\.json|broken\.json.*dashboard file not provisioned/);
  });
});

describe('self-monitoring of a scaled deployment over Kafka', () => {
  const root = new URL('..', import.meta.url).pathname;
  const kafkaUrl = `kafka://127.0.0.1:${process.env.PHAROS_KAFKA_PORT ?? '19092'}`;
  const dir = tempDir('self-monitoring-kafka');
  const processes: PharosProcess[] = [];

  beforeAll(async () => {
    await promisify(execFile)('bash', [join(root, 'scripts/engines/kafka.sh'), 'up'], { timeout: 170_000 });
  }, 180_000);

  afterAll(async () => {
    for (const p of processes) await p.stop();
    removeDir(dir);
  });

  it('has every process write its own metrics, told apart by role', async () => {
    // A tenant of its own, so earlier runs' records on the shared broker do not mix in.
    const env = { PHAROS_STREAM: kafkaUrl, PHAROS_SELF_MONITORING: 'true', PHAROS_SELF_MONITORING_TENANT: `ops-${Date.now()}` };
    const configFile = join(dir, 'pharos.yaml');
    writeFileSync(configFile, 'self_monitoring:\n  interval: 1s\n');
    const start = (name: string, roles: string) => startPharos({ dataDir: join(dir, name), args: ['--only', roles, '--config', configFile], env });
    const query = await start('query', 'processor,query-api');
    processes.push(query);
    processes.push(await start('collector', 'collector'));
    processes.push(await start('identity', 'identity-api'));
    const roles = await eventually(
      'build info of three processes',
      async () => {
        const r = await instant(query.url, 'count by (role, instance) (pharos_build_info{job="pharos"})', env.PHAROS_SELF_MONITORING_TENANT);
        const found = r.body.data?.result.map((s) => s.metric['role']).sort() ?? [];
        return found.length === 3 ? r.body.data.result : undefined;
      },
      60_000,
    );
    expect(roles.map((s) => s.metric['role']).sort()).toEqual(['collector', 'identity-api', 'processor,query-api']);
    expect(new Set(roles.map((s) => s.metric['instance'])).size).toBe(3);
    // The collector process writes through the collector's ingestor, the others through one of
    // their own: each counts its writes as the self_monitoring intake.
    const counted = await eventually('ingest counters of the three processes', async () => {
      const r = await instant(query.url, 'sum by (role) (pharos_ingest_samples_total{protocol="self_monitoring"})', env.PHAROS_SELF_MONITORING_TENANT);
      return (r.body.data?.result.length ?? 0) >= 3 ? r.body.data.result : undefined;
    });
    expect(counted.map((s) => s.metric['role']).sort()).toEqual(['collector', 'identity-api', 'processor,query-api']);
    expect(counted.every((s) => Number(s.value[1]) > 0)).toBe(true);
  });
});
