import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertGrafanaDashboard, serializeDashboardModel } from '#pharos/dashboard-model';
import { LOCAL_PRINCIPAL } from '#pharos/identity';
import { MetadataStore } from '#pharos/metadata';
import type { GraphqlCallerResolver } from './caller.js';
import type { GraphqlContext } from './context.js';
import { checkModel, DashboardResolver } from './dashboard.resolver.js';
import { GraphQLError } from './graphql-runtime.js';

/** The resolver over a real (in-memory SQLite) metadata store; the caller is the local user of tenant "t1". */
describe('DashboardResolver model validation', () => {
  let store: MetadataStore;
  let resolver: DashboardResolver;
  const callers = { tenantFor: () => 't1' } as unknown as GraphqlCallerResolver;
  const ctx: GraphqlContext = { caller: { principal: LOCAL_PRINCIPAL, headers: {} }, signal: undefined, connection: undefined };

  beforeAll(async () => {
    store = await MetadataStore.open({ url: 'sqlite://:memory:' });
    resolver = new DashboardResolver(callers, store);
  });
  afterAll(async () => {
    await store.close();
  });

  async function badInput(work: Promise<unknown>): Promise<{ message: string; path: unknown }> {
    try {
      await work;
    } catch (err) {
      expect(err).toBeInstanceOf(GraphQLError);
      const e = err as GraphQLError;
      expect(e.extensions['code']).toBe('BAD_INPUT');
      return { message: e.message, path: e.extensions['path'] };
    }
    throw new Error('expected BAD_INPUT');
  }

  it('stores an accepted model byte-exact, including an imported Grafana dashboard', async () => {
    const model = '{ "panels": [ {"id": 1, "type": "stat", "targets": [{"expr": "up"}]} ],\n  "refresh": "30s" }';
    const created = await resolver.createDashboard(ctx, { title: 'ok', model, uid: 'ok' });
    expect(created.model).toBe(model);
    const imported = convertGrafanaDashboard(JSON.parse(readFileSync(new URL('../../../../libs/dashboard-model/src/fixtures/grafana-small.json', import.meta.url), 'utf8')));
    const text = serializeDashboardModel(imported.model);
    const again = await resolver.updateDashboard(ctx, 'ok', created.version, { model: text });
    expect(again.model).toBe(text);
    expect((await resolver.dashboard(ctx, 'ok'))!.model).toBe(text);
    expect((await resolver.createDashboard(ctx, { title: 'empty' })).model).toBe('{}');
  });

  it('refuses on create a model parseDashboardModel rejects, naming the JSON path', async () => {
    const bad = await badInput(resolver.createDashboard(ctx, { title: 'bad', model: JSON.stringify({ panels: [{ id: 1, gridPos: { x: 20, w: 8 } }] }) }));
    expect(bad.message).toBe('model is not a valid dashboard: $.panels[0].gridPos.w: x + w must be at most 24 (x is 20, w is 8)');
    expect(bad.path).toBe('$.panels[0].gridPos.w');
    expect((await badInput(resolver.createDashboard(ctx, { title: 'bad', model: '[1' }))).path).toBe('$');
    expect((await badInput(resolver.createDashboard(ctx, { title: 'bad', model: '{"schemaVersion":2}' }))).path).toBe('$.schemaVersion');
    // Nothing was stored.
    expect((await resolver.dashboards(ctx, { query: 'bad' })).length).toBe(0);
  });

  it('refuses on update and keeps the stored model', async () => {
    const created = await resolver.createDashboard(ctx, { title: 'keep', uid: 'keep', model: '{"panels":[]}' });
    const bad = await badInput(resolver.updateDashboard(ctx, 'keep', created.version, { model: '{"variables":[{"name":"__x","kind":"custom"}]}' }));
    expect(bad.path).toBe('$.variables[0].name');
    const now = (await resolver.dashboard(ctx, 'keep'))!;
    expect(now.model).toBe('{"panels":[]}');
    expect(now.version).toBe(created.version);
  });

  it('checkModel accepts what the console accepts', () => {
    expect(() => checkModel('{}')).not.toThrow();
    expect(() => checkModel('{"panels":[{"id":1,"type":"graph"}]}')).toThrow('$.panels[0].type');
  });
});
