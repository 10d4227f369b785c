import { MetricBatchBuilder, type MetricBatch } from '#pharos/metric-model';
import type { Expr } from '../ast.js';
import type { QueryEngine, QueryResult, QueryValue } from '../engine/query-api.js';
import type { Sample } from '../engine/values.js';
import { compareLabels, compareResult } from './compare.js';
import { formatDurationMs } from './go-syntax.js';
import { convertClassicHistograms } from './nhcb.js';
import { expectsFailure, expectsOrder, parsePromQLTestScript, type EvalCommand, type ExpectLine, type LoadCommand } from './script.js';
import { stepInvariantCases } from './step-invariance.js';

/**
 * Runs promqltest scripts against a Pharos query engine and the metric store behind it, the
 * way Prometheus' `promqltest.RunTest` runs them against Prometheus: loads become appended
 * batches, `clear` starts over, and every eval is checked for its result, errors and
 * annotations — instant evals also at other times with `@` pinning (step invariance) and as a
 * range query around the evaluation time.
 */

/** What the runner needs: somewhere to append samples, and the engine that reads them back. */
export interface PromQLTestBackend {
  /** Appends a batch; the samples MUST be readable when the promise resolves. */
  append(batch: MetricBatch): Promise<unknown>;
  readonly engine: QueryEngine;
}

export interface PromQLTestOptions {
  readonly backend: PromQLTestBackend;
  /** Names the script in eval ids (`<name>:<line>`); default `script`. */
  readonly name?: string;
  /**
   * Tenant prefix: each `clear` moves to a fresh tenant, so one store serves many scripts.
   * Default: unique per run.
   */
  readonly tenantPrefix?: string;
  /**
   * Parses queries for the step-invariance checks (Prometheus re-runs each instant eval with
   * `@` pinned selectors at five other times). Without it those checks are skipped.
   */
  readonly parse?: (query: string) => Expr;
  /** Re-check instant evals as a range query around the eval time, as Prometheus does; default true. */
  readonly rangeModeCheck?: boolean;
  /** Per-query timeout handed to the engine. */
  readonly timeoutMs?: number;
}

export interface PromQLTestEvalResult {
  /** `<script name>:<line>` of the eval command. */
  readonly id: string;
  readonly line: number;
  readonly expr: string;
  /** `instant at 10m` or `range from 0 to 10m step 1m`. */
  readonly query: string;
  readonly passed: boolean;
  /** On failure: the query that failed (maybe a rewritten variant), its time, and what differed. */
  readonly message?: string;
}

export interface PromQLTestScriptResult {
  readonly name: string;
  readonly evals: readonly PromQLTestEvalResult[];
  readonly passed: number;
  readonly failed: number;
  /** Things the run could not honour (e.g. start timestamps), for the report. */
  readonly notes: readonly string[];
}

let runCounter = 0;

/**
 * Parses and runs a script. Throws {@link PromQLTestSyntaxError} when the script is not valid
 * promqltest; otherwise every eval gets a result (a failed load fails the evals after it).
 */
export async function runPromQLTestScript(text: string, options: PromQLTestOptions): Promise<PromQLTestScriptResult> {
  const commands = parsePromQLTestScript(text);
  const name = options.name ?? 'script';
  const prefix = options.tenantPrefix ?? `promqltest-${process.pid}-${Date.now().toString(36)}-${runCounter++}`;
  const notes: string[] = [];
  const evals: PromQLTestEvalResult[] = [];
  let generation = 0;
  let tenant = `${prefix}-${generation}`;
  let loadError: string | undefined;

  for (const cmd of commands) {
    if (cmd.kind === 'clear') {
      tenant = `${prefix}-${++generation}`;
      loadError = undefined;
      continue;
    }
    if (cmd.kind === 'load') {
      if (cmd.startTimestampLines > 0) notes.push(`line ${cmd.line}: ${cmd.startTimestampLines} start-timestamp (@st) line(s) ignored: the store keeps no start timestamps`);
      try {
        await options.backend.append(buildLoadBatch(cmd, tenant));
      } catch (err) {
        loadError = `load at line ${cmd.line} failed: ${(err as Error).message}`;
      }
      continue;
    }
    const query = cmd.range
      ? `range from ${formatDurationMs(cmd.startMs)} to ${formatDurationMs(cmd.endMs)} step ${formatDurationMs(cmd.stepMs)}`
      : `instant at ${formatDurationMs(cmd.evalMs)}`;
    let message: string | undefined;
    try {
      message = loadError ?? (await runEval(cmd, tenant, options));
    } catch (err) {
      message = `the runner failed: ${(err as Error).stack ?? String(err)}`;
    }
    evals.push({ id: `${name}:${cmd.line}`, line: cmd.line, expr: cmd.expr, query, passed: message === undefined, ...(message === undefined ? {} : { message }) });
  }
  const passed = evals.filter((e) => e.passed).length;
  return { name, evals, passed, failed: evals.length - passed, notes };
}

/** One batch per load command: all its series, floats and histograms, at `i × interval`. */
export function buildLoadBatch(cmd: LoadCommand, tenant: string): MetricBatch {
  const builder = new MetricBatchBuilder(tenant, cmd.series.length + 1, cmd.series.length * 16);
  for (const s of cmd.series) {
    const index = builder.addSeries(s.labels);
    for (let i = 0; i < s.values.length; i++) {
      const v = s.values[i]!;
      if (v.kind === 'float') builder.addSample(i * cmd.intervalMs, v.value);
    }
    for (let i = 0; i < s.values.length; i++) {
      const v = s.values[i]!;
      if (v.kind === 'histogram') builder.addHistogram(index, i * cmd.intervalMs, v.histogram.histogram);
    }
  }
  if (cmd.withNHCB) {
    for (const converted of convertClassicHistograms(cmd.series, cmd.intervalMs)) {
      const index = builder.addSeries(converted.labels);
      for (let i = 0; i < converted.timestamps.length; i++) builder.addHistogram(index, converted.timestamps[i]!, converted.histograms[i]!);
    }
  }
  return builder.build();
}

type Outcome = { ok: true; result: QueryResult } | { ok: false; error: Error };

async function attempt(run: () => Promise<QueryResult>): Promise<Outcome> {
  try {
    return { ok: true, result: await run() };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err : new Error(String(err)) };
  }
}

async function runEval(cmd: EvalCommand, tenant: string, options: PromQLTestOptions): Promise<string | undefined> {
  const engine = options.backend.engine;
  const timeout = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
  if (cmd.range) {
    const outcome = await attempt(() => engine.rangeQuery({ tenant, query: cmd.expr, startMs: cmd.startMs, endMs: cmd.endMs, stepMs: cmd.stepMs, ...timeout }));
    return checkOutcome(cmd, cmd.expr, outcome);
  }
  const cases = [{ query: cmd.expr, evalMs: cmd.evalMs }];
  if (options.parse) {
    let tree: Expr | undefined;
    try {
      tree = options.parse(cmd.expr);
    } catch {
      // The query itself fails to parse: the first case reports it (or expects it).
    }
    if (tree) cases.push(...stepInvariantCases(tree, cmd.evalMs));
  }
  for (const c of cases) {
    const where = c.query === cmd.expr && c.evalMs === cmd.evalMs ? '' : ` (step-invariance check: ${c.query} at ${formatDurationMs(c.evalMs)})`;
    const outcome = await attempt(() => engine.instantQuery({ tenant, query: c.query, timeMs: c.evalMs, ...timeout }));
    const problem = checkOutcome(cmd, c.query, outcome);
    if (problem !== undefined) return problem + where;
    if (!outcome.ok || options.rangeModeCheck === false || cmd.excludeFromRangeQuery) continue;
    // Queries that read the range itself answer differently in range mode.
    if (/(start|end|range|step)\(\)/.test(c.query)) continue;
    const rangeProblem = await rangeModeCheck(cmd, c.query, c.evalMs, outcome.result.value, tenant, options);
    if (rangeProblem !== undefined) return `${rangeProblem} (range-mode check: ${c.query} from ${formatDurationMs(c.evalMs - 60_000)} to ${formatDurationMs(c.evalMs + 60_000)} step 1m)${where}`;
  }
  return undefined;
}

/** Errors, annotations and the result of one query against the eval's expectations. */
function checkOutcome(cmd: EvalCommand, query: string, outcome: Outcome): string | undefined {
  if (!outcome.ok) {
    if (expectsFailure(cmd)) return failureMismatch(cmd, outcome.error);
    return `error evaluating query ${JSON.stringify(query)}: ${outcome.error.message}`;
  }
  if (expectsFailure(cmd)) return `expected an error evaluating ${JSON.stringify(query)} but got none`;
  const annotationProblem = checkAnnotations(cmd, outcome.result);
  if (annotationProblem) return annotationProblem;
  return compareResult(cmd, outcome.result.value);
}

function failureMismatch(cmd: EvalCommand, error: Error): string | undefined {
  const actual = error.message;
  if (cmd.expectedFailMessage !== undefined && cmd.expectedFailMessage !== '' && cmd.expectedFailMessage !== actual) {
    return `expected error ${JSON.stringify(cmd.expectedFailMessage)}, but got: ${actual}`;
  }
  if (cmd.expectedFailRegexp && !cmd.expectedFailRegexp.test(actual)) {
    return `expected error matching ${String(cmd.expectedFailRegexp)}, but got: ${actual}`;
  }
  const expected = cmd.expects.fail[0];
  if (expected && !matches(expected, actual)) return `expected error matching ${describe(expected)}, but got: ${actual}`;
  return undefined;
}

function matches(e: ExpectLine, text: string): boolean {
  return e.pattern ? e.pattern.test(text) : e.message === text;
}

function describe(e: ExpectLine): string {
  return e.pattern ? `pattern ${String(e.pattern)}` : `message ${JSON.stringify(e.message)}`;
}

/** Prometheus' `checkAnnotations`: legacy flags, then each expect line and the unexpected rest. */
function checkAnnotations(cmd: EvalCommand, result: QueryResult): string | undefined {
  const warnings = [...result.annotations.warnings];
  const infos = [...result.annotations.infos];
  if (cmd.legacyWarn && warnings.length === 0) return 'expected warnings but got none';
  if (cmd.legacyInfo && infos.length === 0) return 'expected info annotations but got none';
  const typed = (kind: string, expected: readonly ExpectLine[], actual: string[]): string | undefined => {
    if (expected.length === 0) return undefined;
    if (actual.length === 0) return `expected ${kind} annotations but none were found`;
    for (const e of expected) {
      if (!actual.some((a) => matches(e, a))) return `expected a ${kind} annotation matching ${describe(e)}, but found: ${JSON.stringify(actual)}`;
    }
    for (const a of actual) if (!expected.some((e) => matches(e, a))) return `unexpected ${kind} annotation ${JSON.stringify(a)}`;
    return undefined;
  };
  const problem = typed('warn', cmd.expects.warn, warnings) ?? typed('info', cmd.expects.info, infos);
  if (problem) return problem;
  if (cmd.expects.no_warn.length > 0 && warnings.length > 0) return `unexpected warning annotations: ${JSON.stringify(warnings)}`;
  if (cmd.expects.no_info.length > 0 && infos.length > 0) return `unexpected info annotations: ${JSON.stringify(infos)}`;
  return undefined;
}

/**
 * The instant result must equal the middle step of a range query from t-1m to t+1m: the
 * runner's guard against an engine whose range and instant paths disagree.
 */
async function rangeModeCheck(cmd: EvalCommand, query: string, evalMs: number, instant: QueryValue, tenant: string, options: PromQLTestOptions): Promise<string | undefined> {
  const outcome = await attempt(() =>
    options.backend.engine.rangeQuery({ tenant, query, startMs: evalMs - 60_000, endMs: evalMs + 60_000, stepMs: 60_000, ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) }),
  );
  if (!outcome.ok) return `error evaluating the query in range mode: ${outcome.error.message}`;
  // Range results are sorted by labels, so an expected order cannot be checked there.
  if (expectsOrder(cmd)) return undefined;
  const value = outcome.result.value;
  if (value.resultType !== 'matrix') return `a range query returned a ${value.resultType}, not a matrix`;
  for (let i = 1; i < value.series.length; i++) {
    if (compareLabels(value.series[i - 1]!.labels, value.series[i]!.labels) > 0) return 'matrix results must be sorted by labels';
  }
  const samples: Sample[] = [];
  for (const s of value.series) {
    const fi = s.timestamps.indexOf(evalMs);
    if (fi >= 0) samples.push({ labels: s.labels, t: evalMs, f: s.values[fi]! });
    const hi = s.histTimestamps.indexOf(evalMs);
    if (hi >= 0) samples.push({ labels: s.labels, t: evalMs, f: 0, h: s.histograms[hi]! });
  }
  if (instant.resultType === 'scalar') {
    if (samples.length === 0) return 'the range query has no value at the evaluation time';
    return compareResult(cmd, { resultType: 'scalar', t: evalMs, f: samples[0]!.f });
  }
  return compareResult(cmd, { resultType: 'vector', samples });
}
