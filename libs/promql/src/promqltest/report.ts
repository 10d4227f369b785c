import type { PromQLTestEvalResult, PromQLTestScriptResult } from './runner.js';

/**
 * Reporting for promqltest runs, and the known-failures list that lets a suite be committed
 * green while the engine is incomplete: every eval not on the list must pass, and every eval
 * on the list must still fail (a fixed case has to leave the list, so it keeps passing).
 */

/**
 * Parses a known-failures file: one eval id (`<script>:<line>`) per line; `#` starts a
 * comment, so entries can carry the expression for readers.
 */
export function parseKnownFailures(text: string): Set<string> {
  const ids = new Set<string>();
  for (const raw of text.split('\n')) {
    const id = raw.replace(/#.*$/, '').trim();
    if (id !== '') ids.add(id);
  }
  return ids;
}

/** Writes a known-failures file for the failing evals of `results`, with their expressions. */
export function formatKnownFailures(results: readonly PromQLTestScriptResult[], header: string): string {
  const lines = header
    .trim()
    .split('\n')
    .map((l) => `# ${l}`.trimEnd());
  for (const r of results) {
    for (const e of r.evals) if (!e.passed) lines.push(`${e.id}  # ${e.expr.replace(/\s+/g, ' ')}`);
  }
  return `${lines.join('\n')}\n`;
}

export interface KnownFailureCheck {
  /** Failing evals that are not on the list. */
  readonly unexpectedFailures: readonly PromQLTestEvalResult[];
  /** Ids on the list whose eval now passes: remove them from the list. */
  readonly nowPassing: readonly string[];
  /** Ids on the list that name no eval of the checked scripts (a script changed). */
  readonly unknownIds: readonly string[];
}

/**
 * Checks results against the list. `scripts` limits `unknownIds` to ids of the scripts that
 * ran (ids are `<script>:<line>`), so one script can be checked alone.
 */
export function checkKnownFailures(results: readonly PromQLTestScriptResult[], known: ReadonlySet<string>): KnownFailureCheck {
  const unexpectedFailures: PromQLTestEvalResult[] = [];
  const nowPassing: string[] = [];
  const seen = new Set<string>();
  const scripts = new Set(results.map((r) => r.name));
  for (const r of results) {
    for (const e of r.evals) {
      seen.add(e.id);
      if (e.passed && known.has(e.id)) nowPassing.push(e.id);
      if (!e.passed && !known.has(e.id)) unexpectedFailures.push(e);
    }
  }
  const unknownIds = [...known].filter((id) => scripts.has(id.slice(0, id.lastIndexOf(':'))) && !seen.has(id));
  return { unexpectedFailures, nowPassing, unknownIds };
}

/** A readable account of a check, or undefined when it holds. */
export function formatKnownFailureCheck(check: KnownFailureCheck, listName: string): string | undefined {
  const parts: string[] = [];
  if (check.unexpectedFailures.length > 0) {
    parts.push(`${check.unexpectedFailures.length} eval(s) failed that are not in ${listName}:\n\n${check.unexpectedFailures.map(formatEvalFailure).join('\n\n')}`);
  }
  if (check.nowPassing.length > 0) parts.push(`${check.nowPassing.length} eval(s) in ${listName} pass now; remove them from the list:\n  ${check.nowPassing.join('\n  ')}`);
  if (check.unknownIds.length > 0) parts.push(`${check.unknownIds.length} id(s) in ${listName} name no eval (did a script change?):\n  ${check.unknownIds.join('\n  ')}`);
  return parts.length === 0 ? undefined : parts.join('\n\n');
}

/** One failed eval: where, what, and the message with the diff. */
export function formatEvalFailure(e: PromQLTestEvalResult): string {
  return `✗ ${e.id} eval ${e.query} ${e.expr}\n  ${(e.message ?? '').split('\n').join('\n  ')}`;
}

/** Pass counts per script and in total, then every failed eval; for CI logs and the lead. */
export function formatPromQLTestSummary(results: readonly PromQLTestScriptResult[], options: { readonly failures?: boolean } = {}): string {
  const width = Math.max(6, ...results.map((r) => r.name.length));
  const lines = [`${'script'.padEnd(width)}  passed / evals   rate`];
  let passed = 0;
  let total = 0;
  for (const r of results) {
    const n = r.evals.length;
    passed += r.passed;
    total += n;
    lines.push(`${r.name.padEnd(width)}  ${String(r.passed).padStart(6)} / ${String(n).padEnd(5)}  ${rate(r.passed, n)}`);
  }
  lines.push(`${'total'.padEnd(width)}  ${String(passed).padStart(6)} / ${String(total).padEnd(5)}  ${rate(passed, total)}`);
  const notes = results.flatMap((r) => r.notes.map((n) => `${r.name}: ${n}`));
  if (notes.length > 0) lines.push('', 'notes:', ...notes.map((n) => `  ${n}`));
  if (options.failures !== false) {
    const failed = results.flatMap((r) => r.evals.filter((e) => !e.passed));
    if (failed.length > 0) lines.push('', 'failed evals:', '', ...failed.map(formatEvalFailure));
  }
  return lines.join('\n');
}

function rate(passed: number, total: number): string {
  return total === 0 ? '   -' : `${((100 * passed) / total).toFixed(1).padStart(5)}%`;
}
