import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG, LOGGER, METRIC_STORE, SELF_METRICS, TENANT_RESOLVER } from '#apps/common';
import { loadConfig } from '#pharos/config';
import { MetricBatchBuilder, labelsFromRecord } from '#pharos/metric-model';
import { DuckDBMetricStore } from '#pharos/storage';
import { SelfMetrics, createLogger } from '#pharos/telemetry';
import { TenantResolver } from '#pharos/tenancy';
import { QueryApiModule } from './query-api.module.js';
import { QueryTelemetry } from './query-telemetry.js';

/**
 * The query controllers in process, over the real PromQL engine and a real DuckDB store:
 * routing, tenant scoping, POST forms, error mapping and telemetry, without the built binary.
 */

const T0 = 1_700_000_000_000;

@Global()
@Module({})
class TestInfrastructure {}

describe('query API controllers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-query-api-'));
  let store: DuckDBMetricStore;
  let app: NestFastifyApplication;
  let metrics: SelfMetrics;

  beforeAll(async () => {
    store = await DuckDBMetricStore.open({ dir, threads: 1, defaultRetentionMs: 100 * 365 * 86_400_000 });
    for (const tenant of ['default', 'other', 'tiny']) {
      const b = new MetricBatchBuilder(tenant);
      for (const job of ['a', 'b']) {
        b.addSeries(labelsFromRecord({ __name__: 'up', job, tenant }));
        for (let i = 0; i < 20; i++) b.addSample(T0 + i * 15_000, job === 'a' ? i : 100 + i);
      }
      await store.append(b.build());
    }
    const config = loadConfig({ yamlText: 'limits:\n  tenants:\n    tiny:\n      query_max_samples: 3\n' });
    metrics = new SelfMetrics('test');
    const providers = [
      { provide: CONFIG, useValue: config },
      { provide: LOGGER, useValue: createLogger({ level: 'error', format: 'json', destination: new PassThrough() }) },
      { provide: SELF_METRICS, useValue: metrics },
      { provide: TENANT_RESOLVER, useValue: new TenantResolver(false, []) },
      { provide: METRIC_STORE, useValue: store },
    ];
    const infrastructure: DynamicModule = { module: TestInfrastructure, global: true, providers, exports: providers };
    @Module({ imports: [infrastructure, QueryApiModule] })
    class Root {}
    app = await NestFactory.create<NestFastifyApplication>(Root, new FastifyAdapter(), { logger: false });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = async (url: string, headers: Record<string, string> = {}) => {
    const res = await app.inject({ method: 'GET', url, headers });
    return { status: res.statusCode, body: res.body, type: res.headers['content-type'] };
  };

  it('answers an instant query for the request tenant only', async () => {
    const res = await get(`/api/v1/query?query=up&time=${(T0 + 60_000) / 1000}`);
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^application\/json\b/);
    expect(res.body).toBe(
      '{"status":"success","data":{"resultType":"vector","result":[' +
        '{"metric":{"__name__":"up","job":"a","tenant":"default"},"value":[1700000060,"4"]},' +
        '{"metric":{"__name__":"up","job":"b","tenant":"default"},"value":[1700000060,"104"]}]}}',
    );
    const other = await get(`/api/v1/query?query=sum(up)&time=${(T0 + 60_000) / 1000}`, { 'x-scope-orgid': 'other' });
    expect(other.body).toBe('{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000060,"108"]}]}}');
  });

  it('answers range queries from GET and POST forms alike', async () => {
    const params = `query=up%7Bjob%3D%22a%22%7D&start=${T0 / 1000}&end=${(T0 + 60_000) / 1000}&step=30`;
    const viaGet = await get(`/api/v1/query_range?${params}`);
    const viaPost = await app.inject({ method: 'POST', url: '/api/v1/query_range', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: params });
    expect(viaGet.body).toBe(
      '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"up","job":"a","tenant":"default"},"values":[[1700000000,"0"],[1700000030,"2"],[1700000060,"4"]]}]}}',
    );
    expect(viaPost.statusCode).toBe(200);
    expect(viaPost.body).toBe(viaGet.body);
  });

  it('maps errors to Prometheus types and status codes', async () => {
    const parse = await get('/api/v1/query?query=sum(');
    expect(parse.status).toBe(400);
    expect(JSON.parse(parse.body)).toMatchObject({ status: 'error', errorType: 'bad_data', error: expect.stringMatching(/^invalid parameter "query": 1:5: parse error/) });
    const step = await get('/api/v1/query_range?query=up&start=0&end=10&step=0');
    expect(JSON.parse(step.body)).toEqual({
      status: 'error',
      errorType: 'bad_data',
      error: 'invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer',
    });
    const tooMany = await get(`/api/v1/query?query=sum_over_time(up[10m])&time=${(T0 + 300_000) / 1000}`, { 'x-scope-orgid': 'tiny' });
    expect(tooMany.status).toBe(422);
    expect(JSON.parse(tooMany.body)).toMatchObject({ errorType: 'execution' });
    const badTenant = await get('/api/v1/query?query=1', { 'x-scope-orgid': 'no/slashes' });
    expect(badTenant.status).toBe(400);
  });

  it('formats and parses queries', async () => {
    expect((await get('/api/v1/format_query?query=sum(rate(x%5B5m%5D))by(job)')).body).toBe('{"status":"success","data":"sum by (job) (rate(x[5m]))"}');
    const parsed = JSON.parse((await get('/api/v1/parse_query?query=up')).body) as { data: { type: string } };
    expect(parsed.data.type).toBe('vectorSelector');
  });

  it('counts requests by endpoint and outcome', async () => {
    const text = await metrics.collect();
    expect(text).toMatch(/pharos_query_requests_total\{endpoint="query",outcome="success"\} [1-9]/);
    expect(text).toMatch(/pharos_query_requests_total\{endpoint="query",outcome="bad_data"\} [1-9]/);
    expect(text).toMatch(/pharos_query_requests_total\{endpoint="query_range",outcome="bad_data"\} 1/);
    expect(text).toMatch(/pharos_query_requests_total\{endpoint="query",outcome="execution"\} 1/);
  });
});

describe('slow query log', () => {
  it('logs queries at or above the threshold with their details, and no others', () => {
    const out = new PassThrough();
    const lines: string[] = [];
    out.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
    const telemetry = new QueryTelemetry(new SelfMetrics('test'), createLogger({ level: 'info', format: 'json', destination: out }), 100);
    telemetry.record({ endpoint: 'query', outcome: 'success', tenant: 't', durationMs: 99, query: 'fast' });
    telemetry.record({ endpoint: 'query_range', outcome: 'timeout', tenant: 't', durationMs: 150.4, query: 'slow', startMs: 1, endMs: 2, stepMs: 1 });
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        expect(lines).toHaveLength(1);
        expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn', msg: 'slow query', endpoint: 'query_range', tenant: 't', outcome: 'timeout', durationMs: 150, query: 'slow', stepMs: 1 });
        resolve();
      }),
    );
  });
});
