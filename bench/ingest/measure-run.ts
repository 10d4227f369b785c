/**
 * One measured run against one target: fresh data directory, target started, warm-up (the
 * first scrapes create every series), a timed window whose figures are read from counter
 * snapshots at its two ends, a drain until everything acknowledged is stored, a graceful
 * stop, and the data directory's size.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FreshnessProbe, type FreshnessResult } from './freshness-probe.js';
import type { LoadGenerator } from './load-generator.js';
import { cpuSeconds, diskBreakdown, diskBytes, machineBusySeconds, peakRssBytes, processTree, rssBytes } from './process-stats.js';
import type { CounterTotals } from './shared-state.js';
import { TargetProcess } from './target-process.js';
import type { TargetDefinition } from './targets.js';

export interface RunSettings {
  readonly warmupSeconds: number;
  readonly durationSeconds: number;
  readonly sampleIntervalSeconds: number;
  readonly drainTimeoutSeconds: number;
  /** Run the freshness probe (one write + series lookups per second) during the window. */
  readonly freshness: boolean;
  readonly keepData: boolean;
  readonly repoRoot: string;
  readonly pharosNodeArgs: readonly string[];
  readonly log: (line: string) => void;
}

export interface RunResult {
  readonly target: string;
  readonly run: number;
  readonly error?: string;
  readonly windowSeconds: number;
  /** Samples/s acknowledged (2xx) to the generator during the window. */
  readonly ackedRate: number;
  /** Samples/s the target stored during the window, by its own counter. */
  readonly storedRate: number;
  /** Samples/s the target counted as accepted (ahead of stored when it decouples the two). */
  readonly acceptedRate: number;
  /** CPU cores the target's process tree used during the window. */
  readonly targetCores: number;
  /** CPU cores the bench process (load generator threads) used during the window. */
  readonly loaderCores: number;
  /** CPU cores the rest of the machine used during the window (other work on a shared box). */
  readonly otherCores: number;
  readonly peakRssBytes: number;
  readonly diskBytes: number;
  /** Bytes under each top-level entry of the data directory. */
  readonly diskBreakdown: Readonly<Record<string, number>>;
  /** Samples stored when the target was stopped (after the drain). */
  readonly storedTotal: number;
  readonly bytesPerSample: number;
  readonly retries: number;
  readonly rejectedSamples: number;
  readonly bodiesEncodedLive: number;
  readonly exhausted: boolean;
  /** Seconds after the window until stored caught up with acknowledged; -1 if it did not. */
  readonly drainSeconds: number;
  readonly stopSeconds: number;
  readonly gracefulStop: boolean;
  /** Backlog of a decoupled target over the window: [seconds into the window, records]. */
  readonly lag?: { readonly max: number; readonly atEnd: number; readonly points: readonly (readonly [number, number])[] };
  /** Ack → visible in /api/v1/series of one probe sample per second of the window. */
  readonly freshness?: FreshnessResult;
}

interface Snapshot {
  readonly wall: number;
  readonly load: CounterTotals;
  readonly stored: number;
  readonly accepted: number;
  readonly targetCpu: number;
  readonly loaderCpu: number;
  readonly machineCpu: number;
}

export async function measureRun(def: TargetDefinition, run: number, gen: LoadGenerator, s: RunSettings): Promise<RunResult> {
  const workDir = mkdtempSync(join(tmpdir(), `pharos-bench-${def.name}-`));
  const dataDir = join(workDir, 'data');
  mkdirSync(dataDir);
  let target: TargetProcess | undefined;
  try {
    target = await TargetProcess.start(def, { dataDir, workDir, repoRoot: s.repoRoot, pharosNodeArgs: s.pharosNodeArgs });
    s.log(`  ${def.name} run ${run}: ready at ${target.baseUrl} (pid ${target.pid}, data ${dataDir})`);
    return await drive(def, run, gen, target, dataDir, s);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    s.log(`  ${def.name} run ${run} failed: ${message}`);
    // The work directory goes away below: keep the end of the target's log in the bench's.
    const logFile = join(workDir, `${def.name}.log`);
    if (existsSync(logFile)) s.log(`  last lines of ${def.name}.log:\n${readFileSync(logFile, 'utf8').split('\n').slice(-20).map((l) => `    ${l}`).join('\n')}`);
    if (target !== undefined) await target.stop();
    return failedRun(def.name, run, message);
  } finally {
    if (!s.keepData) rmSync(workDir, { recursive: true, force: true });
    else s.log(`  kept ${workDir}`);
  }
}

async function drive(
  def: TargetDefinition,
  run: number,
  gen: LoadGenerator,
  target: TargetProcess,
  dataDir: string,
  s: RunSettings,
): Promise<RunResult> {
  let pids = processTree(target.pid);
  let peakRss = 0;
  const lagPoints: [number, number][] = [];

  const snapshot = async (): Promise<Snapshot> => {
    // Everything but the target's counters is read at one instant; the scrape follows
    // within a few milliseconds.
    const wall = performance.now() / 1000;
    const load = gen.counters();
    const targetCpu = cpuSeconds(pids);
    const own = process.cpuUsage();
    const machineCpu = machineBusySeconds();
    const m = await target.scrape();
    return { wall, load, stored: def.stored(m), accepted: def.accepted(m), targetCpu, loaderCpu: (own.user + own.system) / 1e6, machineCpu };
  };
  const sample = async (windowStart: number | undefined): Promise<void> => {
    pids = processTree(target.pid);
    peakRss = Math.max(peakRss, rssBytes(pids));
    if (def.lag !== undefined) {
      const lag = def.lag(await target.scrape());
      const t = windowStart === undefined ? -1 : performance.now() / 1000 - windowStart;
      if (windowStart !== undefined && Number.isFinite(lag)) lagPoints.push([t, lag]);
    }
  };

  const stopLoad = gen.run(target.writeUrl);
  let loadStopped = false;
  const stop = async (): Promise<void> => {
    if (loadStopped) return;
    loadStopped = true;
    await stopLoad();
  };
  let probe: FreshnessProbe | undefined;
  let probeResult: Promise<FreshnessResult> | undefined;
  const stopProbe = (): Promise<FreshnessResult> | undefined => {
    if (probe !== undefined && probeResult === undefined) {
      probeResult = probe.stop();
      probeResult.catch(() => {});
    }
    return probeResult;
  };
  try {
    return await measure();
  } finally {
    await stopProbe()?.catch(() => undefined);
    await stop();
  }

  async function measure(): Promise<RunResult> {
    const loadStarted = performance.now() / 1000;
    while (performance.now() / 1000 - loadStarted < s.warmupSeconds) {
      await sleep(s.sampleIntervalSeconds * 1000);
      await sample(undefined);
    }
    const a = await snapshot();
    s.log(`  ${def.name} run ${run}: warm-up done (${fmtRate(a.load.ackedSamples / (a.wall - loadStarted))} acknowledged), window of ${s.durationSeconds} s`);
    if (s.freshness) {
      probe = new FreshnessProbe({ baseUrl: target.baseUrl, writePath: def.writePath, run, sampleTimeMs: () => gen.dataTimeMs() });
      probe.start();
    }
    let lastLog = a.wall;
    while (performance.now() / 1000 - a.wall < s.durationSeconds) {
      const left = s.durationSeconds - (performance.now() / 1000 - a.wall);
      await sleep(Math.min(s.sampleIntervalSeconds, Math.max(left, 0.01)) * 1000);
      await sample(a.wall);
      if (performance.now() / 1000 - lastLog >= 15) {
        lastLog = performance.now() / 1000;
        const c = gen.counters();
        const lag = lagPoints.at(-1);
        s.log(
          `    t=${(lastLog - a.wall).toFixed(0)}s acknowledged ${fmtRate((c.ackedSamples - a.load.ackedSamples) / (lastLog - a.wall))}` +
            (lag !== undefined ? `, lag ${lag[1]} records` : '') +
            `, rss ${(peakRss / 2 ** 20).toFixed(0)} MiB`,
        );
      }
    }
    const b = await snapshot();
    // No new probe once the window closes; those waiting to be seen are still timed.
    const freshnessPending = stopProbe();
    await stop();

    // Drain: wait until what was accepted is stored (immediate for targets that store before answering).
    const drainStarted = performance.now() / 1000;
    let drainSeconds = -1;
    let storedTotal = b.stored;
    while (performance.now() / 1000 - drainStarted < s.drainTimeoutSeconds) {
      const m = await target.scrape();
      storedTotal = def.stored(m);
      const lag = def.lag?.(m) ?? 0;
      if (storedTotal >= def.accepted(m) && !(lag > 0)) {
        drainSeconds = performance.now() / 1000 - drainStarted;
        break;
      }
      await sleep(250);
    }
    const freshness = await freshnessPending;
    peakRss = Math.max(peakRss, rssBytes(processTree(target.pid)), peakRssBytes(target.pid));
    const stopped = await target.stop();
    const disk = diskBytes(dataDir);
    const breakdown = diskBreakdown(dataDir);
    const window = b.wall - a.wall;
    const targetCores = (b.targetCpu - a.targetCpu) / window;
    const loaderCores = (b.loaderCpu - a.loaderCpu) / window;
    const lag =
      def.lag === undefined
        ? undefined
        : { max: Math.max(0, ...lagPoints.map((p) => p[1])), atEnd: lagPoints.at(-1)?.[1] ?? Number.NaN, points: lagPoints };
    const result: RunResult = {
      target: def.name,
      run,
      windowSeconds: window,
      ackedRate: (b.load.ackedSamples - a.load.ackedSamples) / window,
      storedRate: (b.stored - a.stored) / window,
      acceptedRate: (b.accepted - a.accepted) / window,
      targetCores,
      loaderCores,
      otherCores: Math.max(0, (b.machineCpu - a.machineCpu) / window - targetCores - loaderCores),
      peakRssBytes: peakRss,
      diskBytes: disk,
      diskBreakdown: breakdown,
      storedTotal,
      bytesPerSample: disk / storedTotal,
      retries: b.load.retries,
      rejectedSamples: b.load.rejectedSamples,
      bodiesEncodedLive: b.load.bodiesEncodedLive,
      exhausted: b.load.exhausted > 0,
      drainSeconds,
      stopSeconds: stopped.seconds,
      gracefulStop: stopped.graceful,
      ...(lag !== undefined ? { lag } : {}),
      ...(freshness !== undefined ? { freshness } : {}),
    };
    s.log(
      `  ${def.name} run ${run}: stored ${fmtRate(result.storedRate)}, acknowledged ${fmtRate(result.ackedRate)}, ` +
        `${targetCores.toFixed(2)} cores, peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB, ${result.bytesPerSample.toFixed(2)} B/sample on disk`,
    );
    if (freshness !== undefined) {
      s.log(
        `  ${def.name} run ${run}: freshness ${freshness.probes} probes, ack → visible p50 ${fmtMs(freshness.p50Ms)}, p99 ${fmtMs(freshness.p99Ms)}, ` +
          `max ${fmtMs(freshness.maxMs)}, ${freshness.overBound} over 2 s (${freshness.notVisible} not seen in 30 s); ` +
          `${freshness.polls} lookups, ${freshness.writeRetries} write retries, ${freshness.writeFailures} failed writes, ${freshness.pollErrors} lookup errors` +
          (freshness.firstError !== undefined ? `; first error: ${freshness.firstError}` : ''),
      );
    }
    return result;
  }
}

function failedRun(target: string, run: number, error: string): RunResult {
  return {
    target,
    run,
    error,
    windowSeconds: 0,
    ackedRate: Number.NaN,
    storedRate: Number.NaN,
    acceptedRate: Number.NaN,
    targetCores: Number.NaN,
    loaderCores: Number.NaN,
    otherCores: Number.NaN,
    peakRssBytes: Number.NaN,
    diskBytes: Number.NaN,
    diskBreakdown: {},
    storedTotal: Number.NaN,
    bytesPerSample: Number.NaN,
    retries: 0,
    rejectedSamples: 0,
    bodiesEncodedLive: 0,
    exhausted: false,
    drainSeconds: -1,
    stopSeconds: 0,
    gracefulStop: false,
  };
}

export function fmtRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return 'n/a';
  return perSecond >= 1e6 ? `${(perSecond / 1e6).toFixed(2)} M samples/s` : `${(perSecond / 1e3).toFixed(0)} k samples/s`;
}

/** Milliseconds as seconds for the log; Infinity (a probe never seen) as "> 30 s". */
export function fmtMs(ms: number): string {
  if (ms === Infinity) return '> 30 s';
  return Number.isFinite(ms) ? `${(ms / 1000).toFixed(3)} s` : 'n/a';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
