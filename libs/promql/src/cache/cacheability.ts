import type { Expr } from '../ast.js';

/** What the result cache needs to know about a query's expression. */
export interface CacheAnalysis {
  /**
   * Whether each step's result depends only on the data and that step's time. False with `@`
   * (its `start()`/`end()` name the query range, and a fixed `@` makes every step read the
   * same window, so a late sample would touch them all).
   */
  readonly perStep: boolean;
  /**
   * How far after a step's time the step may read samples (negative offsets, also inside
   * subqueries): a sample written at time s can change the steps at `t ≥ s - forwardMs`.
   */
  readonly forwardMs: number;
}

/** Walks the expression once; see {@link CacheAnalysis}. */
export function analyzeForCache(expr: Expr): CacheAnalysis {
  let perStep = true;
  const forward = (e: Expr): number => {
    switch (e.kind) {
      case 'NumberLiteral':
      case 'StringLiteral':
        return 0;
      case 'VectorSelector':
        // A smoothed selector reads up to a lookback delta past the step, which this analysis
        // does not know (the cache keys on it): such queries are not cached per step.
        if (e.at !== undefined || e.smoothed === true) perStep = false;
        return Math.max(0, -e.offsetMs);
      case 'MatrixSelector':
        return forward(e.vector);
      case 'SubqueryExpr':
        if (e.at !== undefined) perStep = false;
        // The inner steps lie at or before t - offset and each reads up to its own reach.
        return Math.max(0, forward(e.expr) - e.offsetMs);
      case 'ParenExpr':
      case 'UnaryExpr':
        return forward(e.expr);
      case 'Call':
        return e.args.reduce((m, a) => Math.max(m, forward(a)), 0);
      case 'AggregateExpr':
        return Math.max(forward(e.expr), e.param === undefined ? 0 : forward(e.param));
      case 'BinaryExpr':
        return Math.max(forward(e.lhs), forward(e.rhs));
    }
  };
  const forwardMs = forward(expr);
  return { perStep, forwardMs };
}
