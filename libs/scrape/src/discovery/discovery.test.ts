import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TargetGroup } from '../scrape-config.js';
import { FileDiscovery, globToRegExp } from './file-sd.js';
import { HttpDiscovery } from './http-sd.js';

describe('file_sd', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pharos-filesd-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads JSON and YAML through a glob, adds __meta_filepath, and keeps a broken file\'s last groups', async () => {
    writeFileSync(join(dir, 'a.json'), JSON.stringify([{ targets: ['h1:1', 'h2:2'], labels: { env: 'a' } }]));
    writeFileSync(join(dir, 'b.yml'), '- targets: [h3:3]\n');
    writeFileSync(join(dir, 'ignored.txt'), 'x');
    const updates: Array<readonly TargetGroup[]> = [];
    const errors: string[] = [];
    const sd = new FileDiscovery({ files: [join(dir, '*.json'), join(dir, '*.yml')], refreshIntervalMs: 60_000 }, (m) => errors.push(m));
    sd.start((g) => updates.push(g));
    await sd.settled();
    const groups = updates.at(-1)!;
    expect(groups.flatMap((g) => g.targets.map((t) => t['__address__']))).toEqual(['h1:1', 'h2:2', 'h3:3']);
    expect(groups[0]!.labels).toEqual({ env: 'a', __meta_filepath: join(dir, 'a.json') });

    writeFileSync(join(dir, 'a.json'), '[{"targets": ');
    await new Promise((r) => setTimeout(r, 300));
    await sd.settled();
    expect(errors.some((e) => e.includes('a.json') && e.includes('not valid JSON'))).toBe(true);
    expect(updates.at(-1)!.flatMap((g) => g.targets.map((t) => t['__address__']))).toEqual(['h1:1', 'h2:2', 'h3:3']);

    writeFileSync(join(dir, 'a.json'), '[]');
    await new Promise((r) => setTimeout(r, 300));
    await sd.settled();
    expect(updates.at(-1)!.flatMap((g) => g.targets.map((t) => t['__address__']))).toEqual(['h3:3']);
    sd.stop();
  });

  it('matches globs as Go\'s filepath.Match', () => {
    expect(globToRegExp('*.json').test('a.json')).toBe(true);
    expect(globToRegExp('*.json').test('a.yml')).toBe(false);
    expect(globToRegExp('t?.y*ml').test('t1.yaml')).toBe(true);
    expect(globToRegExp('[ab].json').test('c.json')).toBe(false);
  });
});

describe('http_sd', () => {
  let server: Server;
  let url = '';
  let answer: { status: number; type: string; body: string } = { status: 200, type: 'application/json', body: '[]' };
  let seenHeader: string | undefined;
  beforeAll(async () => {
    server = createServer((req, res) => {
      seenHeader = req.headers['x-prometheus-refresh-interval-seconds'] as string | undefined;
      res.writeHead(answer.status, { 'content-type': answer.type }).end(answer.body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const a = server.address();
    url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/sd`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('reads groups, sends the refresh interval, adds __meta_url, and refuses bad answers', async () => {
    const sd = new HttpDiscovery({ url, refreshIntervalMs: 30_000, http: { tls: { insecureSkipVerify: false }, followRedirects: true } }, 'test', () => undefined);
    answer = { status: 200, type: 'application/json; charset=utf-8', body: JSON.stringify([{ targets: ['a:1'], labels: { x: 'y' } }]) };
    const groups = await sd.fetchGroups();
    expect(seenHeader).toBe('30');
    expect(groups).toEqual([{ source: `${url}:0`, targets: [{ __address__: 'a:1' }], labels: { x: 'y', __meta_url: url } }]);
    answer = { status: 200, type: 'text/plain', body: '[]' };
    await expect(sd.fetchGroups()).rejects.toThrow(/unsupported content type "text\/plain"/);
    answer = { status: 500, type: 'application/json', body: '[]' };
    await expect(sd.fetchGroups()).rejects.toThrow(/server returned HTTP status 500/);
    answer = { status: 200, type: 'application/json', body: '{"targets": []}' };
    await expect(sd.fetchGroups()).rejects.toThrow(/expected a JSON list/);
    sd.stop();
  });
});
