import type { SyntaxNode } from '@lezer/common';
import type { AtModifier, Expr, MatrixSelector, PositionRange, SubqueryExpr, VectorSelector } from '../ast.js';
import { evalDurationExpr, type DurationValue, type QueryTimes } from './duration-expr.js';
import { goPercentF, type LeafReader, secondsToMs } from './leaf-reader.js';
import type { PromQLParseError } from './parse-error.js';

/**
 * The postfix forms of PromQL — `[range]`, `[range:step]`, `offset`, `@`, `anchored`,
 * `smoothed` — applied to the operand they follow, with the checks Prometheus' grammar actions
 * make (which node kinds take which modifier, each set once, durations > 0, `@` timestamps in
 * range).
 */
export class PostfixForms {
  constructor(
    private readonly text: string,
    private readonly leaves: LeafReader,
    private readonly times: QueryTimes | undefined,
  ) {}

  /** Applies a postfix form (`node`) to the operand it follows, with Prometheus' checks. */
  apply(operand: Expr, node: SyntaxNode): Expr {
    switch (node.name) {
      case 'MatrixSelector':
        return this.matrixSelector(operand, node);
      case 'SubqueryExpr':
        return this.subquery(operand, node);
      case 'OffsetExpr':
        return this.offset(operand, node);
      case 'AnchoredExpr':
        return this.extendedRange(operand, node, 'anchored');
      case 'SmoothedExpr':
        return this.extendedRange(operand, node, 'smoothed');
      default:
        return this.at(operand, node);
    }
  }

  private matrixSelector(inner: Expr, node: SyntaxNode): MatrixSelector {
    const durNode = node.getChild('DurationExpr')!;
    const bracketPos = { start: durNode.from - 1, end: node.to };
    if (inner.kind !== 'VectorSelector') throw this.error(bracketPos, 'ranges only allowed for vector selectors');
    if (inner.offsetMs !== 0) throw this.error(bracketPos, 'no offset modifiers allowed before range');
    if (inner.at !== undefined) throw this.error(bracketPos, 'no @ modifiers allowed before range');
    const rangeMs = this.positiveDuration(durNode);
    return { kind: 'MatrixSelector', vector: inner, rangeMs, pos: { start: inner.pos.start, end: node.to } };
  }

  private subquery(inner: Expr, node: SyntaxNode): SubqueryExpr {
    const durations = node.getChildren('DurationExpr');
    const rangeMs = this.positiveDuration(durations[0]!);
    const stepMs = durations[1] ? this.positiveDuration(durations[1]) : 0;
    return { kind: 'SubqueryExpr', expr: inner, rangeMs, stepMs, offsetMs: 0, pos: { start: inner.pos.start, end: node.to } };
  }

  /** A range or step: Prometheus refuses a literal ≤ 0 while parsing and a computed one when evaluating. */
  private positiveDuration(node: SyntaxNode): number {
    const d = this.duration(node);
    if (!(d.seconds > 0)) throw this.error(d.pos, 'duration must be greater than 0');
    return secondsToMs(d.seconds);
  }

  private duration(node: SyntaxNode): DurationValue {
    return evalDurationExpr(node, this.text, (pos, reason) => this.error(pos, reason), this.times);
  }

  private offset(operand: Expr, node: SyntaxNode): Expr {
    const d = this.duration(node.getChild('OffsetDurationExpr')!);
    const offsetMs = secondsToMs(d.seconds);
    const pos = { start: operand.pos.start, end: node.to };
    const setOnce = (current: number): void => {
      if (current !== 0) throw this.error(operand.pos, 'offset may not be set multiple times');
    };
    switch (operand.kind) {
      case 'VectorSelector':
        setOnce(operand.offsetMs);
        return { ...operand, offsetMs, pos };
      case 'MatrixSelector':
        setOnce(operand.vector.offsetMs);
        return { ...operand, vector: { ...operand.vector, offsetMs }, pos };
      case 'SubqueryExpr':
        setOnce(operand.offsetMs);
        return { ...operand, offsetMs, pos };
      default:
        throw this.error(operand.pos, 'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery');
    }
  }

  /**
   * `anchored` / `smoothed` after a selector (Prometheus' `setAnchored`/`setSmoothed`): the
   * flag goes on the vector selector, also inside a range selector; the position is unchanged,
   * as in Prometheus, whose node ranges do not cover the keyword.
   */
  private extendedRange(operand: Expr, node: SyntaxNode, modifier: 'anchored' | 'smoothed'): Expr {
    const other = modifier === 'anchored' ? 'smoothed' : 'anchored';
    const mark = (vs: VectorSelector): VectorSelector => {
      if (vs[other] === true) throw this.error(operand.pos, 'anchored and smoothed modifiers cannot be used together');
      return { ...vs, [modifier]: true };
    };
    switch (operand.kind) {
      case 'VectorSelector':
        return mark(operand);
      case 'MatrixSelector':
        return { ...operand, vector: mark(operand.vector) };
      case 'SubqueryExpr':
        throw this.error(operand.pos, `${modifier} modifier is not supported for subqueries`);
      default:
        throw this.error({ start: operand.pos.start, end: node.to }, `${modifier} modifier not implemented`);
    }
  }

  private at(operand: Expr, node: SyntaxNode): Expr {
    let at: AtModifier;
    const pre = node.getChild('AtModifierPreprocessors');
    if (pre) {
      at = { kind: pre.firstChild?.name === 'AtEnd' ? 'end' : 'start' };
    } else {
      const seconds = this.leaves.signedNumber(node.getChild('NumberDurationLiteral')!).value;
      // Prometheus compares seconds against the int64 range, then rounds to milliseconds.
      if (!Number.isFinite(seconds) || seconds >= 9.223372036854776e18 || seconds <= -9.223372036854776e18) {
        throw this.error(operand.pos, `timestamp out of bounds for @ modifier: ${goPercentF(seconds)}`);
      }
      at = { kind: 'timestamp', ms: Math.round(seconds * 1000) };
    }
    const pos = { start: operand.pos.start, end: node.to };
    const setOnce = (current: AtModifier | undefined): void => {
      if (current !== undefined) throw this.error(operand.pos, '@ <timestamp> may not be set multiple times');
    };
    switch (operand.kind) {
      case 'VectorSelector':
        setOnce(operand.at);
        return { ...operand, at, pos };
      case 'MatrixSelector':
        setOnce(operand.vector.at);
        return { ...operand, vector: { ...operand.vector, at }, pos };
      case 'SubqueryExpr':
        setOnce(operand.at);
        return { ...operand, at, pos };
      default:
        throw this.error(operand.pos, '@ modifier must be preceded by an instant vector selector or range vector selector or a subquery');
    }
  }

  private error(pos: PositionRange, reason: string): PromQLParseError {
    return this.leaves.error(pos, reason);
  }
}
