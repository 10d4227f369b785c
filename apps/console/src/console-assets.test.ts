import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ConsoleAssets, acceptedEncodings, defaultConsoleDir, isReservedPath } from './console-assets.js';

const dir = mkdtempSync(join(tmpdir(), 'pharos-console-assets-'));
const bigJs = 'export const x = ' + JSON.stringify('a'.repeat(5000)) + ';\n';
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Pharos</title>');
writeFileSync(join(dir, 'main-AB12CD34.js'), bigJs);
writeFileSync(join(dir, 'favicon.svg'), '<svg/>');
mkdirSync(join(dir, 'media'));
writeFileSync(join(dir, 'media', 'font-ZZ99YY88.woff2'), Buffer.from([1, 2, 3]));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ConsoleAssets', () => {
  const assets = ConsoleAssets.load(dir);

  it('indexes every file of the build with type, strong ETag and cache policy', () => {
    expect(assets.size).toBe(4);
    const main = assets.lookup('/main-AB12CD34.js');
    expect(main.kind).toBe('asset');
    if (main.kind !== 'asset') return;
    expect(main.asset.contentType).toBe('text/javascript; charset=utf-8');
    expect(main.asset.cacheControl).toBe('public, max-age=31536000, immutable');
    expect(main.asset.etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    const svg = assets.lookup('/favicon.svg');
    expect(svg.kind === 'asset' && svg.asset.cacheControl).toBe('public, max-age=3600');
    const font = assets.lookup('/media/font-ZZ99YY88.woff2');
    expect(font.kind === 'asset' && font.asset.contentType).toBe('font/woff2');
  });

  it('answers client-side routes with index.html, revalidated on every load', () => {
    for (const path of ['/', '/index.html', '/explore', '/explore/deep/route']) {
      const r = assets.lookup(path);
      expect(r.kind, path).toBe('app');
      expect(r.kind === 'app' && r.asset.cacheControl).toBe('no-cache');
    }
  });

  it('never shadows the APIs, and a missing file is a 404 rather than index.html', () => {
    for (const path of ['/api', '/api/v1/nope', '/otlp/v1/logs', '/metrics', '/-/whatever', '/graphql', '/write']) {
      expect(assets.lookup(path).kind, path).toBe('reserved');
    }
    expect(assets.lookup('/main-00000000.js').kind).toBe('missing');
    // Prefixes are whole path segments: a route merely starting with the same letters is the app's.
    expect(isReservedPath('/apis')).toBe(false);
    expect(assets.lookup('/metrics-explorer').kind).toBe('app');
  });

  it('compresses text once, preferring brotli, and honours q=0', () => {
    const main = assets.lookup('/main-AB12CD34.js');
    if (main.kind !== 'asset') throw new Error('main chunk not found');
    const br = assets.negotiate(main.asset, 'gzip, deflate, br');
    expect(br.encoding).toBe('br');
    expect(brotliDecompressSync(br.body).toString()).toBe(bigJs);
    expect(assets.negotiate(main.asset, 'gzip, deflate, br').body).toBe(br.body);
    const gz = assets.negotiate(main.asset, 'br;q=0, gzip');
    expect(gz.encoding).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(bigJs);
    expect(assets.negotiate(main.asset, undefined).encoding).toBeNull();
    expect(assets.negotiate(main.asset, 'identity').encoding).toBeNull();
    expect([...acceptedEncodings('gzip;q=0.5, BR ;q=0.0, *')]).toEqual(['gzip', '*']);
  });

  it('refuses a directory without a build, naming it and the fix', () => {
    const empty = mkdtempSync(join(tmpdir(), 'pharos-console-empty-'));
    try {
      expect(() => ConsoleAssets.load(empty)).toThrow(`no console build in ${empty} (index.html is missing); build it with: node scripts/console.mjs`);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('finds the build in the checkout, or where PHAROS_CONSOLE_DIR says', () => {
    expect(defaultConsoleDir({ PHAROS_CONSOLE_DIR: '/srv/console' })).toBe('/srv/console');
    expect(defaultConsoleDir({})).toBe(join(new URL('../../..', import.meta.url).pathname, 'angular-ui/dist/console/browser'));
    expect(() => defaultConsoleDir({}, '/')).toThrow('cannot find the Pharos package root above /; set PHAROS_CONSOLE_DIR');
  });
});
