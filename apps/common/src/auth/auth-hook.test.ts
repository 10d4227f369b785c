import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '#pharos/config';
import { MetadataStore } from '#pharos/metadata';
import { TenantResolver } from '#pharos/tenancy';
import { PUBLIC_ROUTE_CONFIG, doorPolicy, principalOf, registerAuthHook } from './auth-hook.js';
import { createIdentityServices, type IdentityServices } from './identity-services.js';
import { RequestPrincipalResolver } from './request-principal.js';

/** A server with the hook and handlers that report what they were told, as the role modules read it. */
function serverWith(resolver: RequestPrincipalResolver, tenants: TenantResolver): FastifyInstance {
  const app = Fastify();
  registerAuthHook(app, resolver, tenants);
  const echo = (req: Parameters<typeof principalOf>[0]) => ({ resolution: tenants.resolve(req.headers), principal: principalOf(req)?.principal.kind ?? null });
  app.post('/api/v1/write', async (req) => echo(req));
  app.get('/api/v1/labels', async (req) => echo(req));
  app.get('/api/session', async (req) => echo(req));
  app.post('/api/tenants', async (req) => echo(req));
  app.get('/-/ready', async () => 'ok');
  app.post('/graphql', async (req) => echo(req));
  // As the console serves its files: a wildcard marked public, beside closed data routes.
  app.route({ method: ['GET', 'HEAD'], url: '/*', config: PUBLIC_ROUTE_CONFIG, handler: async () => 'static file' });
  return app;
}

describe('doorPolicy', () => {
  it('opens health and login, writes ingestion, leaves management to the handlers, reads the rest', () => {
    expect(doorPolicy('GET', '/-/ready')).toEqual({ kind: 'open' });
    expect(doorPolicy('POST', '/api/login')).toEqual({ kind: 'open' });
    for (const path of ['/api/v1/write', '/api/v1/push', '/otlp/v1/metrics', '/api/v2/write', '/write']) {
      expect(doorPolicy('POST', path)).toEqual({ kind: 'action', action: 'metrics:write' });
    }
    expect(doorPolicy('POST', '/api/v1/targets/static')).toEqual({ kind: 'action', action: 'metrics:write' });
    expect(doorPolicy('GET', '/api/v1/targets/static')).toEqual({ kind: 'action', action: 'metrics:read' });
    expect(doorPolicy('POST', '/-/reload')).toEqual({ kind: 'action', action: 'tenants:manage' });
    expect(doorPolicy('DELETE', '/api/tenants/a/keys/1')).toEqual({ kind: 'authenticated' });
    expect(doorPolicy('POST', '/graphql')).toEqual({ kind: 'authenticated' });
    expect(doorPolicy('POST', '/api/v1/query')).toEqual({ kind: 'action', action: 'metrics:read' });
    expect(doorPolicy('GET', '/api/tenantsX')).toEqual({ kind: 'action', action: 'metrics:read' });
  });
});

describe('auth hook, auth off', () => {
  it('leaves data doors as before and runs management as the local user', async () => {
    const tenants = new TenantResolver(false, []);
    const app = serverWith(new RequestPrincipalResolver(tenants, undefined), tenants);
    const write = await app.inject({ method: 'POST', url: '/api/v1/write', headers: { 'x-scope-orgid': 'team-x' } });
    expect(write.json()).toEqual({ resolution: { ok: true, tenant: 'team-x' }, principal: null });
    expect((await app.inject({ method: 'GET', url: '/api/session' })).json()).toMatchObject({ principal: 'local' });
    await app.close();
  });
});

describe('auth hook, auth on, over a metadata store', () => {
  let store: MetadataStore;
  let identity: IdentityServices;
  let app: FastifyInstance;
  let resolver: RequestPrincipalResolver;
  const config = loadConfig({ env: { PHAROS_AUTH_ENABLED: 'true' } });
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    store = await MetadataStore.open({ url: 'sqlite://:memory:' });
    identity = createIdentityServices(store, config.auth);
    for (const id of ['a', 'b']) await store.tenants.create({ id });
    for (const [name, tenant, role] of [['w', 'a', 'editor'], ['v', 'a', 'viewer'], ['bw', 'b', 'editor']] as const) {
      keys[name] = (await identity.apiKeyIssuer.issue({ ownerTenantId: tenant, role, name, expiresAt: null, createdBy: null })).key;
    }
    const tenants = new TenantResolver(true, [], identity.verifiers);
    resolver = new RequestPrincipalResolver(tenants, identity.sessions);
    app = serverWith(resolver, tenants);
  });
  afterAll(async () => {
    await app.close();
    await store.close();
  });

  it('hands the handler the tenant it checked, and refuses before the handler runs', async () => {
    const write = await app.inject({ method: 'POST', url: '/api/v1/write', headers: { authorization: `Bearer ${keys['w']}` } });
    expect(write.json()).toMatchObject({ resolution: { ok: true, tenant: 'a' }, principal: 'api_key' });
    const viewer = await app.inject({ method: 'POST', url: '/api/v1/write', headers: { authorization: `Bearer ${keys['v']}` } });
    expect(viewer.statusCode).toBe(403);
    expect(viewer.json()).toMatchObject({ status: 'error', errorType: 'forbidden' });
    expect((await app.inject({ method: 'GET', url: '/api/v1/labels', headers: { authorization: `Bearer ${keys['v']}` } })).json()).toMatchObject({ resolution: { tenant: 'a' } });
    expect((await app.inject({ method: 'GET', url: '/api/v1/labels', headers: { authorization: `Bearer ${keys['bw']}`, 'x-scope-orgid': 'a' } })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/v1/labels' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/-/ready' })).statusCode).toBe(200);
    // InfluxDB 1.x puts the token in the query string: read, and refused as a viewer's (not as missing).
    const influx = await app.inject({ method: 'POST', url: `/write?db=x&p=${keys['v']}` });
    expect(influx.statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/write?db=x' })).statusCode).toBe(401);
  });

  it('lets routes marked public through (the console\'s files) and keeps every other route closed', async () => {
    for (const url of ['/', '/explore', '/main.js']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toBe('static file');
    }
    expect((await app.inject({ method: 'GET', url: '/api/v1/labels' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/main.js' })).statusCode).toBe(401);
  });

  it('refuses GraphQL in GraphQL\'s error shape', async () => {
    const res = await app.inject({ method: 'POST', url: '/graphql', payload: { query: '{ labelNames }' } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ errors: [{ message: expect.any(String), extensions: { code: 'UNAUTHENTICATED' } }] });
  });

  it('checks CSRF on cookie-authenticated state changes, not on reads or bearer sessions', async () => {
    const user = await identity.userProvisioner.createUser({ login: 'ana', tenantId: 'a', role: 'admin', temporaryPassword: 'ana-temporary-pw' });
    const mustChange = await identity.sessionIssuer.issue(user.user);
    expect((await app.inject({ method: 'GET', url: '/api/v1/labels', headers: { cookie: `pharos_session=${mustChange.token}` } })).statusCode).toBe(403);
    await store.users.update(user.user.id, { mustChangePassword: false });
    const session = await identity.sessionIssuer.issue(user.user);
    const cookie = `other=1; pharos_session=${session.token}`;
    expect((await app.inject({ method: 'GET', url: '/api/v1/labels', headers: { cookie } })).json()).toMatchObject({ resolution: { tenant: 'a' }, principal: 'user' });
    expect((await app.inject({ method: 'POST', url: '/api/tenants', headers: { cookie } })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/api/tenants', headers: { cookie, 'x-csrf-token': 'wrong' } })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/api/tenants', headers: { cookie, 'x-csrf-token': session.csrfToken } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/api/tenants', headers: { authorization: `Bearer ${session.token}` } })).statusCode).toBe(200);
    await identity.sessionRevoker.revoke(session.session.id);
    expect((await app.inject({ method: 'GET', url: '/api/v1/labels', headers: { cookie } })).statusCode).toBe(401);
  });

  it('revokes a key in this process at once, through both caches', async () => {
    const issued = await identity.apiKeyIssuer.issue({ ownerTenantId: 'b', role: 'editor', name: 'temp', expiresAt: null, createdBy: null });
    const tenants = new TenantResolver(true, [], identity.verifiers);
    expect(await tenants.resolveAsync({ authorization: `Bearer ${issued.key}` }, 'write')).toMatchObject({ ok: true, tenant: 'b' });
    expect(tenants.resolve({ authorization: `Bearer ${issued.key}` })).toMatchObject({ ok: true, tenant: 'b' });
    await identity.apiKeyRevoker.revoke('b', issued.record.id);
    expect(tenants.resolve({ authorization: `Bearer ${issued.key}` })).toMatchObject({ ok: false, status: 401 });
    expect(await tenants.resolveAsync({ authorization: `Bearer ${issued.key}` }, 'read')).toMatchObject({ ok: false, status: 401, message: expect.stringMatching(/revoked/) });
  });

  it('costs microseconds per request for a known key (measured)', async () => {
    const request = { headers: { authorization: `Bearer ${keys['w']}` }, method: 'POST' };
    await resolver.resolve(request, 'metrics:write');
    const n = 20_000;
    const start = performance.now();
    for (let i = 0; i < n; i++) await resolver.resolve(request, 'metrics:write');
    const perCallUs = ((performance.now() - start) * 1000) / n;
    console.log(`RequestPrincipalResolver.resolve with a cached API key: ${perCallUs.toFixed(2)} µs/request`);
    expect(perCallUs).toBeLessThan(200);
  });
});
