import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startPharos, tempDir, type PharosProcess } from './support/pharos-process.js';
import { startPrometheus, type PrometheusProcess } from './support/prometheus-process.js';
import { prometheus3Binary } from './support/prometheus3.js';
import { BASE, MINUTE, dataset, sec } from './support/query-dataset.js';
import { remoteWrite, waitForSeries } from './support/remote-write-client.js';

/**
 * `promtool query instant|range|series|labels` (Debian's promtool, installed by
 * scripts/engines/debian-packages.sh) against Pharos, its output compared with the same
 * command against a real Prometheus 3 holding the same samples.
 */

const PROMTOOL = '/usr/bin/promtool';

function promtool(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PROMTOOL, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('promtool against the pharos binary', () => {
  const dir = tempDir('promtool');
  let pharos: PharosProcess;
  let prometheus: PrometheusProcess;
  const t = (offsetMs: number): string => sec(BASE + offsetMs);

  beforeAll(async () => {
    if (!existsSync(PROMTOOL)) throw new Error(`${PROMTOOL} is missing: run bash scripts/engines/debian-packages.sh`);
    const binary = await prometheus3Binary();
    [pharos, prometheus] = await Promise.all([
      startPharos({ dataDir: join(dir, 'data') }),
      startPrometheus(() => 'global:\n  scrape_interval: 15s\n', ['--web.enable-remote-write-receiver'], binary.path),
    ]);
    const data = dataset();
    for (const target of [pharos.url, prometheus.url]) expect((await remoteWrite(target, data)).status).toBe(204);
    expect(await waitForSeries(pharos.url, '{__name__=~"qa_.*"}', (s) => s.length === data.length, { timeoutMs: 10_000 })).toHaveLength(data.length);
  }, 30 * 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    expect(await pharos?.stop()).toBe(0);
    removeDir(dir);
  });

  /**
   * Runs a promtool command against both servers (the server URL goes where `{}` is). With
   * `unordered`, output lines (or JSON array elements) are compared as sets: Prometheus leaves
   * the order of instant vectors and of `/api/v1/series` to its storage's series creation order.
   */
  const both = async (args: readonly string[], order: 'ordered' | 'unordered' = 'ordered') => {
    const withUrl = (url: string) => args.map((a) => (a === '{}' ? url : a));
    const [ours, theirs] = await Promise.all([promtool(withUrl(pharos.url)), promtool(withUrl(prometheus.url))]);
    expect(ours.stderr).toBe(theirs.stderr);
    expect(ours.code).toBe(theirs.code);
    const normalize = (out: string): unknown => {
      if (order === 'ordered') return out;
      if (out.startsWith('[')) return (JSON.parse(out) as unknown[]).map((e) => JSON.stringify(e)).sort();
      return out.split('\n').sort();
    };
    expect(normalize(ours.stdout)).toEqual(normalize(theirs.stdout));
    return ours;
  };

  it('runs instant queries', async () => {
    const out = await both(['query', 'instant', '--time', t(5 * MINUTE), '{}', 'qa_gauge{job="api"}'], 'unordered');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^qa_gauge\{instance="a:1", job="api"\} => [-\d.e+]+ @\[\d+(\.\d+)?\]$/m);
    await both(['query', 'instant', '--time', t(5 * MINUTE), '{}', 'sum by (job) (rate(qa_requests_total[2m]))'], 'unordered');
    await both(['query', 'instant', '--time', t(MINUTE), '{}', 'scalar(sum(qa_gauge))']);
    await both(['query', 'instant', '-o', 'json', '--time', t(2 * MINUTE), '{}', 'qa_gauge'], 'unordered');
  });

  it('runs range queries', async () => {
    const out = await both(['query', 'range', '--start', t(0), '--end', t(5 * MINUTE), '--step', '1m', '{}', 'qa_gauge{instance="b:2"}']);
    expect(out.code).toBe(0);
    expect(out.stdout.split('\n').filter((l) => l.includes(' @[')).length).toBe(12);
    await both(['query', 'range', '-o', 'json', '--start', t(0), '--end', t(10 * MINUTE), '--step', '90s', '{}', 'avg(qa_gauge)']);
  });

  it('lists series and label values', async () => {
    const out = await both(['query', 'series', '--match', 'qa_gauge', '--start', t(0), '--end', t(10 * MINUTE), '{}'], 'unordered');
    expect(out.stdout.trim().split('\n')).toHaveLength(4);
    const labels = await both(['query', 'labels', '--start', t(0), '--end', t(10 * MINUTE), '{}', 'job']);
    expect(labels.stdout).toBe('api\ndb\n');
  });

  it('reports a bad query the same way', async () => {
    const out = await both(['query', 'instant', '{}', 'sum(']);
    expect(out.code).not.toBe(0);
  });
});
