import type { AtModifier, Expr } from '../ast.js';
import { typeOf } from '../parser/types.js';

/**
 * Functions whose value is a constant of the query (`start()`, `end()`, `range()`, `step()`):
 * Prometheus folds them into number literals before looking for step-invariant subtrees.
 */
export const QUERY_CONSTANT_FUNCTIONS = new Set(['start', 'end', 'range', 'step']);

/**
 * Functions whose result changes with the evaluation time even when their arguments do not
 * (Prometheus' `AtModifierUnsafeFunctions`), so a call to them is never step-invariant.
 */
const AT_MODIFIER_UNSAFE = new Set([
  'days_in_month',
  'day_of_month',
  'day_of_week',
  'day_of_year',
  'hour',
  'minute',
  'month',
  'year',
  'predict_linear',
  'time',
  'timestamp',
]);

/** The PromQL type of an expression: the parser's, which assigned it while checking. */
export { typeOf };

/** Resolves `@ start()` / `@ end()` against the query's start and end. */
export function resolveAt(at: AtModifier | undefined, queryStart: number, queryEnd: number): number | undefined {
  if (at === undefined) return undefined;
  switch (at.kind) {
    case 'timestamp':
      return at.ms;
    case 'start':
      return queryStart;
    case 'end':
      return queryEnd;
  }
}

/**
 * The subtrees Prometheus' `PreprocessExpr` wraps in a `StepInvariantExpr`: their value is the
 * same at every step (an `@` modifier fixes their time, or they are literals), so they are
 * evaluated once at the first step and repeated. The rules are Prometheus' own, including its
 * quirks (an aggregation is as invariant as its input, whatever its parameter).
 */
export function stepInvariantRoots(expr: Expr, queryStart: number, queryEnd: number): Set<Expr> {
  const roots = new Set<Expr>();
  const [, wrap] = visit(expr, roots, queryStart, queryEnd);
  if (wrap) roots.add(expr);
  return roots;
}

/** Returns [isStepInvariant, shouldWrap] as `preprocessExprHelper`. */
function visit(expr: Expr, roots: Set<Expr>, qs: number, qe: number): [boolean, boolean] {
  switch (expr.kind) {
    case 'VectorSelector':
      return [expr.at !== undefined, expr.at !== undefined];
    case 'AggregateExpr':
      return visit(expr.expr, roots, qs, qe);
    case 'BinaryExpr': {
      const [invL, wrapL] = visit(expr.lhs, roots, qs, qe);
      const [invR, wrapR] = visit(expr.rhs, roots, qs, qe);
      if (invL && invR) return [true, true];
      if (wrapL) roots.add(expr.lhs);
      if (wrapR) roots.add(expr.rhs);
      return [false, false];
    }
    case 'Call': {
      if (QUERY_CONSTANT_FUNCTIONS.has(expr.func)) return [true, false];
      let invariant = !AT_MODIFIER_UNSAFE.has(expr.func);
      // timestamp() of @-pinned selectors only is step-invariant after all (Prometheus 3.16).
      let pinnedTimestamp = expr.func === 'timestamp';
      const wraps: boolean[] = [];
      for (const [i, arg] of expr.args.entries()) {
        const a = unwrapParens(arg);
        const [inv, wrap] = visit(a, roots, qs, qe);
        if (expr.func === 'info' && i === 1) {
          // The second argument of info() is selector syntax, never evaluated.
          wraps.push(false);
          continue;
        }
        invariant &&= inv;
        wraps.push(wrap);
        if (!inv || a.kind !== 'VectorSelector') pinnedTimestamp = false;
      }
      // Different reference times of its input make info() depend on the step.
      if (expr.func === 'info') invariant &&= referenceOf(unwrapParens(expr.args[0]!), qs, qe) !== undefined;
      if (invariant || pinnedTimestamp) return [true, true];
      expr.args.forEach((arg, i) => {
        if (wraps[i]) roots.add(unwrapParens(arg));
      });
      return [false, false];
    }
    case 'MatrixSelector':
      return [visit(expr.vector, roots, qs, qe)[0], false];
    case 'SubqueryExpr': {
      const [inv] = visit(expr.expr, roots, qs, qe);
      if (inv) roots.add(expr.expr);
      // Like a matrix selector, the subquery itself is never wrapped.
      return [expr.at !== undefined, false];
    }
    case 'ParenExpr':
    case 'UnaryExpr':
      return visit(expr.expr, roots, qs, qe);
    case 'NumberLiteral':
    case 'StringLiteral':
      return [true, false];
  }
}

export function unwrapParens(expr: Expr): Expr {
  while (expr.kind === 'ParenExpr') expr = expr.expr;
  return expr;
}

/**
 * The reference time of the info series (`infoSelectTimestampAndOffset`): the `@` and offset of
 * the selectors of `v`, when all agree and no branch of `v` is free of selectors.
 */
export function referenceOf(expr: Expr, queryStart: number, queryEnd: number): { atMs: number | undefined; offsetMs: number } | undefined {
  let first: { atMs: number | undefined; offsetMs: number } | undefined;
  let uniform = true;
  let referenceFree = false;
  const same = (a: { atMs: number | undefined; offsetMs: number }, b: { atMs: number | undefined; offsetMs: number }): boolean =>
    a.atMs === undefined || b.atMs === undefined
      ? a.atMs === undefined && b.atMs === undefined && a.offsetMs === b.offsetMs
      : a.atMs - a.offsetMs === b.atMs - b.offsetMs;
  const inspect = (e: Expr, path: readonly Expr[]): boolean => {
    const type = typeOf(e);
    if (type !== 'vector' && type !== 'matrix') return false;
    if (e.kind === 'VectorSelector') {
      const ref = { atMs: resolveAt(e.at, queryStart, queryEnd), offsetMs: e.offsetMs };
      for (let i = path.length - 1; ref.atMs === undefined && i >= 0; i--) {
        const p = path[i]!;
        if (p.kind === 'SubqueryExpr') {
          ref.offsetMs += p.offsetMs;
          ref.atMs = resolveAt(p.at, queryStart, queryEnd);
        }
      }
      if (first === undefined) first = ref;
      else if (!same(first, ref)) uniform = false;
      return true;
    }
    const next = [...path, e];
    if (e.kind === 'Call' && e.func === 'info') return inspect(e.args[0]!, next);
    let hasSelector = false;
    for (const child of children(e)) if (inspect(child, next)) hasSelector = true;
    if (!hasSelector) referenceFree = true;
    return hasSelector;
  };
  inspect(expr, []);
  return first !== undefined && uniform && !referenceFree ? first : undefined;
}

function children(e: Expr): Expr[] {
  switch (e.kind) {
    case 'MatrixSelector':
      return [e.vector];
    case 'SubqueryExpr':
    case 'ParenExpr':
    case 'UnaryExpr':
      return [e.expr];
    case 'Call':
      return [...e.args];
    case 'AggregateExpr':
      return e.param === undefined ? [e.expr] : [e.param, e.expr];
    case 'BinaryExpr':
      return [e.lhs, e.rhs];
    default:
      return [];
  }
}
