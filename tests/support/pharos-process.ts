import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../..', import.meta.url).pathname;

/** A free loopback TCP port (bound, then released, so a child can take it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `pharos-${prefix}-`));
}

export interface PharosProcess {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly child: ChildProcess;
  /** Everything the process printed (JSON log lines), for assertions and failure reports. */
  readonly output: () => string;
  /** SIGTERM and wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL (kill -9) and wait for exit. */
  kill9(): Promise<void>;
}

export interface StartOptions {
  readonly dataDir?: string;
  readonly port?: number;
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Wait for /-/ready (default) or only /-/healthy. */
  readonly waitFor?: 'ready' | 'healthy';
}

/** Starts the built `pharos` command (bin/pharos.js → dist/) as a child process. */
export async function startPharos(options: StartOptions = {}): Promise<PharosProcess> {
  const dataDir = options.dataDir ?? tempDir('data');
  const port = options.port ?? (await freePort());
  const child = spawn(
    process.execPath,
    [join(ROOT, 'bin/pharos.js'), 'start', '--data-dir', dataDir, '--http-port', String(port), '--http-address', '127.0.0.1', ...(options.args ?? [])],
    // Self-monitoring is off unless a test asks for it: its `pharos_*` series and the overview
    // dashboard would otherwise show up in every test's exact lists of series and dashboards.
    { cwd: ROOT, env: { ...process.env, PHAROS_LOG_LEVEL: 'info', PHAROS_SELF_MONITORING: 'false', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const path = options.waitFor === 'healthy' ? '/-/healthy' : '/-/ready';
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`pharos exited with ${child.exitCode} before it was up:\n${output}`);
    try {
      const res = await fetch(url + path);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`pharos was not ${options.waitFor ?? 'ready'} within 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    dataDir,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000).unref());
      const result = await Promise.race([exited, timeout]);
      if (result === 'timeout') {
        child.kill('SIGKILL');
        throw new Error(`pharos did not stop within 30 s of SIGTERM; last output:\n${output.slice(-4000)}`);
      }
      return result;
    },
    async kill9() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
