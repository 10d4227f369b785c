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
import { DuckDBMetricStore, WriteTrackingStore } from '#pharos/storage';
import { SelfMetrics, createLogger } from '#pharos/telemetry';
import { TenantResolver } from '#pharos/tenancy';
import { QueryApiModule } from './query-api.module.js';

/** `query.max_source_resolution`: the resolution a range query reads when its request names none. */

const DAY = 86_400_000;
const SCRAPE = 60_000;
const T0 = 19_700 * DAY;

@Global()
@Module({})
class TestInfrastructure {}

describe('configured max_source_resolution', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-msr-default-'));
  let duck: DuckDBMetricStore;
  const apps: NestFastifyApplication[] = [];

  async function appWith(yamlText: string): Promise<NestFastifyApplication> {
    const providers = [
      { provide: CONFIG, useValue: loadConfig({ yamlText }) },
      { provide: LOGGER, useValue: createLogger({ level: 'error', format: 'json', destination: new PassThrough() }) },
      { provide: SELF_METRICS, useValue: new SelfMetrics('test') },
      { provide: TENANT_RESOLVER, useValue: new TenantResolver(false, []) },
      { provide: METRIC_STORE, useValue: new WriteTrackingStore(duck) },
    ];
    const infrastructure: DynamicModule = { module: TestInfrastructure, global: true, providers, exports: providers };
    @Module({ imports: [infrastructure, QueryApiModule] })
    class Root {}
    const app = await NestFactory.create<NestFastifyApplication>(Root, new FastifyAdapter(), { logger: false });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    apps.push(app);
    return app;
  }

  beforeAll(async () => {
    duck = await DuckDBMetricStore.open({ dir, threads: 1, defaultRetentionMs: 100 * 365 * DAY });
    const b = new MetricBatchBuilder('default');
    b.addSeries(labelsFromRecord({ __name__: 'x_total', instance: 'a' }));
    for (let i = 0; i < DAY / SCRAPE; i++) b.addSample(T0 + i * SCRAPE, i * 3);
    await duck.append(b.build());
    await duck.flush();
  }, 60_000);

  afterAll(async () => {
    for (const app of apps) await app.close();
    await duck?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  interface Answer {
    data: { result: unknown[]; stats?: { sourceResolutionMs?: number } };
  }
  const get = async (app: NestFastifyApplication, url: string): Promise<Answer> => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode, res.body).toBe(200);
    return JSON.parse(res.body) as Answer;
  };
  const range = `query=${encodeURIComponent('rate(x_total[30m])')}&start=${(T0 + 3_600_000) / 1000}&end=${(T0 + DAY) / 1000}&step=600&stats=all`;

  it('is raw when not configured', async () => {
    const app = await appWith('');
    expect((await get(app, `/api/v1/query_range?${range}`)).data.stats?.sourceResolutionMs).toBeUndefined();
  });

  it('applies to range queries without the parameter; the parameter overrides it; instant queries stay raw', async () => {
    const app = await appWith('query:\n  max_source_resolution: 1h\n');
    expect((await get(app, `/api/v1/query_range?${range}`)).data.stats?.sourceResolutionMs).toBe(3_600_000);
    expect((await get(app, `/api/v1/query_range?${range}&max_source_resolution=5m`)).data.stats?.sourceResolutionMs).toBe(300_000);
    const raw = await get(app, `/api/v1/query_range?${range}&max_source_resolution=raw`);
    expect(raw.data.stats?.sourceResolutionMs).toBeUndefined();
    const instant = `/api/v1/query?query=${encodeURIComponent('rate(x_total[2h])')}&time=${(T0 + DAY) / 1000}&stats=all`;
    expect((await get(app, instant)).data.stats?.sourceResolutionMs).toBeUndefined();
  });

  it('takes auto: a fifth of the step', async () => {
    const app = await appWith('query:\n  max_source_resolution: auto\n');
    // A 10 m step: 2 m, finer than any rollup, so raw (reported as 0: a resolution was asked for).
    expect((await get(app, `/api/v1/query_range?${range}`)).data.stats?.sourceResolutionMs).toBe(0);
    const coarse = range.replace('step=600', 'step=3600');
    expect((await get(app, `/api/v1/query_range?${coarse}`)).data.stats?.sourceResolutionMs).toBe(300_000);
  });
});
