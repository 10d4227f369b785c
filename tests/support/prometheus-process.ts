import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, tempDir } from './pharos-process.js';

export interface PrometheusProcess {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  readonly output: () => string;
  stop(): Promise<void>;
}

/**
 * Starts a real Prometheus with a configuration built by the caller, which receives
 * Prometheus' own port to put in scrape targets. The binary is Debian's (`/usr/bin/prometheus`,
 * installed by scripts/engines/debian-packages.sh) unless another is given (e.g. the 3.x that
 * scripts/engines/prometheus3.sh builds).
 */
export async function startPrometheus(
  configFor: (selfPort: number) => string,
  extraArgs: readonly string[] = [],
  binary = '/usr/bin/prometheus',
): Promise<PrometheusProcess> {
  const dir = tempDir('prometheus');
  const port = await freePort();
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, configFor(port));
  const child = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
      ...extraArgs,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited early:\n${output}`);
    try {
      if ((await fetch(url + '/-/ready')).ok) break;
    } catch {
      // not yet listening
    }
    if (Date.now() > deadline) throw new Error(`prometheus not ready in 30 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** All raw samples Prometheus holds in `(time - rangeSeconds, time]`, keyed by series. */
export async function prometheusRawSamples(
  url: string,
  timeSeconds: number,
  rangeSeconds: number,
  selector = '{__name__=~".+"}',
): Promise<Map<string, Map<number, number>>> {
  const q = new URLSearchParams({ query: `${selector}[${rangeSeconds}s]`, time: String(timeSeconds) });
  const res = await fetch(`${url}/api/v1/query?${q}`);
  const body = (await res.json()) as { status: string; data: { result: { metric: Record<string, string>; values: [number, string][] }[] } };
  if (body.status !== 'success') throw new Error(`prometheus query failed: ${JSON.stringify(body)}`);
  const out = new Map<string, Map<number, number>>();
  for (const series of body.data.result) {
    const key = JSON.stringify(Object.entries(series.metric).sort(([a], [b]) => (a < b ? -1 : 1)));
    const samples = new Map<number, number>();
    for (const [ts, v] of series.values) samples.set(Math.round(ts * 1000), Number(v));
    out.set(key, samples);
  }
  return out;
}
