import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWriteRequestV1 } from '#pharos/remote-write';
import { removeDir, startPharos, tempDir, type PharosProcess } from './support/pharos-process.js';
import { startPrometheus, type PrometheusProcess } from './support/prometheus-process.js';
import { prometheus3Binary } from './support/prometheus3.js';
import { BASE, MINUTE, dataset, sec } from './support/query-dataset.js';
import { remoteWrite, waitForSeries } from './support/remote-write-client.js';

/**
 * The Prometheus query API of the built `pharos` binary, checked byte for byte against a real
 * Prometheus 3.x holding the same samples: same requests (GET and POST forms), same status
 * codes, same bodies — results, number and timestamp formats, histograms, warnings, errors.
 */

interface Answer {
  readonly status: number;
  readonly body: string;
}

async function call(url: string, path: string, form?: Record<string, string>, headers: Record<string, string> = {}): Promise<Answer> {
  const res = form
    ? await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form).toString() })
    : await fetch(`${url}${path}`, { headers });
  return { status: res.status, body: await res.text() };
}

const q = (params: Record<string, string>): string => new URLSearchParams(params).toString();

const VECTOR_START = '"resultType":"vector","result":[';

/**
 * Prometheus leaves the order of an instant vector to its storage (series creation order),
 * so vector elements are compared as a set — each element still byte for byte.
 */
function canonical(body: string): string {
  const at = body.indexOf(VECTOR_START);
  if (at < 0) return body;
  const open = at + VECTOR_START.length - 1;
  // Split the array's top-level elements, minding strings and nesting.
  const elements: string[] = [];
  let depth = 0;
  let inString = false;
  let from = open + 1;
  let i = open;
  for (; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') {
      depth--;
      if (depth === 0) break;
    } else if (c === ',' && depth === 1) {
      elements.push(body.slice(from, i));
      from = i + 1;
    }
  }
  if (i > from) elements.push(body.slice(from, i));
  return `${body.slice(0, open + 1)}${elements.sort().join(',')}${body.slice(i)}`;
}

describe('Prometheus query API of the pharos binary, compared with Prometheus 3', () => {
  const dir = tempDir('query-api');
  let pharos: PharosProcess;
  let prometheus: PrometheusProcess;
  const t = (offsetMs: number): string => sec(BASE + offsetMs);

  beforeAll(async () => {
    const binary = await prometheus3Binary();
    const configFile = join(dir, 'pharos.yaml');
    writeFileSync(configFile, 'limits:\n  tenants:\n    tiny:\n      query_max_samples: 5\n');
    [pharos, prometheus] = await Promise.all([
      startPharos({ dataDir: join(dir, 'data'), args: ['--config', configFile] }),
      startPrometheus(() => 'global:\n  scrape_interval: 15s\n', ['--web.enable-remote-write-receiver', '--enable-feature=exemplar-storage'], binary.path),
    ]);
    const data = dataset();
    for (const target of [pharos.url, prometheus.url]) {
      const res = await remoteWrite(target, data);
      expect(res.status, `remote write to ${target}: ${await res.text()}`).toBe(204);
    }
    expect(await waitForSeries(pharos.url, '{__name__=~"qa_.*"}', (s) => s.length === data.length, { timeoutMs: 10_000 })).toHaveLength(data.length);
  }, 30 * 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    const code = await pharos?.stop();
    expect(code).toBe(0);
    removeDir(dir);
  });

  const same = async (path: string, form?: Record<string, string>): Promise<Answer> => {
    const [ours, theirs] = await Promise.all([call(pharos.url, path, form), call(prometheus.url, path, form)]);
    expect({ status: ours.status, body: canonical(ours.body) }, `${path} ${form ? JSON.stringify(form) : ''}`).toEqual({ status: theirs.status, body: canonical(theirs.body) });
    return ours;
  };

  it.each([
    ['a selector', 'qa_gauge', 5 * MINUTE],
    ['a selector with matchers, between samples', 'qa_gauge{job="api",instance=~"a.*"}', 5 * MINUTE + 7_500],
    ['rate', 'rate(qa_requests_total[2m])', 9 * MINUTE],
    ['an aggregation', 'sum by (job) (qa_gauge)', 4 * MINUTE],
    ['odd values and label text', 'qa_weird', 7 * MINUTE + 1],
    ['native histograms of three schemas', 'qa_hist', 6 * MINUTE],
    ['a range selector (matrix)', 'qa_gauge{instance="a:1"}[1m]', 3 * MINUTE],
    ['a histogram range selector', 'qa_hist{kind="custom"}[30s]', 3 * MINUTE],
    ['a scalar', '1e-7', 1_500],
    ['a large scalar', '1e22', 1_000],
    ['a string', '"a<b"', 1_250],
    ['time()', 'time()', 123_456],
    ['an empty result', 'no_such_metric', 60_000],
    ['division by zero', 'qa_gauge / 0', 2 * MINUTE],
  ])('answers an instant query for %s exactly as Prometheus', async (_name, query, at) => {
    const time = at < 10 * MINUTE ? t(at) : sec(at);
    await same(`/api/v1/query?${q({ query, time })}`);
  });

  it.each([
    ['a selector', 'qa_gauge', 60_000],
    ['rate', 'rate(qa_requests_total[1m])', 30_000],
    ['an aggregation with a fractional step', 'avg by (instance) (qa_gauge)', 7_500],
    ['native histograms', 'qa_hist', 120_000],
    ['odd values', 'qa_weird', 45_000],
  ])('answers a range query for %s exactly as Prometheus', async (_name, query, stepMs) => {
    await same(`/api/v1/query_range?${q({ query, start: t(0), end: t(10 * MINUTE), step: sec(stepMs) })}`);
  });

  it('takes the step as a duration, and POST forms as GET', async () => {
    await same(`/api/v1/query_range?${q({ query: 'sum(qa_gauge)', start: t(MINUTE), end: t(8 * MINUTE), step: '1m' })}`);
    await same('/api/v1/query_range', { query: 'max(qa_gauge)', start: t(0), end: t(5 * MINUTE), step: '30s' });
    await same('/api/v1/query', { query: 'count(qa_gauge)', time: t(2 * MINUTE) });
    await same(`/api/v1/query?${q({ time: t(2 * MINUTE) })}`, { query: 'min(qa_gauge)' });
  });

  it('accepts RFC 3339 times', async () => {
    const iso = (ms: number) => new Date(BASE + ms).toISOString();
    await same(`/api/v1/query?${q({ query: 'qa_gauge{job="db"}', time: iso(90_000) })}`);
    await same(`/api/v1/query_range?${q({ query: 'qa_gauge{job="db"}', start: iso(0), end: iso(5 * MINUTE), step: '90' })}`);
  });

  it('truncates to limit with the same warning', async () => {
    // Sorted, so that which elements survive the limit is defined.
    await same(`/api/v1/query?${q({ query: 'sort_desc(qa_gauge)', time: t(MINUTE), limit: '2' })}`);
    await same(`/api/v1/query_range?${q({ query: 'qa_gauge', start: t(0), end: t(MINUTE), step: '30', limit: '3' })}`);
  });

  it.each([
    ['a parse error', '/api/v1/query', { query: 'sum(' }],
    ['an unclosed selector', '/api/v1/query', { query: 'qa_gauge{job="api"' }],
    ['a bad time', '/api/v1/query', { query: '1', time: 'yesterday' }],
    ['a bad limit', '/api/v1/query', { query: '1', limit: 'x' }],
    ['a negative limit', '/api/v1/query', { query: '1', limit: '-1' }],
    ['a zero timeout', '/api/v1/query', { query: '1', timeout: '0' }],
    ['a bad timeout', '/api/v1/query', { query: '1', timeout: 'soon' }],
    ['a bad lookback delta', '/api/v1/query', { query: '1', lookback_delta: 'x' }],
    ['a missing start', '/api/v1/query_range', { query: '1', end: '100', step: '10' }],
    ['a bad end', '/api/v1/query_range', { query: '1', start: '0', end: 'x', step: '10' }],
    ['end before start', '/api/v1/query_range', { query: '1', start: '100', end: '10', step: '10' }],
    ['a missing step', '/api/v1/query_range', { query: '1', start: '0', end: '100' }],
    ['a zero step', '/api/v1/query_range', { query: '1', start: '0', end: '100', step: '0' }],
    ['a negative step', '/api/v1/query_range', { query: '1', start: '0', end: '100', step: '-5' }],
    ['too many points', '/api/v1/query_range', { query: '1', start: '0', end: '100000', step: '1' }],
    ['a type error', '/api/v1/query', { query: 'rate(qa_gauge)' }],
  ])('refuses %s with the same status and error', async (_name, path, params) => {
    await same(`${path}?${q(params)}`);
    await same(path, params);
  });

  it('reports evaluation errors with the same type and message', async () => {
    await same(`/api/v1/query?${q({ query: 'qa_gauge + ignoring(instance) qa_gauge', time: t(MINUTE) })}`);
  });

  it('formats and parses queries as Prometheus', async () => {
    await same(`/api/v1/format_query?${q({ query: 'sum(rate(foo{a="b"}[5m]))by(job)' })}`);
    await same('/api/v1/format_query', { query: 'x offset -5m @ start() > bool 1' });
    await same(`/api/v1/parse_query?${q({ query: 'sum(rate(foo[5m]))' })}`);
    await same(`/api/v1/format_query?${q({ query: 'sum(' })}`);
  });

  it('returns exemplars of the selected series as Prometheus', async () => {
    await same(`/api/v1/query_exemplars?${q({ query: 'rate(qa_exemplar_total[5m])', start: t(0), end: t(10 * MINUTE) })}`);
    await same(`/api/v1/query_exemplars?${q({ query: 'qa_exemplar_total', start: t(60_000), end: t(10 * MINUTE) })}`);
    await same(`/api/v1/query_exemplars?${q({ query: '1 + 1' })}`);
    await same(`/api/v1/query_exemplars?${q({ query: 'qa_exemplar_total', start: '10', end: '1' })}`);
  });

  it('reports statistics in Prometheus’ shape when asked', async () => {
    const body = JSON.parse((await call(pharos.url, `/api/v1/query_range?${q({ query: 'sum(qa_gauge)', start: t(0), end: t(5 * MINUTE), step: '60', stats: 'all' })}`)).body) as {
      data: { stats: { timings: Record<string, number>; samples: Record<string, unknown> } };
    };
    expect(Object.keys(body.data.stats.timings)).toEqual(['evalTotalTime', 'resultSortTime', 'queryPreparationTime', 'innerEvalTime', 'execQueueTime', 'execTotalTime']);
    expect(body.data.stats.samples.totalQueryableSamples).toBeGreaterThan(0);
    expect(typeof body.data.stats.samples.peakSamples).toBe('number');
  });

  it('keeps tenants apart and applies per-tenant limits', async () => {
    const res = await remoteWrite(pharos.url, [{ labels: { __name__: 'qa_private', team: 'a' }, samples: [{ timestamp: BASE, value: 42 }] }], { headers: { 'x-scope-orgid': 'team-a' } });
    expect(res.status).toBe(204);
    await waitForSeries(pharos.url, 'qa_private', (s) => s.length === 1, { tenant: 'team-a', timeoutMs: 5000 });
    const path = `/api/v1/query?${q({ query: 'qa_private', time: t(MINUTE) })}`;
    const own = await call(pharos.url, path, undefined, { 'x-scope-orgid': 'team-a' });
    expect(own.body).toBe(`{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"qa_private","team":"a"},"value":[${t(MINUTE)},"42"]}]}}`);
    for (const other of [{ 'x-scope-orgid': 'team-b' }, {}] as Record<string, string>[]) {
      expect((await call(pharos.url, path, undefined, other)).body).toBe('{"status":"success","data":{"resultType":"vector","result":[]}}');
    }
    expect((await remoteWrite(pharos.url, dataset(), { headers: { 'x-scope-orgid': 'tiny' } })).status).toBe(204);
    await waitForSeries(pharos.url, 'qa_gauge', (s) => s.length === 4, { tenant: 'tiny', timeoutMs: 5000 });
    const tiny = await call(pharos.url, `/api/v1/query?${q({ query: 'sum_over_time(qa_gauge[10m])', time: t(10 * MINUTE) })}`, undefined, { 'x-scope-orgid': 'tiny' });
    expect(tiny.status).toBe(422);
    expect(JSON.parse(tiny.body)).toEqual({ status: 'error', errorType: 'execution', error: 'query processing would load too many samples into memory in query execution' });
  });

  it('answers metadata sent with remote write, per tenant', async () => {
    const res = await remoteWrite(pharos.url, [], {
      protobuf: encodeWriteRequestV1([], [
        { metricFamilyName: 'qa_requests_total', type: 'counter', help: 'Requests <served> & counted.', unit: '' },
        { metricFamilyName: 'qa_gauge', type: 'gauge', help: 'A gauge.', unit: 'seconds' },
      ]),
      headers: { 'x-scope-orgid': 'meta' },
    });
    expect(res.status).toBe(204);
    const deadline = Date.now() + 5000;
    let got = '';
    while (Date.now() < deadline) {
      got = (await call(pharos.url, '/api/v1/metadata', undefined, { 'x-scope-orgid': 'meta' })).body;
      if (got.includes('qa_requests_total')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(got).toBe(
      '{"status":"success","data":{"qa_gauge":[{"type":"gauge","help":"A gauge.","unit":"seconds"}],' +
        '"qa_requests_total":[{"type":"counter","help":"Requests \\u003cserved\\u003e \\u0026 counted.","unit":""}]}}',
    );
    expect((await call(pharos.url, '/api/v1/metadata?limit=1', undefined, { 'x-scope-orgid': 'meta' })).body).toBe(
      '{"status":"success","data":{"qa_gauge":[{"type":"gauge","help":"A gauge.","unit":"seconds"}]}}',
    );
    expect((await call(pharos.url, '/api/v1/metadata?metric=qa_gauge', undefined, { 'x-scope-orgid': 'meta' })).body).toContain('"qa_gauge"');
    expect((await call(pharos.url, '/api/v1/metadata?metric=qa_gauge')).body).toBe('{"status":"success","data":{}}');
    const bad = await call(pharos.url, '/api/v1/metadata?limit=x');
    expect(bad).toEqual({ status: 400, body: '{"status":"error","errorType":"bad_data","error":"limit must be a number"}' });
  });

  it('answers the status endpoints Grafana and promtool read', async () => {
    const build = JSON.parse((await call(pharos.url, '/api/v1/status/buildinfo')).body) as { status: string; data: Record<string, string> };
    expect(build.status).toBe('success');
    expect(build.data.version).toMatch(/^[3-9]\.\d+\.\d+$/);
    expect(build.data.pharosVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(Object.keys(build.data)).toEqual(expect.arrayContaining(['version', 'revision', 'branch', 'buildUser', 'buildDate', 'goVersion']));
    const flags = JSON.parse((await call(pharos.url, '/api/v1/status/flags')).body) as { data: Record<string, string> };
    expect(flags.data['query.lookback-delta']).toBe('5m');
    expect(flags.data['query.max-samples']).toBe('50000000');
    expect(flags.data['query.timeout']).toBe('2m');
    expect(flags.data['storage.tsdb.retention.time']).toBe('15d');
    const runtime = JSON.parse((await call(pharos.url, '/api/v1/status/runtimeinfo')).body) as { data: Record<string, unknown> };
    expect(runtime.data.storageRetention).toBe('15d');
    expect(Date.parse(String(runtime.data.startTime))).toBeLessThanOrEqual(Date.now());
  });

  it('counts queries by endpoint and outcome in its own metrics', async () => {
    const metrics = await (await fetch(`${pharos.url}/metrics`)).text();
    expect(metrics).toMatch(/pharos_query_requests_total\{endpoint="query",outcome="success"\} [1-9]/);
    expect(metrics).toMatch(/pharos_query_requests_total\{endpoint="query_range",outcome="bad_data"\} [1-9]/);
    expect(metrics).toMatch(/pharos_query_requests_total\{endpoint="query",outcome="execution"\} [1-9]/);
    expect(metrics).toMatch(/pharos_query_duration_seconds_bucket\{le="0.05",endpoint="query_range",outcome="success"\} [1-9]/);
  });
});
