import { isStaleNaN, RESET_HINT_NO, RESET_HINT_UNKNOWN, RESET_HINT_YES } from '#pharos/metric-model';
import type { Expr, VectorSelector } from '../ast.js';
import { detectHistogramReset } from '../histogram/reset.js';
import type { RawSeries } from './step-values.js';
import type { FloatHistogram } from './values.js';

/**
 * Selectors whose histograms Prometheus reads through its `HistogramStatsIterator`
 * (`detectHistogramStatsDecoding` in `promql/engine.go`): those under `histogram_count`,
 * `histogram_sum`, `histogram_avg` (or `timestamp`, `start_timestamp`, `absent`) with no
 * subquery and nothing that needs the buckets (`histogram_quantile`, `changes`, `count_values`,
 * `==`, trim operators, …) between. That iterator decides counter resets on the fly, so a
 * sample with an unknown reset hint that follows another gets "reset" or "not reset"; an
 * aggregation over them can then see both and warn of conflicting counter resets, which is what
 * Prometheus' own tests expect of e.g. `histogram_count(sum(m))`.
 */
export function histogramStatsSelectors(expr: Expr): Set<VectorSelector> {
  const out = new Set<VectorSelector>();
  walk(expr, [], out);
  return out;
}

const STATS_ONLY_FUNCTIONS = new Set(['histogram_count', 'histogram_sum', 'histogram_avg', 'timestamp', 'start_timestamp', 'absent']);
const BUCKET_FUNCTIONS = new Set(['histogram_quantile', 'histogram_quantiles', 'histogram_fraction', 'histogram_stddev', 'histogram_stdvar', 'changes']);

function walk(expr: Expr, path: Expr[], out: Set<VectorSelector>): void {
  switch (expr.kind) {
    case 'VectorSelector':
      if (skipsBuckets(path)) out.add(expr);
      return;
    case 'MatrixSelector':
      path.push(expr);
      walk(expr.vector, path, out);
      path.pop();
      return;
    case 'SubqueryExpr':
    case 'ParenExpr':
    case 'UnaryExpr':
      path.push(expr);
      walk(expr.expr, path, out);
      path.pop();
      return;
    case 'AggregateExpr':
      path.push(expr);
      if (expr.param) walk(expr.param, path, out);
      walk(expr.expr, path, out);
      path.pop();
      return;
    case 'BinaryExpr':
      path.push(expr);
      walk(expr.lhs, path, out);
      walk(expr.rhs, path, out);
      path.pop();
      return;
    case 'Call':
      path.push(expr);
      for (const a of expr.args) walk(a, path, out);
      path.pop();
      return;
    case 'NumberLiteral':
    case 'StringLiteral':
      return;
  }
}

/**
 * Walks up from the selector as Prometheus does: the nearest deciding node wins. A selector read
 * directly by `histogram_count(…)` and the like is left out: nothing there looks at reset hints,
 * so deciding them would only cost time.
 */
function skipsBuckets(path: readonly Expr[]): boolean {
  const direct = path.findLast((p) => p.kind !== 'ParenExpr' && p.kind !== 'MatrixSelector');
  if (direct?.kind === 'Call' && STATS_ONLY_FUNCTIONS.has(direct.func)) return false;
  let skip = false;
  for (let i = path.length - 1; i >= 0; i--) {
    const p = path[i]!;
    if (p.kind === 'SubqueryExpr') return false;
    if (p.kind === 'Call') {
      if (STATS_ONLY_FUNCTIONS.has(p.func)) skip = true;
      else if (BUCKET_FUNCTIONS.has(p.func)) return false;
    } else if (p.kind === 'AggregateExpr') {
      if (p.op === 'count_values') return false;
    } else if (p.kind === 'BinaryExpr') {
      if (p.op === '</' || p.op === '>/' || p.op === '==' || p.op === '!=') return false;
    }
  }
  return skip;
}

/**
 * The series with the reset hints the `HistogramStatsIterator` would give: a histogram with an
 * unknown hint that follows another (stale markers aside) is marked as a reset or not, by the
 * same detection `rate` uses. Series without such samples are returned as they are.
 */
export function withDetectedResetHints(series: readonly RawSeries[]): RawSeries[] {
  const out: RawSeries[] = [];
  for (const s of series) {
    let hists: FloatHistogram[] | undefined;
    let prev: FloatHistogram | undefined;
    for (let i = 0; i < s.histograms.length; i++) {
      const h = s.histograms[i]!;
      if (isStaleNaN(h.sum)) continue;
      if (prev !== undefined && h.resetHint === RESET_HINT_UNKNOWN) {
        hists ??= s.histograms.slice();
        hists[i] = { ...h, resetHint: detectHistogramReset(prev, h) ? RESET_HINT_YES : RESET_HINT_NO };
      }
      prev = h;
    }
    out.push(hists === undefined ? s : { ...s, histograms: hists });
  }
  return out;
}
