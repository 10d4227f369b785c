import type { SyntaxNode } from '@lezer/common';
import type {
  AggregateExpr,
  AggregateOp,
  AtModifier,
  BinaryExpr,
  BinaryOp,
  Call,
  Expr,
  MatrixSelector,
  PositionRange,
  SubqueryExpr,
  VectorMatchCardinality,
  VectorSelector,
} from '../ast.js';
import { AGGREGATOR_SIGNATURES, getFunctionSignature } from './function-signatures.js';
import { evalDurationExpr, type DurationValue } from './duration-expr.js';
import { exprChild, goPercentF, LeafReader, markDuration, secondsToMs } from './leaf-reader.js';
import { durationLiterals } from './number-literal.js';
import type { PromQLParseError } from './parse-error.js';
import { typeOf } from './types.js';

/**
 * What the source said about vector matching, kept for the type check even when the AST drops
 * `matching` (Prometheus checks `on`/`group_*` labels before it knows both sides are vectors).
 */
export interface WrittenMatching {
  readonly card: VectorMatchCardinality;
  readonly on: boolean;
  readonly labels: readonly string[];
  readonly include: readonly string[];
  /** Range of the operator and its modifiers, where Prometheus reports operator errors. */
  readonly opPos: PositionRange;
}

/** Side tables the type check needs that the AST itself does not carry. */
export interface ConversionNotes {
  readonly matching: WeakMap<BinaryExpr, WrittenMatching>;
  /** Calls to `info` whose second argument is a selector that may match only empty labels. */
  readonly bypassEmptyMatcherCheck: WeakSet<VectorSelector>;
}

const BINARY_OPS: Readonly<Record<string, BinaryOp>> = {
  Pow: '^', Mul: '*', Div: '/', Mod: '%', Atan2: 'atan2', Add: '+', Sub: '-',
  Eql: '==', Neq: '!=', Gtr: '>', Lss: '<', Gte: '>=', Lte: '<=',
  And: 'and', Or: 'or', Unless: 'unless',
};

const SET_OPS = new Set<BinaryOp>(['and', 'or', 'unless']);

/**
 * Builds our AST from a lezer-promql syntax tree that has no error nodes, applying the checks
 * Prometheus makes while parsing (its grammar actions): modifiers on the right node kinds,
 * durations, number and string syntax, known functions, aggregation argument counts.
 * Type checks (`checkAST`) come after, in `type-check.ts`.
 */
export class LezerToAst {
  readonly notes: ConversionNotes = { matching: new WeakMap(), bypassEmptyMatcherCheck: new WeakSet() };

  private readonly leaves: LeafReader;

  /** `names` maps positions where a function name was substituted for lezer to the name written. */
  constructor(
    private readonly text: string,
    private readonly names: ReadonlyMap<number, string> = new Map(),
  ) {
    this.leaves = new LeafReader(text);
  }

  expr(node: SyntaxNode): Expr {
    const pos = { start: node.from, end: node.to };
    switch (node.name) {
      case 'ParenExpr':
        return { kind: 'ParenExpr', expr: this.expr(exprChild(node, 0)), pos };
      case 'NumberDurationLiteral': {
        const num = this.leaves.signedNumber(node);
        return markDuration({ kind: 'NumberLiteral', value: num.value, pos }, num.duration);
      }
      case 'StringLiteral':
        return { kind: 'StringLiteral', value: this.leaves.unquote(node), pos };
      case 'VectorSelector':
        return this.leaves.vectorSelector(node);
      case 'MatrixSelector':
        return this.matrixSelector(node);
      case 'SubqueryExpr':
        return this.subquery(node);
      case 'OffsetExpr':
        return this.offset(node);
      case 'StepInvariantExpr':
        return this.at(node);
      case 'UnaryExpr':
        return this.unary(node);
      case 'BinaryExpr':
        return this.binary(node);
      case 'FunctionCall':
        return this.call(node);
      case 'AggregateExpr':
        return this.aggregate(node);
      case 'AnchoredExpr':
        throw this.error(pos, 'the anchored modifier is not supported by Pharos yet');
      case 'SmoothedExpr':
        throw this.error(pos, 'the smoothed modifier is not supported by Pharos yet');
      default:
        throw this.error(pos, `unexpected ${node.name} in expression`);
    }
  }

  error(pos: PositionRange, reason: string): PromQLParseError {
    return this.leaves.error(pos, reason);
  }

  /**
   * lezer-promql binds the postfix forms (`[range]`, `[range:step]`, `offset`, `@`) looser than
   * binary and unary operators, so it reads `a + b offset 5m` as `(a + b) offset 5m`. Prometheus'
   * grammar gives them the highest precedence: they belong to the nearest operand on their left.
   * This applies `apply` there, rebuilding the operators above it.
   */
  private postfix(target: Expr, end: number, apply: (operand: Expr) => Expr): Expr {
    if (target.kind === 'BinaryExpr') {
      return this.rebuildBinary(target, this.postfix(target.rhs, end, apply), { start: target.pos.start, end });
    }
    if (target.kind === 'UnaryExpr') {
      return { ...target, expr: this.postfix(target.expr, end, apply), pos: { start: target.pos.start, end } };
    }
    return apply(target);
  }

  private matrixSelector(node: SyntaxNode): Expr {
    const durNode = node.getChild('DurationExpr')!;
    const bracketPos = { start: durNode.from - 1, end: node.to };
    return this.postfix(this.expr(exprChild(node, 0)), node.to, (inner): MatrixSelector => {
      if (inner.kind !== 'VectorSelector') throw this.error(bracketPos, 'ranges only allowed for vector selectors');
      if (inner.offsetMs !== 0) throw this.error(bracketPos, 'no offset modifiers allowed before range');
      if (inner.at !== undefined) throw this.error(bracketPos, 'no @ modifiers allowed before range');
      const rangeMs = this.positiveDuration(durNode);
      return { kind: 'MatrixSelector', vector: inner, rangeMs, pos: { start: inner.pos.start, end: node.to } };
    });
  }

  private subquery(node: SyntaxNode): Expr {
    const durations = node.getChildren('DurationExpr');
    return this.postfix(this.expr(exprChild(node, 0)), node.to, (inner): SubqueryExpr => {
      const rangeMs = this.positiveDuration(durations[0]!);
      const stepMs = durations[1] ? this.positiveDuration(durations[1]) : 0;
      return { kind: 'SubqueryExpr', expr: inner, rangeMs, stepMs, offsetMs: 0, pos: { start: inner.pos.start, end: node.to } };
    });
  }

  /** A range or step: Prometheus refuses a literal ≤ 0 while parsing and a computed one when evaluating. */
  private positiveDuration(node: SyntaxNode): number {
    const d = this.duration(node);
    if (!(d.seconds > 0)) throw this.error(d.pos, 'duration must be greater than 0');
    return secondsToMs(d.seconds);
  }

  private duration(node: SyntaxNode): DurationValue {
    return evalDurationExpr(node, this.text, (pos, reason) => this.error(pos, reason));
  }

  private offset(node: SyntaxNode): Expr {
    const target = this.expr(exprChild(node, 0));
    const d = this.duration(node.getChild('OffsetDurationExpr')!);
    const offsetMs = secondsToMs(d.seconds);
    return this.postfix(target, node.to, (operand) => {
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
    });
  }

  private at(node: SyntaxNode): Expr {
    const targetNode = exprChild(node, 0);
    const target = this.expr(targetNode);
    let at: AtModifier;
    const pre = node.getChild('AtModifierPreprocessors');
    if (pre) {
      at = { kind: pre.firstChild?.name === 'AtEnd' ? 'end' : 'start' };
    } else {
      const seconds = this.leaves.signedNumber(node.getChild('NumberDurationLiteral')!).value;
      // Prometheus compares seconds against the int64 range, then rounds to milliseconds.
      if (!Number.isFinite(seconds) || seconds >= 9.223372036854776e18 || seconds <= -9.223372036854776e18) {
        throw this.error(rightmost(target).pos, `timestamp out of bounds for @ modifier: ${goPercentF(seconds)}`);
      }
      at = { kind: 'timestamp', ms: Math.round(seconds * 1000) };
    }
    return this.postfix(target, node.to, (operand) => {
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
    });
  }

  private unary(node: SyntaxNode): Expr {
    const opNode = node.getChild('UnaryOp')!;
    const op = this.leaves.slice(opNode) === '-' ? '-' : '+';
    const operand = this.expr(exprChild(node, 0));
    const pos = { start: node.from, end: node.to };
    // Prometheus folds a sign into a number literal right away.
    if (operand.kind === 'NumberLiteral') {
      return markDuration({ ...operand, value: op === '-' ? -operand.value : operand.value, pos }, durationLiterals.has(operand));
    }
    return { kind: 'UnaryExpr', op, expr: operand, pos };
  }

  private binary(node: SyntaxNode): Expr {
    const lhsNode = exprChild(node, 0);
    const rhsNode = exprChild(node, 1);
    const opNode = lhsNode.nextSibling!;
    const op = BINARY_OPS[opNode.name];
    const pos = { start: node.from, end: node.to };
    if (op === undefined) {
      throw this.error({ start: opNode.from, end: opNode.to }, `binary operator ${JSON.stringify(this.leaves.slice(opNode))} is not supported by Pharos yet`);
    }
    let returnBool = false;
    let card: VectorMatchCardinality = 'one-to-one';
    let on = false;
    let labels: string[] = [];
    let include: string[] = [];
    for (let m = opNode.nextSibling; m && m !== rhsNode; m = m.nextSibling) {
      if (m.name === 'BoolModifier') returnBool = true;
      else if (m.name === 'MatchingModifierClause') {
        on = m.getChild('On') !== null;
        const groups = m.getChildren('GroupingLabels');
        labels = this.leaves.groupingLabels(groups[0]!);
        if (m.getChild('GroupLeft')) card = 'many-to-one';
        if (m.getChild('GroupRight')) card = 'one-to-many';
        if (groups[1]) include = this.leaves.groupingLabels(groups[1]);
      } else if (m.name === 'FillModifier') {
        throw this.error(pos, 'binop fill modifiers are experimental and not enabled');
      }
    }
    // lezer reads `-2 ^ 2` as `(-2) ^ 2`; Prometheus binds the sign looser than `^`: `-(2 ^ 2)`.
    if (op === '^' && lhsNode.name === 'NumberDurationLiteral' && /^[-+]/.test(this.leaves.slice(lhsNode))) {
      const raw = this.leaves.slice(lhsNode);
      const sign = raw[0] === '-' ? '-' : '+';
      const bodyStart = lhsNode.from + raw.length - raw.slice(1).trimStart().length;
      const num = this.leaves.signedNumber(lhsNode);
      const unsigned = markDuration(
        { kind: 'NumberLiteral', value: sign === '-' ? -num.value : num.value, pos: { start: bodyStart, end: lhsNode.to } },
        num.duration,
      );
      const inner = this.finishBinary(op, unsigned, this.expr(rhsNode), returnBool, { card, on, labels, include }, { start: bodyStart, end: node.to }, lhsNode, rhsNode);
      return { kind: 'UnaryExpr', op: sign, expr: inner, pos };
    }
    return this.finishBinary(op, this.expr(lhsNode), this.expr(rhsNode), returnBool, { card, on, labels, include }, pos, lhsNode, rhsNode);
  }

  private finishBinary(
    op: BinaryOp,
    lhs: Expr,
    rhs: Expr,
    returnBool: boolean,
    written: { card: VectorMatchCardinality; on: boolean; labels: string[]; include: string[] },
    pos: PositionRange,
    lhsNode: SyntaxNode,
    rhsNode: SyntaxNode,
  ): BinaryExpr {
    const opPos = this.operatorRange(lhsNode.to, rhsNode.from);
    let card = written.card;
    if (SET_OPS.has(op) && card === 'one-to-one') card = 'many-to-many';
    return this.makeBinary({ kind: 'BinaryExpr', op, lhs, rhs, returnBool, pos }, { ...written, card, opPos });
  }

  /** Completes a binary expression: `matching` is kept only between two instant vectors, as Prometheus does. */
  private makeBinary(base: BinaryExpr, written: WrittenMatching): BinaryExpr {
    const bothVectors = typeOf(base.lhs) === 'vector' && typeOf(base.rhs) === 'vector';
    const { matching: _dropped, ...rest } = base;
    const expr: BinaryExpr = bothVectors
      ? { ...rest, matching: { card: written.card, on: written.on, labels: written.labels, include: written.include } }
      : rest;
    this.notes.matching.set(expr, written);
    return expr;
  }

  private rebuildBinary(b: BinaryExpr, rhs: Expr, pos: PositionRange): BinaryExpr {
    return this.makeBinary({ ...b, rhs, pos }, this.notes.matching.get(b)!);
  }

  /** Prometheus' `opRange`: from the end of the left operand to the start of the right, trimmed. */
  private operatorRange(from: number, to: number): PositionRange {
    let start = from;
    let end = to - 1;
    while (start < end && /\s/.test(this.text[start]!)) start++;
    while (end > start && /\s/.test(this.text[end]!)) end--;
    return { start, end: end + 1 };
  }

  private callArgs(body: SyntaxNode): Expr[] {
    const args: Expr[] = [];
    for (let c = body.firstChild; c; c = c.nextSibling) if (c.type.is('Expr')) args.push(this.expr(c));
    return args;
  }

  private call(node: SyntaxNode): Call {
    const id = node.getChild('FunctionIdentifier')!;
    const func = this.names.get(id.from) ?? this.leaves.slice(id);
    if (!getFunctionSignature(func)) {
      throw this.error({ start: id.from, end: id.from + func.length }, `unknown function with name ${JSON.stringify(func)}`);
    }
    const args = this.callArgs(node.getChild('FunctionCallBody')!);
    const call: Call = { kind: 'Call', func, args, pos: { start: node.from, end: node.to } };
    if (func === 'info' && args[1]?.kind === 'VectorSelector') this.notes.bypassEmptyMatcherCheck.add(args[1]);
    return call;
  }

  private aggregate(node: SyntaxNode): AggregateExpr {
    const opNode = node.getChild('AggregateOp')!;
    const op = this.leaves.slice(opNode).toLowerCase() as AggregateOp;
    const sig = AGGREGATOR_SIGNATURES.get(op)!;
    const pos = { start: node.from, end: node.to };
    let grouping: string[] = [];
    let without = false;
    const modifier = node.getChild('AggregateModifier');
    if (modifier) {
      without = modifier.getChild('Without') !== null;
      grouping = this.leaves.groupingLabels(modifier.getChild('GroupingLabels')!);
    }
    const args = this.callArgs(node.getChild('FunctionCallBody')!);
    if (args.length === 0) throw this.error(pos, 'no arguments for aggregate expression provided');
    const wanted = sig.paramType ? 2 : 1;
    if (args.length !== wanted) {
      throw this.error(pos, `wrong number of arguments for aggregate expression provided, expected ${wanted}, got ${args.length}`);
    }
    const base: AggregateExpr = { kind: 'AggregateExpr', op, expr: args[wanted - 1]!, grouping, without, pos };
    return sig.paramType ? { ...base, param: args[0]! } : base;
  }
}

/** The operand a postfix modifier written after `expr` belongs to in Prometheus' grammar. */
function rightmost(expr: Expr): Expr {
  if (expr.kind === 'BinaryExpr') return rightmost(expr.rhs);
  if (expr.kind === 'UnaryExpr') return rightmost(expr.expr);
  return expr;
}
