import { compareOutcomes } from './compare.js';
import { evaluationsFor, expandQuery, orderRule, relativeTime, type CorpusQuery, type NamedEvaluation } from './corpus.js';
import type { Dataset } from './dataset.js';
import { runQuery, type QueryOutcome } from './query-client.js';
import type { QueryTarget, TargetName } from './targets.js';

/** Every target's answer to one query at one evaluation. */
export interface EvaluationResult {
  readonly evaluation: NamedEvaluation;
  readonly outcomes: ReadonlyMap<TargetName, QueryOutcome>;
  /** Wall time of each target's answer (HTTP round trip on loopback), ms. */
  readonly durations: ReadonlyMap<TargetName, number>;
}

export interface QueryRun {
  readonly query: CorpusQuery;
  /** The text sent (placeholders expanded). */
  readonly text: string;
  readonly results: readonly EvaluationResult[];
}

/**
 * Runs every query at each of its evaluations against all targets. Queries run a few at a
 * time (the machine is shared); the targets of one evaluation are asked at once.
 */
export async function runCorpus(queries: readonly CorpusQuery[], dataset: Dataset, targets: readonly QueryTarget[], concurrency = 4): Promise<QueryRun[]> {
  const runs = new Array<QueryRun>(queries.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let k = next++; k < queries.length; k = next++) {
      const query = queries[k]!;
      const text = expandQuery(query, dataset);
      const results: EvaluationResult[] = [];
      for (const evaluation of evaluationsFor(query, dataset)) {
        const answers = await Promise.all(
          targets.map(async (t) => {
            const started = performance.now();
            const outcome = await answerOf(t, text, evaluation);
            return { name: t.name, outcome, ms: performance.now() - started };
          }),
        );
        results.push({ evaluation, outcomes: new Map(answers.map((a) => [a.name, a.outcome])), durations: new Map(answers.map((a) => [a.name, a.ms])) });
      }
      runs[k] = { query, text, results };
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return runs;
}

/** A target that cannot answer at all (connection refused, 404 HTML) is an answer too: a failing one. */
async function answerOf(target: QueryTarget, text: string, evaluation: NamedEvaluation): Promise<QueryOutcome> {
  try {
    return await runQuery(target.url, text, evaluation.evaluation);
  } catch (err) {
    return { status: 'error', errorType: 'request failed', error: err instanceof Error ? err.message : String(err), httpStatus: 0 };
  }
}

/** One query's differences between two targets: per evaluation, readable lines. */
export interface QueryDifference {
  readonly query: CorpusQuery;
  readonly text: string;
  readonly lines: readonly string[];
}

/** The queries on which `got` answers differently from `want`, with readable reasons. */
export function differences(runs: readonly QueryRun[], dataset: Dataset, got: TargetName, want: TargetName, include: (q: CorpusQuery) => boolean = () => true): QueryDifference[] {
  const out: QueryDifference[] = [];
  const timeName = (ms: number): string => relativeTime(dataset, ms);
  for (const run of runs) {
    if (!include(run.query)) continue;
    const lines: string[] = [];
    for (const r of run.results) {
      const g = r.outcomes.get(got);
      const w = r.outcomes.get(want);
      if (!g || !w) throw new Error(`no answer from ${g ? want : got} for ${run.query.id}`);
      for (const line of compareOutcomes(g, w, orderRule(run.query, r.evaluation.evaluation), 5, timeName)) lines.push(`${r.evaluation.name}: ${line}`);
    }
    if (lines.length > 0) out.push({ query: run.query, text: run.text, lines });
  }
  return out;
}

/** A failure report: query, where it is in the corpus, and the first lines of each difference. */
export function formatDifferences(title: string, diffs: readonly QueryDifference[], maxQueries = 40, maxLines = 4): string {
  const parts = [`${title}: ${diffs.length} quer${diffs.length === 1 ? 'y' : 'ies'}`];
  for (const d of diffs.slice(0, maxQueries)) {
    parts.push(`\n  ${d.text}    (${d.query.file}.txt:${d.query.line})`);
    for (const line of d.lines.slice(0, maxLines)) parts.push(`\n      ${line}`);
    if (d.lines.length > maxLines) parts.push(`\n      … ${d.lines.length - maxLines} more`);
  }
  if (diffs.length > maxQueries) parts.push(`\n  … ${diffs.length - maxQueries} more queries`);
  return parts.join('');
}

/** Answer times per target and query kind: count, median, p95, max and total, ms. */
export function timingSummary(runs: readonly QueryRun[]): string {
  const by = new Map<string, number[]>();
  for (const run of runs) {
    for (const r of run.results) {
      for (const [target, ms] of r.durations) {
        const key = `${target} ${r.evaluation.evaluation.kind}`;
        let list = by.get(key);
        if (!list) by.set(key, (list = []));
        list.push(ms);
      }
    }
  }
  const lines = ['target       kind      count  median    p95     max    total (ms)'];
  for (const [key, list] of [...by].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const sorted = Float64Array.from(list).sort();
    const q = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
    const total = sorted.reduce((x, y) => x + y, 0);
    const [target, kind] = key.split(' ');
    lines.push(`${target!.padEnd(12)} ${kind!.padEnd(8)} ${String(sorted.length).padStart(6)} ${q(0.5).toFixed(1).padStart(7)} ${q(0.95).toFixed(1).padStart(6)} ${q(1).toFixed(0).padStart(7)} ${total.toFixed(0).padStart(8)}`);
  }
  return lines.join('\n');
}

/**
 * Queries whose warnings or info annotations differ between two targets (first differing
 * evaluation each). For the report only: the test does not assert annotations.
 */
export function annotationDifferences(runs: readonly QueryRun[], got: TargetName, want: TargetName): string[] {
  const out: string[] = [];
  const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);
  for (const run of runs) {
    for (const r of run.results) {
      const g = r.outcomes.get(got);
      const w = r.outcomes.get(want);
      if (g?.status !== 'success' || w?.status !== 'success') continue;
      if (same(g.warnings, w.warnings) && same(g.infos, w.infos)) continue;
      out.push(`  ${run.text}    (${run.query.file}.txt:${run.query.line}) ${r.evaluation.name}\n      got  warnings ${JSON.stringify(g.warnings)} infos ${JSON.stringify(g.infos)}\n      want warnings ${JSON.stringify(w.warnings)} infos ${JSON.stringify(w.infos)}`);
      break;
    }
  }
  return out;
}
