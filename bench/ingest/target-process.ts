/**
 * One target running as a child process of the bench: started in a fresh data directory,
 * polled over loopback HTTP, stopped with SIGTERM so it flushes before its disk use is read.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parseExposition, type Exposition } from './exposition.js';
import type { LaunchContext, TargetDefinition } from './targets.js';

const READY_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 60_000;

export class TargetProcess {
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    readonly def: TargetDefinition,
    readonly baseUrl: string,
    /** Where the load goes (the target's write endpoint for its protocol). */
    readonly writeUrl: string,
    readonly logFile: string,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  get pid(): number {
    return this.child.pid!;
  }

  static async start(def: TargetDefinition, ctx: Omit<LaunchContext, 'port' | 'auxPort'>): Promise<TargetProcess> {
    const port = await freePort();
    let auxPort = await freePort();
    while (auxPort === port) auxPort = await freePort();
    const { file, args, env } = def.command({ ...ctx, port, auxPort });
    const logFile = join(ctx.workDir, `${def.name}.log`);
    const fd = openSync(logFile, 'a');
    const child = spawn(file, args, { stdio: ['ignore', fd, fd], cwd: ctx.workDir, env: { ...process.env, ...env } });
    closeSync(fd);
    const host = '127.0.0.1';
    const t = new TargetProcess(def, `http://${host}:${port}`, def.writeUrl({ host, port, auxPort }), logFile, child);
    await t.waitReady();
    return t;
  }

  private async waitReady(): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let exited = false;
    void this.exited.then(() => {
      exited = true;
    });
    while (Date.now() < deadline) {
      if (exited) throw new Error(`${this.def.name} exited before it was ready; see ${this.logFile}`);
      try {
        const res = await fetch(this.baseUrl + this.def.readyPath, { signal: AbortSignal.timeout(2_000) });
        await res.arrayBuffer();
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    this.child.kill('SIGKILL');
    throw new Error(`${this.def.name} was not ready within ${READY_TIMEOUT_MS / 1000} s; see ${this.logFile}`);
  }

  /** The target's own metrics; retried a few times, as a busy target may drop a connection. */
  async scrape(): Promise<Exposition> {
    let last: unknown;
    for (let attempt = 0; attempt < 4; attempt++) {
      try {
        const res = await fetch(this.baseUrl + this.def.metricsPath, { signal: AbortSignal.timeout(15_000) });
        const text = await res.text();
        if (res.ok) return parseExposition(text);
        last = new Error(`HTTP ${res.status}`);
      } catch (err) {
        last = err;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`${this.def.name} ${this.def.metricsPath}: ${describe(last)}`);
  }

  /** SIGTERM, then wait for a clean exit (SIGKILL after the timeout). Resolves with how it ended. */
  async stop(): Promise<{ graceful: boolean; seconds: number; code: number | null }> {
    const started = performance.now();
    this.child.kill('SIGTERM');
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), STOP_TIMEOUT_MS).unref());
    const how = await Promise.race([this.exited, timeout]);
    if (how === 'timeout') {
      this.child.kill('SIGKILL');
      await this.exited;
      return { graceful: false, seconds: (performance.now() - started) / 1000, code: null };
    }
    return { graceful: how.signal === null || how.signal === 'SIGTERM', seconds: (performance.now() - started) / 1000, code: how.code };
  }
}

/** A loopback port free at the moment of asking (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}
