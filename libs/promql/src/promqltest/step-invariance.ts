import type { AtModifier, Expr, VectorMatching, VectorSelector } from '../ast.js';
import type { LabelMatcher } from '#pharos/metric-model';

/**
 * Prometheus' runner checks every instant eval for step invariance: it pins every selector and
 * subquery that is not inside a subquery to the evaluation time with `@`, and expects the same
 * result when that query is evaluated at other times (`atModifierTestCases` in
 * `promql/promqltest/test.go`). This module does the same on Pharos' syntax tree and prints
 * the rewritten query back to PromQL text.
 */

/** Functions whose result depends on the evaluation time itself (Prometheus `AtModifierUnsafeFunctions`). */
const AT_MODIFIER_UNSAFE_FUNCTIONS = new Set([
  'days_in_month',
  'day_of_month',
  'day_of_week',
  'day_of_year',
  'end',
  'hour',
  'minute',
  'month',
  'year',
  'predict_linear',
  'range',
  'start',
  'step',
  'time',
  'timestamp',
]);

export interface StepInvariantCase {
  readonly query: string;
  readonly evalMs: number;
}

/**
 * The `@`-pinned variants of an instant query at `evalMs`, or an empty list when the query
 * calls a function that depends on the evaluation time.
 */
export function stepInvariantCases(expr: Expr, evalMs: number): StepInvariantCase[] {
  let unsafe = false;
  const pin: AtModifier = { kind: 'timestamp', ms: evalMs };
  const rewrite = (e: Expr, insidePinnedSubquery: boolean): Expr => {
    if (insidePinnedSubquery) return e;
    switch (e.kind) {
      case 'NumberLiteral':
      case 'StringLiteral':
        return e;
      case 'VectorSelector':
        return e.at?.kind === 'timestamp' ? e : { ...e, at: pin };
      case 'MatrixSelector':
        return e.vector.at?.kind === 'timestamp' ? e : { ...e, vector: { ...e.vector, at: pin } };
      case 'SubqueryExpr': {
        // A subquery is pinned (its own @ kept if it had a timestamp), so nothing below it changes.
        return e.at?.kind === 'timestamp' ? e : { ...e, at: pin };
      }
      case 'Call':
        if (AT_MODIFIER_UNSAFE_FUNCTIONS.has(e.func)) unsafe = true;
        return { ...e, args: e.args.map((a) => rewrite(a, false)) };
      case 'AggregateExpr':
        return { ...e, expr: rewrite(e.expr, false), param: e.param && rewrite(e.param, false) };
      case 'BinaryExpr':
        return { ...e, lhs: rewrite(e.lhs, false), rhs: rewrite(e.rhs, false) };
      case 'UnaryExpr':
      case 'ParenExpr':
        return { ...e, expr: rewrite(e.expr, false) };
    }
  };
  const pinned = rewrite(expr, false);
  if (unsafe) return [];
  const query = printExpr(pinned);
  // Go's integer division truncates toward zero.
  const times = evalMs === 0 ? [-1000, 0, 1000] : [-10 * evalMs, 0, Math.trunc(evalMs / 5), evalMs, 10 * evalMs];
  return times.map((t) => ({ query, evalMs: t }));
}

const IDENTIFIER = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Prints a syntax tree as PromQL that parses back to the same tree. */
export function printExpr(e: Expr): string {
  switch (e.kind) {
    case 'NumberLiteral':
      return printNumber(e.value);
    case 'StringLiteral':
      return JSON.stringify(e.value);
    case 'VectorSelector':
      return printSelector(e, '');
    case 'MatrixSelector':
      return printSelector(e.vector, `[${e.rangeMs}ms]`);
    case 'SubqueryExpr':
      return `${printExpr(e.expr)}[${e.rangeMs}ms:${e.stepMs > 0 ? `${e.stepMs}ms` : ''}]${printOffset(e.offsetMs)}${printAt(e.at)}`;
    case 'Call':
      return `${e.func}(${e.args.map(printExpr).join(', ')})`;
    case 'AggregateExpr': {
      const grouping = e.without || e.grouping.length > 0 ? ` ${e.without ? 'without' : 'by'} (${e.grouping.map(printLabelName).join(', ')})` : '';
      const args = e.param ? `${printExpr(e.param)}, ${printExpr(e.expr)}` : printExpr(e.expr);
      // Spaced as Prometheus' `String()` (`sum(x)`, `sum by (job) (x)`): annotation positions depend on it.
      return `${e.op}${grouping === '' ? '' : `${grouping} `}(${args})`;
    }
    case 'BinaryExpr':
      return `${printExpr(e.lhs)} ${e.op}${e.returnBool ? ' bool' : ''}${printMatching(e.op, e.matching)} ${printExpr(e.rhs)}`;
    case 'UnaryExpr':
      return `${e.op}${printExpr(e.expr)}`;
    case 'ParenExpr':
      return `(${printExpr(e.expr)})`;
  }
}

function printNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function printLabelName(name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

function printSelector(vs: VectorSelector, range: string): string {
  const matchers: LabelMatcher[] = [];
  let prefix = '';
  for (const m of vs.matchers) {
    if (vs.name !== undefined && m.name === '__name__' && m.type === '=' && m.value === vs.name && prefix === '' && METRIC_NAME.test(vs.name)) {
      prefix = vs.name;
      continue;
    }
    matchers.push(m);
  }
  const inner = matchers.map((m) => `${printLabelName(m.name)}${m.type}${JSON.stringify(m.value)}`).join(', ');
  const braces = inner !== '' || prefix === '' ? `{${inner}}` : '';
  const extended = vs.anchored === true ? ' anchored' : vs.smoothed === true ? ' smoothed' : '';
  return `${prefix}${braces}${range}${extended}${printOffset(vs.offsetMs)}${printAt(vs.at)}`;
}

function printOffset(ms: number): string {
  return ms === 0 ? '' : ` offset ${ms < 0 ? '-' : ''}${Math.abs(ms)}ms`;
}

function printAt(at: AtModifier | undefined): string {
  if (!at) return '';
  if (at.kind === 'start') return ' @ start()';
  if (at.kind === 'end') return ' @ end()';
  return ` @ ${(at.ms / 1000).toFixed(3)}`;
}

function printMatching(op: string, m: VectorMatching | undefined): string {
  if (!m) return '';
  const grouping = m.card === 'many-to-one' ? 'group_left' : m.card === 'one-to-many' ? 'group_right' : '';
  const setOp = op === 'and' || op === 'or' || op === 'unless';
  let out = '';
  if (m.on || m.labels.length > 0 || grouping !== '') {
    out += ` ${m.on ? 'on' : 'ignoring'} (${m.labels.map(printLabelName).join(', ')})`;
  }
  if (grouping !== '' && !setOp) out += ` ${grouping} (${m.include.map(printLabelName).join(', ')})`;
  if (m.fill?.lhs !== undefined) out += ` fill_left(${printNumber(m.fill.lhs)})`;
  if (m.fill?.rhs !== undefined) out += ` fill_right(${printNumber(m.fill.rhs)})`;
  return out;
}
