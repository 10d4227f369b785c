import { compileMatcher, METRIC_NAME_LABEL } from '#pharos/metric-model';
import type { BinaryOp, Expr, PositionRange, ValueType } from '../ast.js';
import { getFunctionSignature } from './function-signatures.js';
import type { ConversionNotes } from './lezer-to-ast.js';
import { PromQLParseError } from './parse-error.js';
import { documentedType, typeOf } from './types.js';

const COMPARISON_OPS = new Set<BinaryOp>(['==', '!=', '>', '<', '>=', '<=']);
const SET_OPS = new Set<BinaryOp>(['and', 'or', 'unless']);
const SCALAR_PARAM_AGGREGATORS = new Set(['topk', 'bottomk', 'quantile', 'limitk', 'limit_ratio']);

/**
 * Prometheus' `checkAST`: the type rules of PromQL, checked depth-first in Prometheus' order so
 * the first error reported is the one Prometheus reports, with its wording.
 */
export function typeCheck(expr: Expr, text: string, notes: ConversionNotes): void {
  new TypeChecker(text, notes).check(expr);
}

class TypeChecker {
  constructor(
    private readonly text: string,
    private readonly notes: ConversionNotes,
  ) {}

  private fail(pos: PositionRange, reason: string): never {
    throw PromQLParseError.at(this.text, pos, reason);
  }

  private expectType(expr: Expr, want: ValueType, context: string): void {
    const t = this.check(expr);
    if (t !== want) this.fail(expr.pos, `expected type ${documentedType(want)} in ${context}, got ${documentedType(t)}`);
  }

  check(expr: Expr): ValueType {
    switch (expr.kind) {
      case 'AggregateExpr':
        this.expectType(expr.expr, 'vector', 'aggregation expression');
        if (SCALAR_PARAM_AGGREGATORS.has(expr.op) && expr.param) this.expectType(expr.param, 'scalar', 'aggregation parameter');
        if (expr.op === 'count_values' && expr.param) this.expectType(expr.param, 'string', 'aggregation parameter');
        break;
      case 'BinaryExpr':
        this.binary(expr);
        break;
      case 'Call':
        this.call(expr);
        break;
      case 'ParenExpr':
        this.check(expr.expr);
        break;
      case 'UnaryExpr': {
        const t = this.check(expr.expr);
        if (t !== 'scalar' && t !== 'vector') {
          this.fail(expr.pos, `unary expression only allowed on expressions of type scalar or instant vector, got ${JSON.stringify(documentedType(t))}`);
        }
        break;
      }
      case 'SubqueryExpr': {
        const t = this.check(expr.expr);
        if (t !== 'vector') this.fail(expr.pos, `subquery is only allowed on instant vector, got ${t} instead`);
        break;
      }
      case 'MatrixSelector':
        this.check(expr.vector);
        break;
      case 'VectorSelector':
        if (expr.name !== undefined) {
          // The matcher for a name written outside the braces is the last one.
          for (const m of expr.matchers.slice(0, -1)) {
            if (m.name === METRIC_NAME_LABEL) {
              this.fail(expr.pos, `metric name must not be set twice: ${JSON.stringify(expr.name)} or ${JSON.stringify(m.value)}`);
            }
          }
        } else if (!this.notes.bypassEmptyMatcherCheck.has(expr) && expr.matchers.every((m) => compileMatcher(m)(''))) {
          this.fail(expr.pos, 'vector selector must contain at least one non-empty matcher');
        }
        break;
      case 'NumberLiteral':
      case 'StringLiteral':
        break;
    }
    return typeOf(expr);
  }

  private binary(expr: Expr & { kind: 'BinaryExpr' }): void {
    const lt = this.check(expr.lhs);
    const rt = this.check(expr.rhs);
    const written = this.notes.matching.get(expr);
    const opPos = written?.opPos ?? expr.pos;
    if (expr.returnBool && !COMPARISON_OPS.has(expr.op)) this.fail(opPos, 'bool modifier can only be used on comparison operators');
    if (COMPARISON_OPS.has(expr.op) && !expr.returnBool && lt === 'scalar' && rt === 'scalar') {
      this.fail(opPos, 'comparisons between scalars must use BOOL modifier');
    }
    const matching = written ?? expr.matching;
    if (matching?.on) {
      for (const l of matching.labels) {
        if (matching.include.includes(l)) this.fail(opPos, `label ${JSON.stringify(l)} must not occur in ON and GROUP clause at once`);
      }
    }
    if (lt !== 'scalar' && lt !== 'vector') this.fail(expr.lhs.pos, 'binary expression must contain only scalar and instant vector types');
    if (rt !== 'scalar' && rt !== 'vector') this.fail(expr.rhs.pos, 'binary expression must contain only scalar and instant vector types');
    if (lt !== 'vector' || rt !== 'vector') {
      if (matching && matching.labels.length > 0) this.fail(expr.pos, 'vector matching only allowed between instant vectors');
      if (matching?.fill !== undefined) this.fail(expr.pos, 'filling in missing series only allowed between instant vectors');
    } else if (SET_OPS.has(expr.op) && matching) {
      if (matching.card === 'one-to-many' || matching.card === 'many-to-one') {
        this.fail(expr.pos, `no grouping allowed for ${JSON.stringify(expr.op)} operation`);
      }
      if (matching.card !== 'many-to-many') this.fail(expr.pos, 'set operations must always be many-to-many');
      if (matching.fill !== undefined) this.fail(expr.pos, 'filling in missing series not allowed for set operators');
    }
    if ((lt === 'scalar' || rt === 'scalar') && SET_OPS.has(expr.op)) {
      this.fail(expr.pos, `set operator ${JSON.stringify(expr.op)} not allowed in binary scalar expression`);
    }
  }

  private call(expr: Expr & { kind: 'Call' }): void {
    const sig = getFunctionSignature(expr.func);
    if (!sig) this.fail(expr.pos, `unknown function with name ${JSON.stringify(expr.func)}`);
    const declared = sig.argTypes.length;
    const given = expr.args.length;
    if (sig.variadic === 0) {
      if (declared !== given) this.fail(expr.pos, `expected ${declared} argument(s) in call to ${JSON.stringify(sig.name)}, got ${given}`);
    } else {
      const min = declared - 1;
      if (min > given) this.fail(expr.pos, `expected at least ${min} argument(s) in call to ${JSON.stringify(sig.name)}, got ${given}`);
      const max = min + sig.variadic;
      if (sig.variadic > 0 && max < given) {
        this.fail(expr.pos, `expected at most ${max} argument(s) in call to ${JSON.stringify(sig.name)}, got ${given}`);
      }
    }
    if (sig.name === 'info' && given > 1) {
      const selector = expr.args[1]!;
      const t = typeOf(selector);
      if (t !== 'vector') this.fail(expr.pos, `expected type instant vector in call to function "info", got ${documentedType(t)}`);
      if (selector.kind !== 'VectorSelector') this.fail(selector.pos, 'expected label selectors only');
      if (selector.name !== undefined) this.fail(selector.pos, 'expected label selectors only, got vector selector instead');
    }
    for (let i = 0; i < given; i++) {
      let typeIndex = i;
      if (i >= declared) {
        if (sig.variadic === 0) break;
        typeIndex = declared - 1;
      }
      const arg = expr.args[i]!;
      const t = this.check(arg);
      const want = sig.argTypes[typeIndex]!;
      if (t !== want) {
        this.fail(arg.pos, `expected type ${documentedType(want)} in call to function ${JSON.stringify(sig.name)}, got ${documentedType(t)}`);
      }
    }
  }
}
