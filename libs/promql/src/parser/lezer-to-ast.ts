import type { SyntaxNode } from '@lezer/common';
import type {
  AggregateExpr,
  AggregateOp,
  BinaryExpr,
  BinaryOp,
  Call,
  Expr,
  PositionRange,
  VectorMatchCardinality,
  VectorMatchFill,
  VectorSelector,
} from '../ast.js';
import { AGGREGATOR_SIGNATURES, getFunctionSignature } from './function-signatures.js';
import { exprChild, LeafReader, markDuration } from './leaf-reader.js';
import { durationLiterals } from './number-literal.js';
import type { QueryTimes } from './duration-expr.js';
import { PostfixForms } from './postfix-forms.js';
import { PromQLParseError } from './parse-error.js';
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
  readonly fill: VectorMatchFill | undefined;
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
  And: 'and', Or: 'or', Unless: 'unless', TrimUpper: '</', TrimLower: '>/',
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
  private readonly postfixForms: PostfixForms;

  /**
   * `names` maps positions where a function name was substituted for lezer to the name written;
   * `times` gives `step()` and `range()` in durations their values; `binopFillModifiers`
   * accepts `fill(…)`, `fill_left(…)`, `fill_right(…)` (see `ParseOptions`).
   */
  constructor(
    private readonly text: string,
    private readonly names: ReadonlyMap<number, string> = new Map(),
    times?: QueryTimes,
    private readonly binopFillModifiers = false,
  ) {
    this.leaves = new LeafReader(text);
    this.postfixForms = new PostfixForms(text, this.leaves, times);
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
      case 'SubqueryExpr':
      case 'OffsetExpr':
      case 'StepInvariantExpr':
      case 'AnchoredExpr':
      case 'SmoothedExpr':
      case 'UnaryExpr':
      case 'BinaryExpr':
        return this.chain(node);
      case 'FunctionCall':
        return this.call(node);
      case 'AggregateExpr':
        return this.aggregate(node);
      default:
        throw this.error(pos, `unexpected ${node.name} in expression`);
    }
  }

  error(pos: PositionRange, reason: string): PromQLParseError {
    return this.leaves.error(pos, reason);
  }

  /**
   * An operator chain: binary and unary operators with the postfix forms (`[range]`,
   * `[range:step]`, `offset`, `@`) written on their operands.
   *
   * lezer-promql binds the postfix forms looser than every operator, so it reads
   * `a + b offset 5m * 2` as `((a + b) offset 5m) * 2`, and its tree above the modifier is wrong
   * too. Prometheus' grammar gives them the highest precedence. So the chain is read back in text
   * order — operands (each with its postfix forms applied at once, so errors come in text order as
   * in Prometheus), prefix signs, binary operators — and rebuilt with Prometheus' precedence and
   * associativity (`promql/parser/generated_parser.y`).
   */
  private chain(node: SyntaxNode): Expr {
    const items: ChainItem[] = [];
    this.flatten(node, items);
    const reader = { items, i: 0 };
    const expr = this.parseChain(reader, 0);
    if (reader.i !== items.length) throw this.error({ start: node.from, end: node.to }, 'internal error: operator chain not fully read');
    return expr;
  }

  private flatten(node: SyntaxNode, items: ChainItem[]): void {
    switch (node.name) {
      case 'BinaryExpr': {
        const lhsNode = exprChild(node, 0);
        const rhsNode = exprChild(node, 1);
        this.flatten(lhsNode, items);
        items.push(this.binaryOperator(node, lhsNode, rhsNode));
        this.flatten(rhsNode, items);
        return;
      }
      case 'UnaryExpr': {
        const opNode = node.getChild('UnaryOp')!;
        items.push({ t: 'prefix', op: this.leaves.slice(opNode) === '-' ? '-' : '+', start: node.from });
        this.flatten(exprChild(node, 0), items);
        return;
      }
      case 'MatrixSelector':
      case 'SubqueryExpr':
      case 'OffsetExpr':
      case 'StepInvariantExpr':
      case 'AnchoredExpr':
      case 'SmoothedExpr': {
        this.flatten(exprChild(node, 0), items);
        // A flattened expression always ends with an operand: the one the modifier belongs to.
        const last = items[items.length - 1] as ChainOperand;
        last.expr = this.postfixForms.apply(last.expr, node);
        return;
      }
      case 'NumberDurationLiteral': {
        // lezer lexes a sign into the literal (`-2 ^ 2`); Prometheus reads it as a unary operator,
        // which binds looser than `^`: `-(2 ^ 2)`.
        const raw = this.leaves.slice(node);
        if (raw[0] === '-' || raw[0] === '+') {
          const num = this.leaves.signedNumber(node);
          const bodyStart = node.from + raw.length - raw.slice(1).trimStart().length;
          const sign = raw[0];
          items.push({ t: 'prefix', op: sign, start: node.from });
          const value = sign === '-' ? -num.value : num.value;
          items.push({ t: 'operand', expr: markDuration({ kind: 'NumberLiteral', value, pos: { start: bodyStart, end: node.to } }, num.duration) });
          return;
        }
        items.push({ t: 'operand', expr: this.expr(node) });
        return;
      }
      default:
        items.push({ t: 'operand', expr: this.expr(node) });
    }
  }

  /** Precedence climbing over the flattened chain: operators of precedence ≥ `minPrec` are taken. */
  private parseChain(r: ChainReader, minPrec: number): Expr {
    let lhs = this.parseUnary(r);
    for (;;) {
      const item = r.items[r.i];
      if (item === undefined || item.t !== 'binary') return lhs;
      const prec = PRECEDENCE[item.op];
      if (prec < minPrec) return lhs;
      r.i++;
      const rhs = this.parseChain(r, item.op === '^' ? prec : prec + 1);
      lhs = this.finishBinary(item, lhs, rhs);
    }
  }

  /** Prometheus' `unary_expr: unary_op expr %prec MUL`: only `^` binds tighter than a sign. */
  private parseUnary(r: ChainReader): Expr {
    const item = r.items[r.i++];
    if (item === undefined || item.t === 'binary') throw new PromQLParseError('internal error: operand expected in operator chain');
    if (item.t === 'operand') return item.expr;
    const operand = this.parseChain(r, PRECEDENCE['^']);
    const pos = { start: item.start, end: operand.pos.end };
    // Prometheus folds a sign into a number literal right away.
    if (operand.kind === 'NumberLiteral') {
      return markDuration({ ...operand, value: item.op === '-' ? -operand.value : operand.value, pos }, durationLiterals.has(operand));
    }
    return { kind: 'UnaryExpr', op: item.op, expr: operand, pos };
  }

  private binaryOperator(node: SyntaxNode, lhsNode: SyntaxNode, rhsNode: SyntaxNode): ChainOperator {
    const opNode = lhsNode.nextSibling!;
    const op = BINARY_OPS[opNode.name];
    if (op === undefined) {
      throw this.error({ start: opNode.from, end: opNode.to }, `binary operator ${JSON.stringify(this.leaves.slice(opNode))} is not supported by Pharos yet`);
    }
    let returnBool = false;
    let card: VectorMatchCardinality = 'one-to-one';
    let on = false;
    let labels: string[] = [];
    let include: string[] = [];
    let fill: VectorMatchFill | undefined;
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
        if (!this.binopFillModifiers) throw this.error({ start: node.from, end: node.to }, 'binop fill modifiers are experimental and not enabled');
        fill = this.fillValues(m);
      }
    }
    if (SET_OPS.has(op) && card === 'one-to-one') card = 'many-to-many';
    return { t: 'binary', op, returnBool, card, on, labels, include, fill };
  }

  /** `fill(v)` sets both sides; `fill_left(v)` / `fill_right(v)` one each (in either order). */
  private fillValues(modifier: SyntaxNode): VectorMatchFill {
    let lhs: number | undefined;
    let rhs: number | undefined;
    for (let c = modifier.firstChild; c; c = c.nextSibling) {
      const value = this.leaves.signedNumber(c.getChild('NumberDurationLiteral')!).value;
      if (c.name === 'FillClause') lhs = rhs = value;
      else if (c.name === 'FillLeftClause') lhs = value;
      else if (c.name === 'FillRightClause') rhs = value;
    }
    return { lhs, rhs };
  }

  private finishBinary(o: ChainOperator, lhs: Expr, rhs: Expr): BinaryExpr {
    const opPos = this.operatorRange(lhs.pos.end, rhs.pos.start);
    const pos = { start: lhs.pos.start, end: rhs.pos.end };
    const written: WrittenMatching = { card: o.card, on: o.on, labels: o.labels, include: o.include, fill: o.fill, opPos };
    return this.makeBinary({ kind: 'BinaryExpr', op: o.op, lhs, rhs, returnBool: o.returnBool, pos }, written);
  }

  /** Completes a binary expression: `matching` is kept only between two instant vectors, as Prometheus does. */
  private makeBinary(base: BinaryExpr, written: WrittenMatching): BinaryExpr {
    const bothVectors = typeOf(base.lhs) === 'vector' && typeOf(base.rhs) === 'vector';
    const { matching: _dropped, ...rest } = base;
    const expr: BinaryExpr = bothVectors
      ? {
          ...rest,
          matching: {
            card: written.card,
            on: written.on,
            labels: written.labels,
            include: written.include,
            ...(written.fill === undefined ? {} : { fill: written.fill }),
          },
        }
      : rest;
    this.notes.matching.set(expr, written);
    return expr;
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

/** One element of an operator chain read back in text order (see `LezerToAst.chain`). */
interface ChainOperand {
  readonly t: 'operand';
  expr: Expr;
}
interface ChainPrefix {
  readonly t: 'prefix';
  readonly op: '-' | '+';
  readonly start: number;
}
interface ChainOperator {
  readonly t: 'binary';
  readonly op: BinaryOp;
  readonly returnBool: boolean;
  readonly card: VectorMatchCardinality;
  readonly on: boolean;
  readonly labels: string[];
  readonly include: string[];
  readonly fill: VectorMatchFill | undefined;
}
type ChainItem = ChainOperand | ChainPrefix | ChainOperator;
interface ChainReader {
  readonly items: readonly ChainItem[];
  i: number;
}

/** Prometheus' operator precedence (`generated_parser.y`), loosest first; all left-associative but `^`. */
const PRECEDENCE: Readonly<Record<BinaryOp, number>> = {
  or: 1,
  and: 2, unless: 2,
  '==': 3, '!=': 3, '>': 3, '<': 3, '>=': 3, '<=': 3, '</': 3, '>/': 3,
  '+': 4, '-': 4,
  '*': 5, '/': 5, '%': 5, atan2: 5,
  '^': 6,
};
