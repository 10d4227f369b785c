import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, removeDir, startPharos, tempDir, type PharosProcess } from './support/pharos-process.js';
import { getSeries, waitForSeries } from './support/remote-write-client.js';

const NODE_EXPORTER = '/usr/bin/prometheus-node-exporter';

interface ActiveTarget {
  labels: Record<string, string>;
  discoveredLabels: Record<string, string>;
  scrapePool: string;
  scrapeUrl: string;
  health: string;
  lastError: string;
  lastScrape: string;
  scrapeInterval: string;
  scrapeTimeout: string;
}
interface TargetsAnswer {
  status: string;
  data: { activeTargets: ActiveTarget[]; droppedTargets: Array<{ discoveredLabels: Record<string, string>; scrapePool: string }>; droppedTargetCounts: Record<string, number> | null };
}

async function targets(url: string, query = '', tenant?: string): Promise<TargetsAnswer> {
  const res = await fetch(`${url}/api/v1/targets${query}`, { headers: tenant ? { 'x-scope-orgid': tenant } : {} });
  return (await res.json()) as TargetsAnswer;
}

async function until<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function instantQuery(url: string, query: string, tenant?: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const res = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query })}`, { headers: tenant ? { 'x-scope-orgid': tenant } : {} });
  const body = (await res.json()) as { status: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  if (body.status !== 'success') throw new Error(`query failed: ${JSON.stringify(body)}`);
  return body.data.result;
}

describe('scraping through the built pharos binary', () => {
  let dir: string;
  let pharos: PharosProcess;
  let pharosPort: number;
  let nodeExporter: ChildProcess;
  let nodeAddress: string;
  let textfiles: string;
  let sdDir: string;
  let configFile: string;
  let badServer: Server;
  let badAddress: string;
  let badBody = 'ok_metric 1\n';

  const config = (extraJobs = ''): string => `
scrape:
  interval: 1s
  timeout: 1s
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['${nodeAddress}']
        labels: { env: test }
    metric_relabel_configs:
      - source_labels: [__name__]
        regex: 'node_(cpu|disk|network|filesystem|netstat|sockstat|softnet|vmstat|schedstat|interrupts)_.*'
        action: drop
  - job_name: pharos-self
    tenant: ops
    static_configs:
      - targets: ['127.0.0.1:${pharosPort}']
  - job_name: files
    file_sd_configs:
      - files: ['${sdDir}/*.json']
        refresh_interval: 1s
    relabel_configs:
      - source_labels: [__meta_filepath]
        regex: '.*/(.*)\\.json'
        target_label: sd_file
      - source_labels: [team]
        regex: skip
        action: drop
  - job_name: flaky
    static_configs:
      - targets: ['${badAddress}']
${extraJobs}`;

  beforeAll(async () => {
    expect(spawnSync('bash', ['scripts/engines/debian-packages.sh'], { stdio: 'inherit' }).status).toBe(0);
    dir = tempDir('scrape');
    textfiles = join(dir, 'textfiles');
    sdDir = join(dir, 'sd');
    mkdirSync(textfiles);
    mkdirSync(sdDir);
    writeFileSync(join(textfiles, 'pharos.prom'), '# HELP pharos_textfile_metric A value from the textfile collector.\n# TYPE pharos_textfile_metric gauge\npharos_textfile_metric{color="blue"} 42\n');
    const nodePort = await freePort();
    nodeAddress = `127.0.0.1:${nodePort}`;
    nodeExporter = spawn(NODE_EXPORTER, [`--web.listen-address=${nodeAddress}`, `--collector.textfile.directory=${textfiles}`], { stdio: 'ignore' });
    await until('node_exporter', () => fetch(`http://${nodeAddress}/metrics`).then((r) => r.status, () => 0), (s) => s === 200);

    badServer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(badBody));
    await new Promise<void>((r) => badServer.listen(0, '127.0.0.1', r));
    const a = badServer.address();
    badAddress = `127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;

    pharosPort = await freePort();
    configFile = join(dir, 'pharos.yaml');
    writeFileSync(configFile, config());
    pharos = await startPharos({ dataDir: join(dir, 'data'), port: pharosPort, args: ['--config', configFile] });
  });

  afterAll(async () => {
    if (pharos) expect(await pharos.stop()).toBe(0);
    nodeExporter?.kill('SIGTERM');
    await new Promise<void>((r) => (badServer ? badServer.close(() => r()) : r()));
    if (dir) removeDir(dir);
  });

  it('scrapes Debian\'s node_exporter: its metrics and textfile metrics arrive with job and instance labels', async () => {
    const found = await waitForSeries(pharos.url, 'pharos_textfile_metric', (s) => s.length === 1, { timeoutMs: 20_000 });
    expect(found).toEqual([{ __name__: 'pharos_textfile_metric', color: 'blue', env: 'test', instance: nodeAddress, job: 'node' }]);
    const buildInfo = await waitForSeries(pharos.url, 'node_exporter_build_info', (s) => s.length === 1, { timeoutMs: 10_000 });
    expect(buildInfo[0]).toMatchObject({ job: 'node', instance: nodeAddress });
    // metric_relabel_configs dropped the CPU series.
    expect(await getSeries(pharos.url, '{__name__=~"node_cpu_.*"}')).toEqual([]);
    const up = await until('up{job="node"} = 1', () => instantQuery(pharos.url, 'up{job="node"}'), (r) => r.length === 1 && r[0]!.value[1] === '1');
    expect(up[0]!.metric).toEqual({ __name__: 'up', env: 'test', instance: nodeAddress, job: 'node' });
    const value = await instantQuery(pharos.url, 'pharos_textfile_metric');
    expect(value[0]!.value[1]).toBe('42');
    for (const name of ['scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added']) {
      expect((await getSeries(pharos.url, `${name}{job="node"}`)).length).toBe(1);
    }
    const [scraped] = await instantQuery(pharos.url, 'scrape_samples_scraped{job="node"} - scrape_samples_post_metric_relabeling{job="node"}');
    expect(Number(scraped!.value[1])).toBeGreaterThan(0);
  });

  it('scrapes Pharos\' own /metrics into the job\'s tenant only', async () => {
    const own = await waitForSeries(pharos.url, 'pharos_build_info', (s) => s.length === 1, { tenant: 'ops', timeoutMs: 10_000 });
    expect(own[0]).toMatchObject({ job: 'pharos-self', instance: `127.0.0.1:${pharosPort}` });
    expect(await getSeries(pharos.url, 'pharos_build_info')).toEqual([]);
  });

  it('answers /api/v1/targets in Prometheus\' shape, per tenant, with the state filter', async () => {
    const all = await until('node target up', () => targets(pharos.url), (t) => t.data.activeTargets.some((a) => a.scrapePool === 'node' && a.health === 'up'));
    expect(all.status).toBe('success');
    const node = all.data.activeTargets.find((a) => a.scrapePool === 'node')!;
    expect(node).toMatchObject({
      labels: { env: 'test', instance: nodeAddress, job: 'node' },
      scrapeUrl: `http://${nodeAddress}/metrics`,
      lastError: '',
      health: 'up',
      scrapeInterval: '1s',
      scrapeTimeout: '1s',
    });
    expect(node.discoveredLabels).toMatchObject({ __address__: nodeAddress, __metrics_path__: '/metrics', __scheme__: 'http', __scrape_interval__: '1s', job: 'node', env: 'test' });
    expect(new Date(node.lastScrape).getTime()).toBeGreaterThan(Date.now() - 10_000);
    expect(all.data.activeTargets.some((a) => a.scrapePool === 'pharos-self')).toBe(false);
    const ops = await targets(pharos.url, '', 'ops');
    expect(ops.data.activeTargets.map((a) => a.scrapePool)).toEqual(['pharos-self']);
    const dropped = await targets(pharos.url, '?state=dropped');
    expect(dropped.data.activeTargets).toEqual([]);
    expect(dropped.data.droppedTargetCounts).toMatchObject({ node: 0 });
    const active = await targets(pharos.url, '?state=active&scrapePool=node');
    expect(active.data.droppedTargetCounts).toBeNull();
    expect(active.data.activeTargets.map((a) => a.scrapePool)).toEqual(['node']);
  });

  it('fails a scrape with a malformed line, shows the error, and marks the series stale', async () => {
    await waitForSeries(pharos.url, 'ok_metric', (s) => s.length === 1, { timeoutMs: 10_000 });
    badBody = 'ok_metric 1\nbroken_metric{a="1" 2\n';
    const t = await until(
      'flaky target down',
      () => targets(pharos.url, '?scrapePool=flaky'),
      (a) => a.data.activeTargets[0]?.health === 'down',
    );
    expect(t.data.activeTargets[0]!.lastError).toMatch(/expected label name|expected equal|broken_metric/);
    await until('ok_metric stale', () => instantQuery(pharos.url, 'ok_metric'), (r) => r.length === 0);
    await until('up{job="flaky"} = 0', () => instantQuery(pharos.url, 'up{job="flaky"}'), (r) => r[0]?.value[1] === '0');
    badBody = 'ok_metric 2\n';
    await until('ok_metric back', () => instantQuery(pharos.url, 'ok_metric'), (r) => r[0]?.value[1] === '2');
  });

  it('follows file_sd changes, relabels discovered targets, and marks a removed target stale', async () => {
    writeFileSync(join(sdDir, 'group-a.json'), JSON.stringify([{ targets: [nodeAddress], labels: { team: 'a' } }, { targets: ['127.0.0.1:1'], labels: { team: 'skip' } }]));
    const t = await until('file_sd target', () => targets(pharos.url, '?scrapePool=files'), (a) => a.data.activeTargets.length === 1 && a.data.activeTargets[0]!.health === 'up');
    expect(t.data.activeTargets[0]!.labels).toEqual({ instance: nodeAddress, job: 'files', sd_file: 'group-a', team: 'a' });
    expect(t.data.droppedTargets).toHaveLength(1);
    expect(t.data.droppedTargets[0]!.discoveredLabels).toMatchObject({ __address__: '127.0.0.1:1', team: 'skip', __meta_filepath: join(sdDir, 'group-a.json') });
    await until('up{job="files"}', () => instantQuery(pharos.url, 'up{job="files"}'), (r) => r[0]?.value[1] === '1');
    writeFileSync(join(sdDir, 'group-a.json'), '[]');
    await until('file_sd target gone', () => targets(pharos.url, '?scrapePool=files'), (a) => a.data.activeTargets.length === 0);
    // The target's series got staleness markers: an instant query no longer sees them.
    await until('files series stale', () => instantQuery(pharos.url, 'up{job="files"}'), (r) => r.length === 0, 5000);
  });

  it('adds and removes static targets through the API, persisted across a restart', async () => {
    const add = await fetch(`${pharos.url}/api/v1/targets/static`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ job: 'api-node', targets: [nodeAddress], labels: { added: 'api' } }),
    });
    expect(add.status).toBe(200);
    await until('api target up', () => targets(pharos.url, '?scrapePool=api-node'), (a) => a.data.activeTargets[0]?.health === 'up');
    const bad = await fetch(`${pharos.url}/api/v1/targets/static`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ job: 'x', targets: ['http://a/b'] }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/not a valid hostname/);
    const otherTenant = await fetch(`${pharos.url}/api/v1/targets/static`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-scope-orgid': 'ops' },
      body: JSON.stringify({ job: 'node', targets: [nodeAddress] }),
    });
    expect(otherTenant.status).toBe(409);
    expect(JSON.parse(readFileSync(join(pharos.dataDir, 'scrape', 'api-targets.json'), 'utf8'))).toMatchObject({ groups: [{ tenant: 'default', job: 'api-node', targets: [nodeAddress] }] });

    expect(await pharos.stop()).toBe(0);
    pharos = await startPharos({ dataDir: pharos.dataDir, port: pharosPort, args: ['--config', configFile] });
    await until('api target back after restart', () => targets(pharos.url, '?scrapePool=api-node'), (a) => a.data.activeTargets[0]?.health === 'up');
    const del = await fetch(`${pharos.url}/api/v1/targets/static?job=api-node&target=${encodeURIComponent(nodeAddress)}`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect((await targets(pharos.url, '?scrapePool=api-node')).data.activeTargets).toEqual([]);
    expect((await fetch(`${pharos.url}/api/v1/targets/static?job=api-node`, { method: 'DELETE' })).status).toBe(404);
  });

  it('reloads scrape_configs on SIGHUP and POST /-/reload, keeping the old configuration when the new one is bad', async () => {
    writeFileSync(configFile, config(`  - job_name: reloaded\n    metrics_path: /metrics\n    static_configs:\n      - targets: ['${nodeAddress}']\n`));
    pharos.child.kill('SIGHUP');
    await until('reloaded job', () => targets(pharos.url, '?scrapePool=reloaded'), (a) => a.data.activeTargets[0]?.health === 'up');
    writeFileSync(configFile, config(`  - job_name: broken\n    scrape_interval: 1s\n    scrape_timeout: 5s\n`));
    const res = await fetch(`${pharos.url}/-/reload`, { method: 'POST' });
    expect(res.status).toBe(500);
    expect(await res.text()).toMatch(/scrape timeout greater than scrape interval/);
    expect((await targets(pharos.url, '?scrapePool=reloaded')).data.activeTargets).toHaveLength(1);
    writeFileSync(configFile, config());
    expect((await fetch(`${pharos.url}/-/reload`, { method: 'POST' })).status).toBe(200);
    expect((await targets(pharos.url, '?scrapePool=reloaded')).data.activeTargets).toEqual([]);
    const metrics = await (await fetch(`${pharos.url}/metrics`)).text();
    expect(metrics).toMatch(/pharos_scrape_config_reloads_total\{result="failure"\} 1/);
    expect(metrics).toMatch(/pharos_ingest_samples_total\{tenant="default",protocol="prometheus_scrape"\} \d+/);
  });
});
