/**
 * Turns the runs into the Markdown section appended to bench/RESULTS.md (a log: earlier
 * sections are kept) and the ratios printed at the end.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism, totalmem } from 'node:os';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { FRESHNESS_BOUND_MS } from './freshness-probe.js';
import type { RunResult } from './measure-run.js';

export interface ReportContext {
  readonly startedAt: Date;
  /** What was measured, for the heading: "remote write 1.0", "remote write 1.0 and OTLP"… */
  readonly title: string;
  readonly settings: string;
  readonly ring: string;
  readonly versions: Readonly<Record<string, string>>;
  readonly skipped: readonly string[];
  readonly notes: readonly string[];
}

export interface Medians {
  readonly storedRate: number;
  readonly ackedRate: number;
  readonly targetCores: number;
  readonly peakRssBytes: number;
  readonly bytesPerSample: number;
  /** Medians across runs of each run's freshness figures (ms; Infinity: not seen within 30 s); NaN without probes. */
  readonly freshness: { readonly p50Ms: number; readonly p99Ms: number; readonly maxMs: number; readonly overBound: number };
}

export function median(values: readonly number[]): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const mid = v.length >> 1;
  return v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/** As `median`, but Infinity (a probe never seen) is a value, not dropped. */
function medianWithInfinity(values: readonly number[]): number {
  const v = values.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const mid = v.length >> 1;
  return v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

export function mediansOf(runs: readonly RunResult[]): Medians {
  const ok = runs.filter((r) => r.error === undefined);
  const probed = ok.flatMap((r) => (r.freshness !== undefined && r.freshness.probes > 0 ? [r.freshness] : []));
  return {
    freshness: {
      p50Ms: medianWithInfinity(probed.map((p) => p.p50Ms)),
      p99Ms: medianWithInfinity(probed.map((p) => p.p99Ms)),
      maxMs: medianWithInfinity(probed.map((p) => p.maxMs)),
      overBound: median(probed.map((p) => p.overBound)),
    },
    storedRate: median(ok.map((r) => r.storedRate)),
    ackedRate: median(ok.map((r) => r.ackedRate)),
    targetCores: median(ok.map((r) => r.targetCores)),
    peakRssBytes: median(ok.map((r) => r.peakRssBytes)),
    bytesPerSample: median(ok.map((r) => r.bytesPerSample)),
  };
}

export function machineDescription(): string {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown CPU';
  let nproc = String(availableParallelism());
  try {
    nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
  } catch {
    // keep availableParallelism
  }
  return `${nproc} CPUs (nproc), ${model}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, Linux ${kernel()}`;
}

function kernel(): string {
  try {
    return readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

const k = (n: number): string => (Number.isFinite(n) ? Math.round(n / 1000).toLocaleString('en-US') + ' k' : 'n/a');
const f = (n: number, digits = 2): string => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const mib = (n: number): string => (Number.isFinite(n) ? (n / 2 ** 20).toFixed(0) : 'n/a');
/** Milliseconds as seconds; Infinity is a probe not seen within the 30 s the probe waits. */
const sec = (ms: number): string => (ms === Infinity ? '> 30' : Number.isFinite(ms) ? (ms / 1000).toFixed(3) : 'n/a');

export function renderSection(ctx: ReportContext, byTarget: ReadonlyMap<string, readonly RunResult[]>): string {
  const out: string[] = [];
  out.push(`## ${ctx.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC — ingest, ${ctx.title}`);
  out.push('');
  out.push(`- Machine: ${machineDescription()}`);
  out.push(`- Settings: ${ctx.settings}`);
  out.push(`- Bodies: ${ctx.ring}`);
  out.push(`- Versions: ${Object.entries(ctx.versions).map(([t, v]) => `${t} ${v}`).join('; ')}`);
  for (const s of ctx.skipped) out.push(`- Skipped: ${s}`);
  for (const n of ctx.notes) out.push(`- ${n}`);
  const verdict = freshnessVerdict(byTarget.get('pharos'));
  if (verdict !== undefined) out.push(`- ${verdict}`);
  out.push('');
  for (const [target, runs] of byTarget) {
    out.push(`### ${target}`);
    out.push('');
    out.push(
      '| run | stored samples/s | acknowledged samples/s | target CPU (cores) | stored samples/s per core | peak RSS (MiB) | on disk (MiB) | bytes/sample | retries | refused samples | drain (s) | loader CPU (cores) | other CPU (cores) |',
    );
    out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of runs) {
      if (r.error !== undefined) {
        out.push(`| ${r.run} | failed: ${r.error.replaceAll('|', '/')} |||||||||||| |`);
        continue;
      }
      out.push(
        `| ${r.run} | ${k(r.storedRate)} | ${k(r.ackedRate)} | ${f(r.targetCores)} | ${k(r.storedRate / r.targetCores)} | ${mib(r.peakRssBytes)} | ${mib(r.diskBytes)} | ${f(r.bytesPerSample)} | ${r.retries} | ${r.rejectedSamples} | ${r.drainSeconds < 0 ? 'did not' : f(r.drainSeconds, 1)} | ${f(r.loaderCores)} | ${f(r.otherCores)} |`,
      );
    }
    const m = mediansOf(runs);
    out.push(
      `| **median** | **${k(m.storedRate)}** | **${k(m.ackedRate)}** | **${f(m.targetCores)}** | | **${mib(m.peakRssBytes)}** | | **${f(m.bytesPerSample)}** | | | | | |`,
    );
    out.push('');
    const remarks: string[] = [];
    const live = runs.reduce((a, r) => a + r.bodiesEncodedLive, 0);
    if (live > 0) remarks.push(`Bodies encoded during the clock because the pre-built ring was used up: ${live} (raise \`--ring-mb\`).`);
    if (runs.some((r) => r.exhausted)) remarks.push('A sender reached the end of the planned time span and stopped: raise `--max-rate`.');
    if (runs.some((r) => r.error === undefined && !r.gracefulStop)) remarks.push('Did not stop within the timeout after SIGTERM (killed): its disk figure may miss unflushed data.');
    const lastOk = runs.filter((r) => r.error === undefined).at(-1);
    if (lastOk !== undefined && Object.keys(lastOk.diskBreakdown).length > 1) {
      const parts = Object.entries(lastOk.diskBreakdown)
        .sort((x, y) => y[1] - x[1])
        .map(([name, bytes]) => `${name} ${mib(bytes)} MiB (${f(bytes / lastOk.storedTotal)} B/sample)`);
      remarks.push(`Data directory of run ${lastOk.run}: ${parts.join(', ')}.`);
    }
    if (remarks.length > 0) out.push(...remarks, '');
    const probed = runs.filter((r) => r.error === undefined && r.freshness !== undefined);
    if (probed.length > 0) {
      out.push(
        `Freshness: one probe sample per second of the window, from ack (2xx) of its write to the first \`/api/v1/series\` answer that lists it (polled every 25 ms, given up after 30 s); bound ${FRESHNESS_BOUND_MS / 1000} s:`,
      );
      out.push('');
      out.push('| run | probes | p50 (s) | p99 (s) | max (s) | over 2 s | not seen in 30 s | probe write retries | lookup errors |');
      out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
      for (const r of probed) {
        const p = r.freshness!;
        out.push(`| ${r.run} | ${p.probes} | ${sec(p.p50Ms)} | ${sec(p.p99Ms)} | ${sec(p.maxMs)} | ${p.overBound} | ${p.notVisible} | ${p.writeRetries} | ${p.pollErrors} |`);
      }
      const m = mediansOf(runs).freshness;
      out.push(`| **median** | | **${sec(m.p50Ms)}** | **${sec(m.p99Ms)}** | **${sec(m.maxMs)}** | **${f(m.overBound, 0)}** | | | |`);
      out.push('');
    }
    const withLag = runs.filter((r) => r.lag !== undefined);
    if (withLag.length > 0) {
      out.push('Stream lag (records not yet committed by the processor, which commits after each store flush) over the window:');
      out.push('');
      for (const r of withLag) {
        const l = r.lag!;
        out.push(
          `- run ${r.run}: ${lagTrend(l.points)}; max ${Math.round(l.max).toLocaleString('en-US')}, at the end ${Math.round(l.atEnd).toLocaleString('en-US')}; ${lagSeries(l.points, r.windowSeconds)}`,
        );
      }
      out.push('');
    }
  }
  const ratios = renderRatios(byTarget);
  if (ratios.length > 0) {
    out.push('### Pharos / peer (medians)');
    out.push('');
    out.push(...ratios);
    out.push('');
  }
  const protocols = renderProtocolComparison(byTarget);
  if (protocols.length > 0) {
    out.push('### Pharos: OTLP / remote write (medians)');
    out.push('');
    out.push(...protocols);
    out.push('');
  }
  return out.join('\n');
}

/**
 * Whether Pharos met "a sample is visible to reads at most 2 s after its write was
 * acknowledged" under the load: every probe of every run seen within the bound.
 */
export function freshnessVerdict(runs: readonly RunResult[] | undefined): string | undefined {
  const probed = (runs ?? []).filter((r) => r.error === undefined && r.freshness !== undefined);
  if (probed.length === 0) return undefined;
  const failed = (runs ?? []).filter((r) => r.error !== undefined).length;
  const unjudged = failed > 0 ? ` (${failed} failed run${failed > 1 ? 's' : ''} not judged)` : '';
  const total = probed.reduce((a, r) => a + r.freshness!.probes, 0);
  const over = probed.reduce((a, r) => a + r.freshness!.overBound, 0);
  const unseen = probed.reduce((a, r) => a + r.freshness!.notVisible, 0);
  const worst = Math.max(...probed.map((r) => r.freshness!.maxMs).filter((x) => !Number.isNaN(x)));
  const bound = `${FRESHNESS_BOUND_MS / 1000} s`;
  if (total === 0) return `Freshness bound (${bound} from ack to visible): not judged — no Pharos probe write was acknowledged.`;
  if (over === 0) {
    return `Freshness bound (${bound} from ack to visible): **Pharos met it** — all ${total} probes of ${probed.length} run${probed.length > 1 ? 's' : ''} visible within ${bound} (worst ${sec(worst)} s)${unjudged}.`;
  }
  const runsOver = probed.filter((r) => r.freshness!.overBound > 0).map((r) => r.run);
  return (
    `Freshness bound (${bound} from ack to visible): **Pharos did not meet it** — ${over} of ${total} probes over ${bound}` +
    (unseen > 0 ? ` (${unseen} not seen within 30 s)` : '') +
    `, in run${runsOver.length > 1 ? 's' : ''} ${runsOver.join(', ')}; worst ${sec(worst)} s${unjudged}.`
  );
}

/**
 * Bounded or growing: the mean lag of the window's last quarter against its second quarter
 * (the first is still settling after the warm-up). Growing = more than doubled and above
 * 1,000 records; a target that falls behind steadily is not sustaining the rate it acknowledges.
 */
export function lagTrend(points: readonly (readonly [number, number])[]): string {
  if (points.length < 8) return 'too few samples to judge';
  const q = Math.floor(points.length / 4);
  const mean = (ps: readonly (readonly [number, number])[]): number => ps.reduce((a, p) => a + p[1], 0) / ps.length;
  const second = mean(points.slice(q, 2 * q));
  const last = mean(points.slice(points.length - q));
  return last > 2 * second && last > 1_000 ? `growing (mean ${Math.round(second)} → ${Math.round(last)} records)` : 'bounded';
}

/** Lag every tenth of the window, to show whether it stays bounded or grows. */
function lagSeries(points: readonly (readonly [number, number])[], window: number): string {
  if (points.length === 0) return 'no samples';
  const picks: string[] = [];
  for (let i = 1; i <= 10; i++) {
    const t = (window * i) / 10;
    let best = points[0]!;
    for (const p of points) if (Math.abs(p[0] - t) < Math.abs(best[0] - t)) best = p;
    picks.push(`${best[0].toFixed(0)}s: ${Math.round(best[1]).toLocaleString('en-US')}`);
  }
  return picks.join(', ');
}

export function renderRatios(byTarget: ReadonlyMap<string, readonly RunResult[]>): string[] {
  const pharos = byTarget.get('pharos');
  if (pharos === undefined) return [];
  const p = mediansOf(pharos);
  const rows: string[] = [];
  for (const [target, runs] of byTarget) {
    // Pharos fed another protocol is not a peer: see renderProtocolComparison.
    if (target.startsWith('pharos')) continue;
    const m = mediansOf(runs);
    if (rows.length === 0) {
      rows.push('| peer | stored samples/s (higher is better) | bytes/sample (lower is better) | peak RSS (lower is better) | stored samples/s per core |');
      rows.push('|---|---:|---:|---:|---:|');
    }
    rows.push(
      `| ${target} | ${f(p.storedRate / m.storedRate)}× | ${f(p.bytesPerSample / m.bytesPerSample)}× | ${f(p.peakRssBytes / m.peakRssBytes)}× | ${f(p.storedRate / p.targetCores / (m.storedRate / m.targetCores))}× |`,
    );
  }
  return rows;
}

const HEADER = `# Benchmark results

A log: each \`npm run bench:*\` invocation appends a dated section; earlier sections are kept.
Ingest (\`npm run bench:ingest\`, code in \`bench/ingest/\`): remote write 1.0 into Pharos and its
peers, one target at a time on the same machine as the load generator. "Stored" is each
target's own count of samples appended to its storage, not what was acknowledged; bytes/sample
is \`du -sb\` of the data directory after a graceful stop, divided by samples stored. The
reference setting is 5-minute windows, median of 3 runs (\`--duration 300 --runs 3\`).
`;

export function appendResults(file: string, section: string): void {
  const before = existsSync(file) ? readFileSync(file, 'utf8') : HEADER;
  writeFileSync(file, `${before.trimEnd()}\n\n${section.trimEnd()}\n`);
}

/** Target CPU time per stored sample, in microseconds (the figure to compare on a shared machine). */
export function cpuMicrosPerSample(storedRate: number, cores: number): number {
  return (cores / storedRate) * 1e6;
}

/**
 * Pharos fed OTLP against Pharos fed remote write in the same invocation (issue 4's target:
 * OTLP within 2× of remote write's samples/s). Throughput on a shared 2-core machine moves
 * with everyone else's load, so CPU per stored sample is given beside it.
 */
export function renderProtocolComparison(byTarget: ReadonlyMap<string, readonly RunResult[]>): string[] {
  const rw = byTarget.get('pharos');
  const otlp = [...byTarget].filter(([t]) => t.startsWith('pharos-otlp-'));
  if (rw === undefined || otlp.length === 0) return [];
  const r = mediansOf(rw);
  // The median of each run's own CPU per sample: cores and rate of one run belong together
  // (a run starved by other work has both low), medians taken apart would mix runs.
  const micros = (runs: readonly RunResult[]): number =>
    median(runs.filter((x) => x.error === undefined).map((x) => cpuMicrosPerSample(x.storedRate, x.targetCores)));
  const rwMicros = micros(rw);
  const rows = [
    '| Pharos fed | stored samples/s | × remote write | target CPU (cores) | CPU per stored sample (µs, median of runs) | × remote write | within 2× of remote write (samples/s) |',
    '|---|---:|---:|---:|---:|---:|---|',
    `| remote write 1.0 (\`pharos\`) | ${k(r.storedRate)} | 1.00× | ${f(r.targetCores)} | ${f(rwMicros, 1)} | 1.00× | |`,
  ];
  for (const [target, runs] of otlp) {
    const m = mediansOf(runs);
    const us = micros(runs);
    const ratio = m.storedRate / r.storedRate;
    const verdict = !Number.isFinite(ratio) ? 'n/a' : ratio >= 0.5 ? 'yes' : '**no**';
    rows.push(
      `| ${target.replace('pharos-', '')} (\`${target}\`) | ${k(m.storedRate)} | ${f(ratio)}× | ${f(m.targetCores)} | ${f(us, 1)} | ${f(us / rwMicros)}× | ${verdict} |`,
    );
  }
  return rows;
}
