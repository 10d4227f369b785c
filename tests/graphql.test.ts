import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildClientSchema, buildSchema, getIntrospectionQuery, lexicographicSortSchema, printSchema, type IntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codes, gql, wsClient } from './support/graphql-client.js';
import { removeDir, startPharos, tempDir, type PharosProcess } from './support/pharos-process.js';
import { BASE, MINUTE, STEP, dataset } from './support/query-dataset.js';
import { remoteWrite, waitForSeries, type SeriesInput } from './support/remote-write-client.js';

/**
 * The GraphQL gateway of the built `pharos` binary: metric queries checked against the
 * Prometheus HTTP API of the same process (one engine behind both), batched panels, coded
 * errors, dashboards, live subscriptions over graphql-ws, tenant isolation and limits.
 */

const SCHEMA_FILE = 'docs/graphql/schema.graphql';
const REGENERATE = 'npm run build && UPDATE_GRAPHQL_SCHEMA=1 npx vitest run tests/graphql.test.ts -t "serves the schema"';
const SCHEMA_HEADER = `# The Pharos GraphQL schema, as served at /graphql (introspected from the built binary).\n# Do not edit: the code-first resolvers in apps/query-api/src/graphql are the source. Regenerate:\n#   ${REGENERATE}\n\n`;

const LOAD_SERIES = 20;
const LOAD_POINTS = 1_000;
const LOAD_END = Math.floor(Date.now() / MINUTE) * MINUTE - 2 * MINUTE;
const LOAD_START = LOAD_END - (LOAD_POINTS - 1) * STEP;

/** 20 counters and 20 gauges of 1,000 points: the data of a 12-panel dashboard. */
function loadData(): SeriesInput[] {
  const out: SeriesInput[] = [];
  for (let s = 0; s < LOAD_SERIES; s++) {
    out.push({
      labels: { __name__: 'gql_load_total', series: String(s), group: String(s % 4) },
      samples: Array.from({ length: LOAD_POINTS }, (_, i) => ({ timestamp: LOAD_START + i * STEP, value: i * (s + 1) })),
    });
    out.push({
      labels: { __name__: 'gql_load_gauge', series: String(s), group: String(s % 4) },
      samples: Array.from({ length: LOAD_POINTS }, (_, i) => ({ timestamp: LOAD_START + i * STEP, value: Math.sin(i / 20 + s) * 100 })),
    });
  }
  return out;
}

const PANELS = [
  'rate(gql_load_total[5m])',
  'sum by (group) (rate(gql_load_total[5m]))',
  'gql_load_gauge',
  'avg_over_time(gql_load_gauge[10m])',
  'max by (group) (gql_load_gauge)',
  'irate(gql_load_total[1m])',
  'gql_load_gauge * 2 + 1',
  'increase(gql_load_total[15m])',
  'quantile(0.9, gql_load_gauge)',
  'deriv(gql_load_gauge[5m])',
  'topk(5, gql_load_gauge)',
  'sum(rate(gql_load_total[5m])) / count(gql_load_total)',
];

const RANGE_FIELDS = 'series { labels timestamps values histograms { t count sum buckets } } warnings';

function batchedPanels(fieldsOfRange = RANGE_FIELDS): string {
  const fields = PANELS.map((q, i) => `p${i}: rangeQuery(query: ${JSON.stringify(q)}, startMs: $start, endMs: $end, stepMs: $step) { ${fieldsOfRange} }`);
  return `query Dashboard($start: Float!, $end: Float!, $step: Float!) {\n${fields.join('\n')}\n}`;
}

interface GqlSeries {
  labels: Record<string, string>;
  timestamps: number[];
  values: (number | string)[];
  histograms: { t: number; count: number | string; sum: number | string; buckets: (number | string)[][] }[];
}

/** REST matrix values `[[sec, "v"], …]` in the GraphQL shape (ms, numbers or Prometheus' spellings). */
function restSeries(result: { metric: Record<string, string>; values?: [number, string][] }[]) {
  const num = (v: string): number | string => (v === 'NaN' || v === '+Inf' || v === '-Inf' ? v : Number(v));
  return result
    .map((r) => ({ labels: r.metric, timestamps: (r.values ?? []).map(([t]) => Math.round(t * 1000)), values: (r.values ?? []).map(([, v]) => num(v)) }))
    .sort((a, b) => JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)));
}

const byLabels = (s: GqlSeries[]) => [...s].sort((a, b) => JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)));

/** The value of one sample in Prometheus text format whose labels include `labels` (0 when absent). */
async function selfMetric(url: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) total += Number(m[3]);
  }
  return total;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

describe('GraphQL gateway of the pharos binary (auth off: tenants by X-Scope-OrgID)', () => {
  const dir = tempDir('graphql');
  let pharos: PharosProcess;
  const other = { 'x-scope-orgid': 'other' };

  beforeAll(async () => {
    const configFile = join(dir, 'pharos.yaml');
    writeFileSync(configFile, 'limits:\n  tenants:\n    tiny:\n      query_max_samples: 5\n');
    pharos = await startPharos({ dataDir: join(dir, 'data'), args: ['--config', configFile] });
    const data = [...dataset(), ...loadData()];
    const res = await remoteWrite(pharos.url, data);
    expect(res.status, await res.text()).toBe(204);
    const otherData: SeriesInput[] = [{ labels: { __name__: 'gql_other_only', job: 'secret' }, samples: [{ timestamp: BASE, value: 7 }] }];
    for (const tenant of ['other', 'tiny']) {
      const r = await remoteWrite(pharos.url, tenant === 'tiny' ? dataset() : otherData, { headers: { 'x-scope-orgid': tenant } });
      expect(r.status, await r.text()).toBe(204);
    }
    expect(await waitForSeries(pharos.url, '{__name__=~"qa_.*|gql_.*"}', (s) => s.length === data.length, { timeoutMs: 15_000 })).toHaveLength(data.length);
    expect(await waitForSeries(pharos.url, 'gql_other_only', (s) => s.length === 1, { tenant: 'other', timeoutMs: 15_000 })).toHaveLength(1);
    expect(await waitForSeries(pharos.url, 'qa_gauge', (s) => s.length === 4, { tenant: 'tiny', timeoutMs: 15_000 })).toHaveLength(4);
  }, 5 * 60_000);

  afterAll(async () => {
    const code = await pharos?.stop();
    expect(code).toBe(0);
    removeDir(dir);
  });

  it(`serves the schema published in ${SCHEMA_FILE}`, async () => {
    const introspection = await gql<IntrospectionQuery>(pharos.url, getIntrospectionQuery({ descriptions: true }));
    expect(introspection.errors).toBeUndefined();
    const served = SCHEMA_HEADER + printSchema(lexicographicSortSchema(buildClientSchema(introspection.data!))) + '\n';
    const file = new URL(`../${SCHEMA_FILE}`, import.meta.url).pathname;
    if (process.env['UPDATE_GRAPHQL_SCHEMA'] === '1') writeFileSync(file, served);
    expect(readFileSync(file, 'utf8'), `${SCHEMA_FILE} is stale: ${REGENERATE}`).toBe(served);
    const schema = buildSchema(served);
    expect(Object.keys(schema.getSubscriptionType()!.getFields())).toEqual(['liveRangeQuery']);
  });

  describe('metric queries', () => {
    it('answers an instant query with the samples the Prometheus API gives', async () => {
      const time = BASE + 5 * MINUTE;
      const a = await gql<{ instantQuery: { resultType: string; t: number; samples: { labels: Record<string, string>; t: number; value: number }[] } }>(
        pharos.url,
        'query($q: String!, $t: Float) { instantQuery(query: $q, timeMs: $t) { resultType t samples { labels t value histogram { count } } } }',
        { q: 'sum by (job) (qa_gauge)', t: time },
      );
      expect(a.errors).toBeUndefined();
      const rest = (await (await fetch(`${pharos.url}/api/v1/query?${new URLSearchParams({ query: 'sum by (job) (qa_gauge)', time: String(time / 1000) })}`)).json()) as {
        data: { result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      expect(a.data!.instantQuery.resultType).toBe('VECTOR');
      const ours = a.data!.instantQuery.samples.map((s) => ({ labels: s.labels, t: s.t, value: s.value })).sort((x, y) => x.labels['job']!.localeCompare(y.labels['job']!));
      const theirs = rest.data.result.map((r) => ({ labels: r.metric, t: r.value[0] * 1000, value: Number(r.value[1]) })).sort((x, y) => x.labels['job']!.localeCompare(y.labels['job']!));
      expect(ours).toHaveLength(2);
      expect(ours).toEqual(theirs);
    });

    it('answers scalar and string results, and non-finite values as Prometheus spells them', async () => {
      const a = await gql<{ s: { resultType: string; scalar: number }; str: { resultType: string; string: string }; inf: { scalar: string } }>(
        pharos.url,
        '{ s: instantQuery(query: "1 + 1", timeMs: 1000) { resultType scalar } str: instantQuery(query: "\\"a<b\\"", timeMs: 1000) { resultType string } inf: instantQuery(query: "-1/0") { scalar } }',
      );
      expect(a.errors).toBeUndefined();
      expect(a.data).toEqual({ s: { resultType: 'SCALAR', scalar: 2 }, str: { resultType: 'STRING', string: 'a<b' }, inf: { scalar: '-Inf' } });
    });

    it('answers a range query with compact arrays equal to /api/v1/query_range', async () => {
      const params = { query: 'rate(qa_requests_total[2m])', start: BASE + 2 * MINUTE, end: BASE + 9 * MINUTE, step: 30_000 };
      const a = await gql<{ rangeQuery: { series: GqlSeries[] } }>(
        pharos.url,
        `query($q: String!, $s: Float!, $e: Float!, $st: Float!) { rangeQuery(query: $q, startMs: $s, endMs: $e, stepMs: $st) { ${RANGE_FIELDS} } }`,
        { q: params.query, s: params.start, e: params.end, st: params.step },
      );
      expect(a.errors).toBeUndefined();
      const rest = (await (
        await fetch(`${pharos.url}/api/v1/query_range?${new URLSearchParams({ query: params.query, start: String(params.start / 1000), end: String(params.end / 1000), step: '30' })}`)
      ).json()) as { data: { result: { metric: Record<string, string>; values: [number, string][] }[] } };
      const ours = byLabels(a.data!.rangeQuery.series).map(({ labels, timestamps, values }) => ({ labels, timestamps, values }));
      expect(ours).toHaveLength(4);
      expect(ours[0]!.timestamps.length).toBeGreaterThan(10);
      expect(ours).toEqual(restSeries(rest.data.result));
    });

    it('puts values on the step grid with null for missing steps (gridValues)', async () => {
      // qa_gauge ends at BASE + 10 min: with the 5 min lookback (exclusive) the last point is at
      // BASE + 14 min, and the window runs to BASE + 17 min.
      const [start, end, step] = [BASE + 8 * MINUTE, BASE + 17 * MINUTE, MINUTE];
      const a = await gql<{ rangeQuery: { series: (GqlSeries & { gridValues: (number | null)[] })[] } }>(
        pharos.url,
        `{ rangeQuery(query: "qa_gauge{instance=\\"a:1\\",job=\\"api\\"}", startMs: ${start}, endMs: ${end}, stepMs: ${step}) { series { timestamps values gridValues } } }`,
      );
      expect(a.errors).toBeUndefined();
      const [s] = a.data!.rangeQuery.series;
      expect(s!.gridValues).toHaveLength(10);
      expect(s!.timestamps).toHaveLength(7);
      const expected = Array.from({ length: 10 }, (_, k) => {
        const i = s!.timestamps.indexOf(start + k * step);
        return i < 0 ? null : s!.values[i];
      });
      expect(s!.gridValues).toEqual(expected);
      expect(s!.gridValues.slice(7)).toEqual([null, null, null]);
    });

    it('returns native histograms with their buckets, as /api/v1/query_range does', async () => {
      const [start, end] = [BASE, BASE + 2 * MINUTE];
      const a = await gql<{ rangeQuery: { series: GqlSeries[] } }>(
        pharos.url,
        `{ rangeQuery(query: "qa_hist{kind=\\"custom\\"}", startMs: ${start}, endMs: ${end}, stepMs: ${STEP}) { ${RANGE_FIELDS} } }`,
      );
      expect(a.errors).toBeUndefined();
      const [s] = a.data!.rangeQuery.series;
      expect(s!.labels).toEqual({ __name__: 'qa_hist', kind: 'custom' });
      expect(s!.values).toEqual([]);
      expect(s!.histograms).toHaveLength(9);
      // Written at i = 2: count 12, sum 9.25.
      expect(s!.histograms[2]).toMatchObject({ t: BASE + 2 * STEP, count: 12, sum: 9.25 });
      const rest = (await (
        await fetch(`${pharos.url}/api/v1/query_range?${new URLSearchParams({ query: 'qa_hist{kind="custom"}', start: String(start / 1000), end: String(end / 1000), step: '15' })}`)
      ).json()) as { data: { result: { histograms: [number, { count: string; sum: string; buckets: [number, string, string, string][] }][] }[] } };
      const num = (v: string): number | string => (v === '+Inf' || v === '-Inf' || v === 'NaN' ? v : Number(v));
      expect(s!.histograms).toEqual(
        rest.data.result[0]!.histograms.map(([t, h]) => ({ t: Math.round(t * 1000), count: num(h.count), sum: num(h.sum), buckets: h.buckets.map(([r, lo, hi, c]) => [r, num(lo), num(hi), num(c)]) })),
      );
    });

    it('lists label names, label values and series of the tenant', async () => {
      const a = await gql<{ labelNames: string[]; labelValues: string[]; series: Record<string, string>[] }>(
        pharos.url,
        '{ labelNames(match: ["qa_gauge"]) labelValues(name: "job", match: ["{__name__=~\\"qa_.*\\"}"]) series(match: ["qa_gauge{job=\\"api\\"}"]) }',
      );
      expect(a.errors).toBeUndefined();
      expect(a.data!.labelNames).toEqual(['__name__', 'instance', 'job']);
      expect(a.data!.labelValues).toEqual(['api', 'db']);
      expect(a.data!.series.map((s) => s['instance']).sort()).toEqual(['a:1', 'b:2']);
      expect(a.data!.series.every((s) => s['__name__'] === 'qa_gauge' && s['job'] === 'api')).toBe(true);
    });

    it('evaluates a batch of 12 aliased panels, each equal to the same query asked alone', async () => {
      const vars = { start: LOAD_START, end: LOAD_END, step: STEP };
      const batch = await gql<Record<string, { series: GqlSeries[] }>>(pharos.url, batchedPanels(), vars);
      expect(batch.errors).toBeUndefined();
      expect(Object.keys(batch.data!)).toHaveLength(12);
      expect(batch.data!['p2']!.series).toHaveLength(LOAD_SERIES);
      expect(batch.data!['p2']!.series[0]!.timestamps).toHaveLength(LOAD_POINTS);
      for (const [i, query] of PANELS.entries()) {
        const alone = await gql<{ rangeQuery: { series: GqlSeries[] } }>(
          pharos.url,
          `query($q: String!) { rangeQuery(query: $q, startMs: ${LOAD_START}, endMs: ${LOAD_END}, stepMs: ${STEP}) { ${RANGE_FIELDS} } }`,
          { q: query },
        );
        expect(byLabels(batch.data![`p${i}`]!.series), query).toEqual(byLabels(alone.data!.rangeQuery.series));
      }
    });

    it('measures a batched 12-panel query (12 × 20 series × 1,000 points) against the same panels over REST', async () => {
      const vars = { start: LOAD_START, end: LOAD_END, step: STEP };
      const graphql = (fields?: string) => async (): Promise<number> => {
        const res = await fetch(`${pharos.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: batchedPanels(fields), variables: vars }) });
        const bytes = (await res.arrayBuffer()).byteLength;
        expect(res.status).toBe(200);
        return bytes;
      };
      const rest = async (): Promise<number> => {
        const bodies = await Promise.all(
          PANELS.map(async (query) => {
            const res = await fetch(`${pharos.url}/api/v1/query_range?${new URLSearchParams({ query, start: String(LOAD_START / 1000), end: String(LOAD_END / 1000), step: '15' })}`);
            expect(res.status).toBe(200);
            return (await res.arrayBuffer()).byteLength;
          }),
        );
        return bodies.reduce((a, b) => a + b, 0);
      };
      const measure = async (run: () => Promise<number>) => {
        for (let i = 0; i < 3; i++) await run();
        const times: number[] = [];
        let bytes = 0;
        for (let i = 0; i < 20; i++) {
          const t0 = performance.now();
          bytes = await run();
          times.push(performance.now() - t0);
        }
        times.sort((a, b) => a - b);
        return { p50Ms: +percentile(times, 50).toFixed(1), p99Ms: +percentile(times, 99).toFixed(1), minMs: +times[0]!.toFixed(1), responseBytes: bytes, runs: times.length };
      };
      const report = { graphqlBatch: await measure(graphql()), graphqlBatchGridValues: await measure(graphql('series { labels gridValues }')), rest12Concurrent: await measure(rest) };
      console.log(`[graphql] 12-panel dashboard, 12 × 20 series × 1,000 points: ${JSON.stringify(report)}`);
      expect(report.graphqlBatch.responseBytes).toBeGreaterThan(1_000_000);
    });
  });

  describe('errors carry stable codes', () => {
    it('BAD_QUERY for PromQL that does not parse and for bad arguments', async () => {
      const a = await gql(pharos.url, '{ instantQuery(query: "sum(") { resultType } }');
      expect(codes(a)).toEqual(['BAD_QUERY']);
      expect(a.errors![0]!.message).toContain('unclosed left parenthesis');
      const b = await gql(pharos.url, '{ rangeQuery(query: "up", startMs: 10, endMs: 0, stepMs: 1) { warnings } }');
      expect(codes(b)).toEqual(['BAD_QUERY']);
      const c = await gql(pharos.url, '{ series(match: ["{"]) }');
      expect(codes(c)).toEqual(['BAD_QUERY']);
      const d = await gql(pharos.url, '{ noSuchField }');
      expect(codes(d)).toEqual(['BAD_QUERY']);
    });

    it('LIMIT_EXCEEDED for the tenant sample limit and for too many points', async () => {
      const a = await gql(pharos.url, `{ rangeQuery(query: "qa_gauge", startMs: ${BASE}, endMs: ${BASE + 5 * MINUTE}, stepMs: 15000) { warnings } }`, {}, { 'x-scope-orgid': 'tiny' });
      expect(codes(a)).toEqual(['LIMIT_EXCEEDED']);
      expect(a.errors![0]!.message).toContain('too many samples');
      const b = await gql(pharos.url, '{ rangeQuery(query: "1", startMs: 0, endMs: 20000000, stepMs: 1) { warnings } }');
      expect(codes(b)).toEqual(['LIMIT_EXCEEDED']);
    });

    it('TIMEOUT when the query outlives its timeout', async () => {
      const a = await gql(pharos.url, `{ rangeQuery(query: "sum(rate(gql_load_total[5m]))", startMs: ${LOAD_START}, endMs: ${LOAD_END}, stepMs: 15000, timeoutMs: 1) { warnings } }`);
      expect(codes(a)).toEqual(['TIMEOUT']);
    });

    it('keeps the other fields of a batch when one fails', async () => {
      const a = await gql<{ ok: { scalar: number } | null; bad: unknown }>(pharos.url, '{ ok: instantQuery(query: "3") { scalar } bad: instantQuery(query: "rate(") { scalar } }');
      expect(a.data!.ok).toEqual({ scalar: 3 });
      expect(a.errors!.map((e) => [e.path?.[0], e.extensions?.code])).toEqual([['bad', 'BAD_QUERY']]);
    });

    it('QUERY_TOO_DEEP and QUERY_TOO_COMPLEX before anything runs', async () => {
      // graphql-js' own introspection query (13 levels through fragments) is accepted…
      const standard = await gql(pharos.url, getIntrospectionQuery());
      expect(standard.errors).toBeUndefined();
      // …but an introspection chain past its limit is not, nor a deep selection of anything.
      let chain = 'name';
      for (let i = 0; i < 9; i++) chain = `fields { type { ${chain} } }`;
      const deepIntrospection = await gql(pharos.url, `{ __type(name: "Query") { ${chain} } }`);
      // graphql-js' own MaxIntrospectionDepthRule may refuse it too (BAD_QUERY).
      expect(codes(deepIntrospection)).toContain('QUERY_TOO_DEEP');
      expect(deepIntrospection.data).toBeUndefined();
      let nested = 'leaf';
      for (let i = 0; i < 9; i++) nested = `a${i} { ${nested} }`;
      const deep = await gql(pharos.url, `fragment F on Query { ${nested} } query Deep { ...F }`);
      expect(codes(deep)).toContain('QUERY_TOO_DEEP');
      expect(deep.errors!.find((e) => e.extensions?.code === 'QUERY_TOO_DEEP')!.message).toBe('operation "Deep" is 10 levels deep; at most 8 are allowed');

      const panels = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `r${i}: rangeQuery(query: "1", startMs: 0, endMs: 1000, stepMs: 1000) { warnings }`).join(' ')} }`;
      expect((await gql(pharos.url, panels(30))).errors).toBeUndefined();
      const complex = await gql(pharos.url, panels(41));
      expect(codes(complex)).toEqual(['QUERY_TOO_COMPLEX']);
      expect(complex.data).toBeUndefined();
    });
  });

  describe('dashboards and folders', () => {
    it('creates, reads, searches, updates with versions and deletes', async () => {
      const folder = await gql<{ createFolder: { uid: string; title: string; version: number } }>(pharos.url, 'mutation { createFolder(title: "Ops", uid: "ops") { uid title version } }');
      expect(folder.data!.createFolder).toEqual({ uid: 'ops', title: 'Ops', version: 1 });
      const model = JSON.stringify({ panels: [{ id: 1, type: 'timeseries', targets: [{ expr: 'rate(qa_requests_total[5m])' }] }] });
      const created = await gql<{ createDashboard: { uid: string; version: number; tags: string[]; folderUid: string; model: string } }>(
        pharos.url,
        'mutation($in: DashboardInput!) { createDashboard(input: $in) { uid version tags folderUid model title } }',
        { in: { uid: 'node-overview', title: 'Node Overview', tags: ['linux', 'prod'], model, folderUid: 'ops' } },
      );
      expect(created.errors).toBeUndefined();
      expect(created.data!.createDashboard).toMatchObject({ uid: 'node-overview', version: 1, tags: ['linux', 'prod'], folderUid: 'ops', model });
      await gql(pharos.url, 'mutation { createDashboard(input: { title: "API latency", tags: ["prod"] }) { uid } }');

      const search = await gql<{ byTitle: { uid: string }[]; byTag: { title: string }[]; both: { title: string }[]; tags: { tag: string; count: number }[]; folders: { uid: string }[] }>(
        pharos.url,
        '{ byTitle: dashboards(search: { query: "overview" }) { uid } byTag: dashboards(search: { tags: ["prod"] }) { title } both: dashboards(search: { tags: ["prod", "linux"] }) { title } tags: dashboardTags { tag count } folders { uid } }',
      );
      expect(search.data).toEqual({
        byTitle: [{ uid: 'node-overview' }],
        byTag: [{ title: 'API latency' }, { title: 'Node Overview' }],
        both: [{ title: 'Node Overview' }],
        tags: [{ tag: 'linux', count: 1 }, { tag: 'prod', count: 2 }],
        folders: [{ uid: 'ops' }],
      });

      const update = 'mutation($v: Int!, $p: DashboardPatchInput!) { updateDashboard(uid: "node-overview", version: $v, patch: $p) { version title folderUid tags } }';
      const updated = await gql<{ updateDashboard: unknown }>(pharos.url, update, { v: 1, p: { title: 'Nodes', folderUid: null } });
      expect(updated.data!.updateDashboard).toEqual({ version: 2, title: 'Nodes', folderUid: null, tags: ['linux', 'prod'] });
      const stale = await gql(pharos.url, update, { v: 1, p: { title: 'Lost update' } });
      expect(codes(stale)).toEqual(['VERSION_CONFLICT']);
      expect(stale.errors![0]!.extensions!['currentVersion']).toBe(2);

      const badModel = await gql(pharos.url, 'mutation { createDashboard(input: { title: "x", model: "[1" }) { uid } }');
      expect(codes(badModel)).toEqual(['BAD_INPUT']);
      const duplicate = await gql(pharos.url, 'mutation { createDashboard(input: { uid: "node-overview", title: "again" }) { uid } }');
      expect(codes(duplicate)).toEqual(['ALREADY_EXISTS']);

      expect((await gql(pharos.url, 'mutation { deleteDashboard(uid: "node-overview") }')).data).toEqual({ deleteDashboard: true });
      expect((await gql(pharos.url, '{ dashboard(uid: "node-overview") { uid } }')).data).toEqual({ dashboard: null });
      expect(codes(await gql(pharos.url, 'mutation { deleteDashboard(uid: "node-overview") }'))).toEqual(['NOT_FOUND']);
      expect((await gql(pharos.url, 'mutation { deleteFolder(uid: "ops") }')).data).toEqual({ deleteFolder: true });
    });
  });

  describe('tenant isolation', () => {
    it('tenant "other" sees neither the data nor the dashboards of "default", and the reverse', async () => {
      await gql(pharos.url, 'mutation { createDashboard(input: { uid: "default-only", title: "Default only" }) { uid } }');
      await gql(pharos.url, 'mutation { createDashboard(input: { uid: "other-only", title: "Other only" }) { uid } }', {}, other);
      const q = `{ d: dashboard(uid: "default-only") { uid } o: dashboard(uid: "other-only") { uid } all: dashboards { uid } names: labelValues(name: "__name__") v: instantQuery(query: "qa_gauge", timeMs: ${BASE + 5 * MINUTE}) { samples { labels } } }`;
      const asOther = await gql<{ d: unknown; o: unknown; all: { uid: string }[]; names: string[]; v: { samples: unknown[] } }>(pharos.url, q, {}, other);
      expect(asOther.errors).toBeUndefined();
      expect(asOther.data).toEqual({ d: null, o: { uid: 'other-only' }, all: [{ uid: 'other-only' }], names: ['gql_other_only'], v: { samples: [] } });
      const asDefault = await gql<{ d: unknown; o: unknown; names: string[]; v: { samples: unknown[] } }>(pharos.url, q);
      expect(asDefault.data!.d).toEqual({ uid: 'default-only' });
      expect(asDefault.data!.o).toBeNull();
      expect(asDefault.data!.names).not.toContain('gql_other_only');
      expect(asDefault.data!.v.samples).toHaveLength(4);
      // Other tenants cannot change what they cannot see.
      expect(codes(await gql(pharos.url, 'mutation { deleteDashboard(uid: "default-only") }', {}, other))).toEqual(['NOT_FOUND']);
    });
  });

  describe('live subscriptions (graphql-ws)', () => {
    const LIVE = `subscription($q: String!, $w: Float!, $s: Float!, $r: Float!) {
      liveRangeQuery(query: $q, windowMs: $w, stepMs: $s, refreshMs: $r) { kind startMs endMs skippedTicks series { labels timestamps values } }
    }`;
    type Update = { kind: string; startMs: number; endMs: number; skippedTicks: number; series: { labels: Record<string, string>; timestamps: number[]; values: number[] }[] };

    it('pushes the whole window first, then only new points after a remote write', async () => {
      const now = Date.now();
      const first = await remoteWrite(pharos.url, [{ labels: { __name__: 'gql_live', job: 'live' }, samples: [{ timestamp: now - 5_000, value: 1 }] }]);
      expect(first.status).toBe(204);
      await waitForSeries(pharos.url, 'gql_live', (s) => s.length === 1, { timeoutMs: 10_000 });

      const { client } = wsClient(pharos.url);
      const updates = client.iterate<{ liveRangeQuery: Update }>({ query: LIVE, variables: { q: 'gql_live', w: 60_000, s: 1_000, r: 1_000 } });
      try {
        const full = await updates.next();
        expect(full.value?.errors).toBeUndefined();
        const f = full.value!.data!.liveRangeQuery;
        expect(f.kind).toBe('FULL');
        expect(f.endMs - f.startMs).toBe(60_000);
        expect(f.series).toHaveLength(1);
        expect(f.series[0]!.values.every((v: number) => v === 1)).toBe(true);

        const written = Date.now();
        const res = await remoteWrite(pharos.url, [{ labels: { __name__: 'gql_live', job: 'live' }, samples: [{ timestamp: written, value: 42 }] }]);
        expect(res.status).toBe(204);
        const deadline = Date.now() + 15_000;
        let seen: Update | undefined;
        while (Date.now() < deadline) {
          const next = await updates.next();
          const u = next.value!.data!.liveRangeQuery;
          expect(u.kind).toBe('APPEND');
          // An APPEND starts at the last step already sent: never the whole window again.
          expect(u.endMs - u.startMs).toBeLessThanOrEqual(5_000);
          if (u.series[0]?.values.includes(42)) {
            seen = u;
            break;
          }
        }
        expect(seen, 'an update with the written value').toBeDefined();
        const at = seen!.series[0]!.timestamps[seen!.series[0]!.values.indexOf(42)]!;
        expect(at).toBeGreaterThanOrEqual(Math.floor(written / 1000) * 1000);
      } finally {
        await updates.return?.();
        await client.dispose();
      }
    });

    it('refuses refresh intervals under 1 s, queries deeper than allowed and more than the per-connection cap', async () => {
      const { client } = wsClient(pharos.url);
      try {
        const fast = client.iterate({ query: LIVE, variables: { q: 'gql_live', w: 60_000, s: 1_000, r: 200 } });
        const answer = await fast.next();
        expect(answer.value?.errors?.map((e: { extensions?: unknown }) => (e.extensions as { code?: string } | undefined)?.code)).toEqual(['BAD_QUERY']);

        let nested = 'kind';
        for (let i = 0; i < 9; i++) nested = `a${i}: liveRangeQuery(query: "1", windowMs: 1000, stepMs: 1000, refreshMs: 1000) { ${nested} }`;
        const deep = client.iterate({ query: `subscription { ${nested} }` });
        await expect(deep.next()).rejects.toEqual(expect.arrayContaining([expect.objectContaining({ extensions: expect.objectContaining({ code: 'QUERY_TOO_DEEP' }) })]));

        const feeds = Array.from({ length: 33 }, () => client.iterate<{ liveRangeQuery: Update }>({ query: LIVE, variables: { q: 'vector(1)', w: 10_000, s: 1_000, r: 60_000 } }));
        const firsts = await Promise.all(feeds.map((f) => f.next()));
        const errorCodes = firsts.map((r) => r.value?.errors?.[0]?.extensions as { code?: string } | undefined).map((e) => e?.code);
        expect(errorCodes.filter((c) => c === 'SUBSCRIPTION_LIMIT')).toHaveLength(1);
        expect(firsts.filter((r) => r.value?.data?.liveRangeQuery.kind === 'FULL')).toHaveLength(32);
        // Completing one frees its slot at once.
        await feeds[0]!.return?.();
        await new Promise((r) => setTimeout(r, 100));
        const again = client.iterate<{ liveRangeQuery: Update }>({ query: LIVE, variables: { q: 'vector(1)', w: 10_000, s: 1_000, r: 60_000 } });
        expect((await again.next()).value?.data?.liveRangeQuery.kind).toBe('FULL');
        await again.return?.();
        await Promise.all(feeds.map((f) => f.return?.()));
      } finally {
        await client.dispose();
      }
    });
  });

  describe('self-metrics', () => {
    const ops = (operation_type: string, outcome: string) => selfMetric(pharos.url, 'pharos_graphql_operations_total', { operation_type, outcome });
    const queries = (outcome: string) => selfMetric(pharos.url, 'pharos_query_requests_total', { endpoint: 'graphql', outcome });

    it('counts operations by type and outcome, and each metric-query field under endpoint graphql', async () => {
      const before = {
        querySuccess: await ops('query', 'success'),
        queryPartial: await ops('query', 'partial'),
        queryError: await ops('query', 'error'),
        mutationSuccess: await ops('mutation', 'success'),
        fieldsOk: await queries('success'),
        fieldsBad: await queries('bad_data'),
        restQuery: await selfMetric(pharos.url, 'pharos_query_requests_total', { endpoint: 'query' }),
        timed: await selfMetric(pharos.url, 'pharos_query_duration_seconds_count', { endpoint: 'graphql' }),
      };
      const both = await gql(pharos.url, '{ a: instantQuery(query: "vector(1)") { resultType } b: rangeQuery(query: "qa_gauge", startMs: 0, endMs: 60000, stepMs: 15000) { warnings } }');
      expect(both.errors).toBeUndefined();
      const half = await gql(pharos.url, '{ a: instantQuery(query: "vector(1)") { resultType } b: instantQuery(query: "rate(") { resultType } }');
      expect(codes(half)).toEqual(['BAD_QUERY']);
      const refused = await gql(pharos.url, '{ nope }');
      expect(codes(refused)).toEqual(['BAD_QUERY']);
      const created = await gql(pharos.url, 'mutation { createDashboard(input: { uid: "metrics-board", title: "Counted" }) { uid } }');
      expect(created.errors).toBeUndefined();

      expect(await ops('query', 'success')).toBe(before.querySuccess + 1);
      expect(await ops('query', 'partial')).toBe(before.queryPartial + 1);
      expect(await ops('query', 'error')).toBe(before.queryError + 1);
      expect(await ops('mutation', 'success')).toBe(before.mutationSuccess + 1);
      // Three fields evaluated fine, one did not parse; none of it is a REST query.
      expect(await queries('success')).toBe(before.fieldsOk + 3);
      expect(await queries('bad_data')).toBe(before.fieldsBad + 1);
      expect(await selfMetric(pharos.url, 'pharos_query_requests_total', { endpoint: 'query' })).toBe(before.restQuery);
      expect(await selfMetric(pharos.url, 'pharos_query_duration_seconds_count', { endpoint: 'graphql' })).toBe(before.timed + 4);
    });

    it('gauges open live subscriptions and counts WebSocket operations', async () => {
      const baseline = await selfMetric(pharos.url, 'pharos_graphql_subscriptions_active');
      const subscribed = await ops('subscription', 'success');
      const refusedDeep = await ops('subscription', 'error');
      const { client } = wsClient(pharos.url);
      try {
        const sub = (q: string) => `subscription { liveRangeQuery(query: ${JSON.stringify(q)}, windowMs: 10000, stepMs: 1000, refreshMs: 60000) { kind } }`;
        const feeds = [client.iterate({ query: sub('vector(1)') }), client.iterate({ query: sub('vector(2)') })];
        const firsts = await Promise.all(feeds.map((f) => f.next()));
        expect(firsts.map((r) => (r.value?.data as { liveRangeQuery?: { kind: string } } | undefined)?.liveRangeQuery?.kind)).toEqual(['FULL', 'FULL']);
        expect(await selfMetric(pharos.url, 'pharos_graphql_subscriptions_active')).toBe(baseline + 2);
        expect(await ops('subscription', 'success')).toBe(subscribed + 2);

        let nested = 'kind';
        for (let i = 0; i < 9; i++) nested = `a${i}: liveRangeQuery(query: "1", windowMs: 1000, stepMs: 1000, refreshMs: 1000) { ${nested} }`;
        await expect(client.iterate({ query: `subscription { ${nested} }` }).next()).rejects.toBeDefined();
        expect(await ops('subscription', 'error')).toBe(refusedDeep + 1);

        await feeds[0]!.return?.();
        await new Promise((r) => setTimeout(r, 100));
        expect(await selfMetric(pharos.url, 'pharos_graphql_subscriptions_active')).toBe(baseline + 1);
        await feeds[1]!.return?.();
      } finally {
        await client.dispose();
      }
      const deadline = Date.now() + 5_000;
      while (Date.now() < deadline && (await selfMetric(pharos.url, 'pharos_graphql_subscriptions_active')) !== baseline) await new Promise((r) => setTimeout(r, 50));
      expect(await selfMetric(pharos.url, 'pharos_graphql_subscriptions_active')).toBe(baseline);
    });
  });
});

describe('GraphQL gateway with auth on (YAML keys for tenants a and b)', () => {
  const dir = tempDir('graphql-auth');
  let pharos: PharosProcess;
  const keyA = { authorization: 'Bearer gql-tenant-a-key-0123456789' };
  const keyB = { authorization: 'Bearer gql-tenant-b-key-0123456789' };

  beforeAll(async () => {
    const configFile = join(dir, 'pharos.yaml');
    writeFileSync(
      configFile,
      [
        'auth:',
        '  enabled: true',
        '  initial_admin_password: "graphql-test-admin-pw-1"',
        '  keys:',
        '    - name: a',
        '      tenants: [a]',
        '      token: gql-tenant-a-key-0123456789',
        '    - name: b',
        '      tenants: [b]',
        '      token: gql-tenant-b-key-0123456789',
        'graphql:',
        '  subscriptions_per_connection: 2',
        '  min_refresh: 2s',
      ].join('\n') + '\n',
    );
    pharos = await startPharos({ dataDir: join(dir, 'data'), args: ['--config', configFile] });
    for (const [key, name] of [[keyA, 'gql_a_metric'], [keyB, 'gql_b_metric']] as const) {
      const res = await remoteWrite(pharos.url, [{ labels: { __name__: name, job: 'x' }, samples: [{ timestamp: Date.now() - 1_000, value: 1 }] }], { headers: key });
      expect(res.status, await res.text()).toBe(204);
    }
    // Both tenants' samples are queryable once the processor has appended them.
    for (const key of [keyA, keyB]) {
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline) {
        const a = await gql<{ labelValues: string[] }>(pharos.url, '{ labelValues(name: "__name__") }', {}, key);
        if (a.data?.labelValues.length) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }, 5 * 60_000);

  afterAll(async () => {
    await pharos?.stop();
    removeDir(dir);
  });

  it('refuses requests without credentials over HTTP and WebSocket', async () => {
    const a = await gql(pharos.url, '{ labelNames }');
    expect(a.status).toBe(401);
    expect(a.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    const { client, closed } = wsClient(pharos.url);
    const it = client.iterate({ query: '{ labelNames }' });
    await expect(it.next()).rejects.toBeDefined();
    expect((await closed).code).toBe(4401);
    await client.dispose();
  });

  it('each key sees only its tenant: data and dashboards', async () => {
    const a = await gql<{ labelValues: string[] }>(pharos.url, '{ labelValues(name: "__name__") }', {}, keyA);
    expect(a.data!.labelValues).toEqual(['gql_a_metric']);
    const b = await gql<{ labelValues: string[] }>(pharos.url, '{ labelValues(name: "__name__") }', {}, keyB);
    expect(b.data!.labelValues).toEqual(['gql_b_metric']);

    const created = await gql(pharos.url, 'mutation { createDashboard(input: { uid: "a-board", title: "A board" }) { uid } }', {}, keyA);
    expect(created.errors).toBeUndefined();
    expect((await gql(pharos.url, '{ dashboards { uid } }', {}, keyB)).data).toEqual({ dashboards: [] });
    expect((await gql(pharos.url, '{ dashboards { uid } }', {}, keyA)).data).toEqual({ dashboards: [{ uid: 'a-board' }] });
  });

  it('FORBIDDEN when a key names a tenant it does not hold, over HTTP and WebSocket', async () => {
    const a = await gql(pharos.url, '{ labelNames dashboards { uid } }', {}, { ...keyA, 'x-scope-orgid': 'b' });
    expect(codes(a).sort()).toEqual(['FORBIDDEN', 'FORBIDDEN']);
    const { client } = wsClient(pharos.url, { Authorization: keyA.authorization, 'X-Scope-OrgID': 'b' });
    try {
      const sub = client.iterate({ query: 'subscription { liveRangeQuery(query: "gql_b_metric", windowMs: 60000, stepMs: 1000, refreshMs: 1000) { kind } }' });
      const first = await sub.next();
      expect(first.value?.errors?.map((e: { extensions?: unknown }) => (e.extensions as { code?: string }).code)).toEqual(['FORBIDDEN']);
    } finally {
      await client.dispose();
    }
  });

  it('applies the graphql.* limits of the configuration file', async () => {
    const { client } = wsClient(pharos.url, { Authorization: keyA.authorization });
    try {
      const live = (refreshMs: number) => `subscription { liveRangeQuery(query: "gql_a_metric", windowMs: 60000, stepMs: 1000, refreshMs: ${refreshMs}) { kind } }`;
      const fast = await client.iterate({ query: live(1_000) }).next();
      expect(fast.value?.errors?.[0]?.message).toBe('refreshMs must be between 2000 and 3600000, got 1000');
      const feeds = [0, 1, 2].map(() => client.iterate({ query: live(2_000) }));
      const firsts = await Promise.all(feeds.map((f) => f.next()));
      const errorCodes = firsts.map((r) => (r.value?.errors?.[0]?.extensions as { code?: string } | undefined)?.code);
      expect(errorCodes.filter((c) => c === 'SUBSCRIPTION_LIMIT')).toHaveLength(1);
      expect(errorCodes.filter((c) => c === undefined)).toHaveLength(2);
      await Promise.all(feeds.map((f) => f.return?.()));
    } finally {
      await client.dispose();
    }
  });
});
