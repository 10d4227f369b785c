import type { SyntaxNode } from '@lezer/common';
import type { PositionRange } from '../ast.js';
import type { PromQLParseError } from './parse-error.js';
import { readNumberToken } from './number-literal.js';

/** A duration expression folded to a constant. */
export interface DurationValue {
  readonly seconds: number;
  readonly pos: PositionRange;
  /**
   * A bare (possibly signed) number or duration literal. Prometheus checks literals while
   * parsing and computed durations (`5m + 1m`, `(5m)`) when evaluating; the messages are the same.
   */
  readonly literal: boolean;
}

type ErrorAt = (pos: PositionRange, reason: string) => PromQLParseError;

/**
 * The query's own times, which `step()` and `range()` in durations stand for (Prometheus'
 * `durationVisitor`): the step of a range query (0 for an instant query) and `end - start`.
 */
export interface QueryTimes {
  readonly stepMs: number;
  readonly rangeMs: number;
}

/** time.Duration is int64 nanoseconds: Prometheus' bound on durations in seconds. */
const MAX_DURATION_SECONDS = 2 ** 63 / 1e9;

/**
 * Folds a Prometheus 3 duration expression (`[5m + 1m]`, `offset -(1h / 2)`, `min_of(5m, 1h)`)
 * to seconds. `step()` and `range()` take the query's step and range from `times`; without
 * them (parsing for `parse_query`, rules) they are refused with a clear error.
 */
export function evalDurationExpr(node: SyntaxNode, text: string, errorAt: ErrorAt, times?: QueryTimes): DurationValue {
  const v = evalNode(node, text, errorAt, times);
  if (!v.literal) {
    if (!Number.isFinite(v.seconds)) throw errorAt(v.pos, 'duration is NaN or infinite');
    if (Math.abs(v.seconds) > MAX_DURATION_SECONDS) throw errorAt(v.pos, 'duration is out of range');
  }
  return v;
}

function evalNode(node: SyntaxNode, text: string, errorAt: ErrorAt, times: QueryTimes | undefined): DurationValue {
  const pos = { start: node.from, end: node.to };
  const first = node.firstChild;
  if (!first) throw errorAt(pos, `empty duration expression ${JSON.stringify(text.slice(node.from, node.to))}`);
  switch (first.name) {
    case 'NumberDurationLiteralInDurationContext': {
      const raw = text.slice(first.from, first.to);
      let seconds: number;
      try {
        seconds = readNumberToken(raw).value;
      } catch (err) {
        throw errorAt(pos, (err as Error).message);
      }
      if (Math.abs(seconds) > MAX_DURATION_SECONDS) throw errorAt(pos, 'duration out of range');
      return { seconds, pos, literal: true };
    }
    case 'UnaryOp': {
      const operand = evalNode(first.nextSibling!, text, errorAt, times);
      const negative = text.slice(first.from, first.to) === '-';
      const seconds = negative ? -operand.seconds : operand.seconds;
      return { seconds, pos, literal: operand.literal };
    }
    case 'DurationStep':
    case 'DurationRange':
      if (times !== undefined) return { seconds: (first.name === 'DurationStep' ? times.stepMs : times.rangeMs) / 1000, pos, literal: false };
      throw errorAt(pos, `${text.slice(first.from, first.to)}() in durations is not supported by Pharos yet`);
    case 'DurationMinOf':
    case 'DurationMaxOf': {
      const args = node.getChildren('DurationExpr').map((n) => evalNode(n, text, errorAt, times));
      const fn = first.name === 'DurationMinOf' ? Math.min : Math.max;
      return { seconds: fn(args[0]!.seconds, args[1]!.seconds), pos, literal: false };
    }
    case 'DurationExpr':
    case 'OffsetDurationExpr': {
      const opNode = first.nextSibling;
      if (!opNode || opNode.name === 'DurationExpr') {
        // `( expr )`: Prometheus marks it wrapped, which makes it a computed duration.
        const inner = evalNode(first, text, errorAt, times);
        return { seconds: inner.seconds, pos, literal: inner.literal && text[node.from] !== '(' };
      }
      const lhs = evalNode(first, text, errorAt, times);
      const rhs = evalNode(opNode.nextSibling!, text, errorAt, times);
      const opPos = { start: opNode.from, end: opNode.to };
      return { seconds: applyOp(opNode.name, lhs.seconds, rhs.seconds, opPos, errorAt), pos, literal: false };
    }
    default:
      throw errorAt(pos, `unexpected ${JSON.stringify(text.slice(first.from, first.to))} in duration expression`);
  }
}

function applyOp(op: string, a: number, b: number, opPos: PositionRange, errorAt: ErrorAt): number {
  switch (op) {
    case 'Add':
      return a + b;
    case 'Sub':
      return a - b;
    case 'Mul':
      return a * b;
    case 'Div':
      if (b === 0) throw errorAt(opPos, 'division by zero');
      return a / b;
    case 'Mod':
      if (b === 0) throw errorAt(opPos, 'modulo by zero');
      return a % b;
    case 'Pow':
      return a ** b;
    default:
      throw errorAt(opPos, `unexpected operator in duration expression`);
  }
}
