import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '#pharos/telemetry';
import { ConsoleAssets } from './console-assets.js';
import { registerConsoleRoutes } from './console-routes.js';

const logger = createLogger({ level: 'error', format: 'json', destination: new Writable({ write: (_chunk, _enc, done) => done() }) });

/** A Fastify server with one API route of its own, as the platform has, plus the console. */
async function server(assets: ConsoleAssets | null): Promise<FastifyInstance> {
  const app = Fastify();
  app.get('/api/v1/query', async () => ({ status: 'success' }));
  app.get('/-/ready', async () => 'ready');
  registerConsoleRoutes(app, assets, logger);
  await app.ready();
  return app;
}

describe('console routes on the main port', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-console-routes-'));
  const js = 'console.log(' + JSON.stringify('x'.repeat(4000)) + ');';
  let app: FastifyInstance;
  beforeAll(async () => {
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Pharos console</title>');
    writeFileSync(join(dir, 'main-AB12CD34.js'), js);
    app = await server(ConsoleAssets.load(dir));
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / and for client routes, never cached without revalidation', async () => {
    for (const url of ['/', '/explore?expr=up', '/explore/x']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.body).toContain('Pharos console');
    }
  });

  it('serves hashed chunks as immutable, compressed, with 304 on a matching ETag', async () => {
    const res = await app.inject({ url: '/main-AB12CD34.js', headers: { 'accept-encoding': 'gzip' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers['vary']).toBe('accept-encoding');
    const again = await app.inject({ url: '/main-AB12CD34.js', headers: { 'if-none-match': String(res.headers['etag']) } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    const head = await app.inject({ method: 'HEAD', url: '/main-AB12CD34.js' });
    expect(head.statusCode).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(Buffer.byteLength(js));
  });

  it('leaves the APIs alone: their routes answer, their unknown paths stay 404', async () => {
    expect((await app.inject({ url: '/api/v1/query' })).json()).toEqual({ status: 'success' });
    expect((await app.inject({ url: '/-/ready' })).body).toBe('ready');
    for (const url of ['/api/v1/nope', '/metrics', '/otlp/v1/traces', '/graphql', '/-/nope', '/write', '/chunk-DEADBEEF.js']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).not.toContain('text/html');
    }
    expect((await app.inject({ method: 'POST', url: '/explore' })).statusCode).toBe(404);
  });

  it('rejects malformed percent-encoding with a message naming it', async () => {
    // Fastify's router refuses it before the console sees it; the console does not turn it into a page.
    const res = await app.inject({ url: '/explore%E0%A4%A' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ message: "'/explore%E0%A4%A' is not a valid url component" });
  });

  it('without a build, explains how to make one and still 404s files and APIs', async () => {
    const bare = await server(null);
    try {
      const page = await bare.inject({ url: '/explore' });
      expect(page.statusCode).toBe(503);
      expect(page.body).toContain('node scripts/console.mjs');
      expect((await bare.inject({ url: '/main-AB12CD34.js' })).statusCode).toBe(404);
      expect((await bare.inject({ url: '/api/v1/nope' })).statusCode).toBe(404);
    } finally {
      await bare.close();
    }
  });
});
