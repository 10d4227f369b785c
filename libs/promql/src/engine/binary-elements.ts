import type { BinaryOp, PositionRange } from '../ast.js';
import {
  addHistograms,
  compactHistogram,
  divHistogramByScalar,
  histogramEquals,
  IncompatibleHistogramSchemaError,
  scaleHistogram,
  subHistograms,
} from '../histogram/arithmetic.js';
import { trimHistogram } from '../histogram/trim.js';
import { RESET_HINT_GAUGE } from '#pharos/metric-model';
import { PromQLError } from './query-api.js';
import type { Annotations, FloatHistogram } from './values.js';

/**
 * Element-wise binary operations as Prometheus' `vectorElemBinop` and `scalarBinop`, including
 * the native-histogram cases. Results come back through {@link ElemResult} (one reusable
 * object per call site) so that hot loops allocate nothing for float samples.
 */
export interface ElemResult {
  f: number;
  h: FloatHistogram | undefined;
  /** For comparisons: whether the filter keeps the sample. Always true for arithmetic. */
  keep: boolean;
}

export function newElemResult(): ElemResult {
  return { f: 0, h: undefined, keep: false };
}

export function isComparison(op: BinaryOp): boolean {
  return op === '==' || op === '!=' || op === '>' || op === '<' || op === '>=' || op === '<=';
}

/** `</` and `>/`: defined only for a histogram on the left and a float on the right. */
export function isTrim(op: BinaryOp): boolean {
  return op === '</' || op === '>/';
}

/** Arithmetic operators change what a sample means, so they drop the metric name. */
export function changesMetricSchema(op: BinaryOp): boolean {
  return op === '+' || op === '-' || op === '*' || op === '/' || op === '%' || op === '^' || op === 'atan2';
}

/** Go's `math.Pow`, which differs from `**` for a base of ±1 with NaN or infinite exponents. */
export function goPow(x: number, y: number): number {
  if (x === 1) return 1;
  if (x === -1 && (y === Infinity || y === -Infinity)) return 1;
  return x ** y;
}

/** Float ⊕ float; comparisons return the lhs value with `keep` set (as `vectorElemBinop`). */
export function floatBinop(op: BinaryOp, l: number, r: number, out: ElemResult): void {
  out.h = undefined;
  out.keep = true;
  switch (op) {
    case '+':
      out.f = l + r;
      return;
    case '-':
      out.f = l - r;
      return;
    case '*':
      out.f = l * r;
      return;
    case '/':
      out.f = l / r;
      return;
    case '%':
      // JavaScript's % on floats is C fmod, as Go's math.Mod: the sign follows the dividend.
      out.f = l % r;
      return;
    case '^':
      out.f = goPow(l, r);
      return;
    case 'atan2':
      out.f = Math.atan2(l, r);
      return;
    case '==':
      out.f = l;
      out.keep = l === r;
      return;
    case '!=':
      out.f = l;
      out.keep = l !== r;
      return;
    case '>':
      out.f = l;
      out.keep = l > r;
      return;
    case '<':
      out.f = l;
      out.keep = l < r;
      return;
    case '>=':
      out.f = l;
      out.keep = l >= r;
      return;
    case '<=':
      out.f = l;
      out.keep = l <= r;
      return;
    default:
      throw new Error(`operator ${op} not allowed for operations between vectors`);
  }
}

/** Scalar ⊕ scalar (`scalarBinop`): comparisons give 1 or 0. */
export function scalarBinop(op: BinaryOp, l: number, r: number): number {
  switch (op) {
    case '==':
      return l === r ? 1 : 0;
    case '!=':
      return l !== r ? 1 : 0;
    case '>':
      return l > r ? 1 : 0;
    case '<':
      return l < r ? 1 : 0;
    case '>=':
      return l >= r ? 1 : 0;
    case '<=':
      return l <= r ? 1 : 0;
    case '</':
    case '>/':
      // Prometheus' `scalarBinop` panics here and answers the panic as an execution error.
      throw new PromQLError('execution', `operator ${JSON.stringify(op)} not allowed for Scalar operations`);
    default: {
      const out = newElemResult();
      floatBinop(op, l, r, out);
      return out.f;
    }
  }
}

function opText(op: BinaryOp): string {
  return op;
}

function incompatible(annotations: Annotations, l: string, op: BinaryOp, r: string, pos: PositionRange): false {
  annotations.info(`PromQL info: incompatible sample types encountered for binary operator "${opText(op)}": ${l} ${opText(op)} ${r}`, pos);
  return false;
}

/**
 * Any operands, at least one a histogram (or both floats for a trim operator, which then yields
 * nothing, as in Prometheus). Returns false when the operation yields no sample
 * (an info annotation says why, as Prometheus does); otherwise fills `out`.
 */
export function histogramBinop(
  op: BinaryOp,
  lf: number,
  rf: number,
  lh: FloatHistogram | undefined,
  rh: FloatHistogram | undefined,
  out: ElemResult,
  annotations: Annotations,
  pos: PositionRange,
): boolean {
  out.f = 0;
  out.keep = true;
  if (lh === undefined && rh === undefined && isTrim(op)) return incompatible(annotations, 'float', op, 'float', pos);
  if (lh === undefined && rh !== undefined) {
    if (op === '*') {
      out.h = compactHistogram(scaleHistogram(rh, lf));
      return true;
    }
    return incompatible(annotations, 'float', op, 'histogram', pos);
  }
  if (lh !== undefined && rh === undefined) {
    if (op === '*') {
      out.h = compactHistogram(scaleHistogram(lh, rf));
      return true;
    }
    if (op === '/') {
      out.h = compactHistogram(divHistogramByScalar(lh, rf));
      return true;
    }
    if (op === '</' || op === '>/') {
      out.h = trimHistogram(lh, rf, op === '</');
      return true;
    }
    return incompatible(annotations, 'histogram', op, 'float', pos);
  }
  if (lh === undefined || rh === undefined) throw new Error('histogramBinop needs a histogram operand');
  switch (op) {
    case '+':
    case '-': {
      try {
        const res = op === '+' ? addHistograms(lh, rh) : subHistograms(lh, rh);
        let h = res.histogram;
        // A difference of counters is not a counter.
        if (op === '-') h = { ...h, resetHint: RESET_HINT_GAUGE };
        if (res.counterResetCollision) {
          annotations.warn(
            `PromQL warning: conflicting counter resets during histogram ${op === '+' ? 'addition' : 'subtraction'}`,
            pos,
          );
        }
        if (res.boundsReconciled) {
          annotations.info(
            `PromQL info: mismatched custom buckets were reconciled during ${op === '+' ? 'addition' : 'subtraction'}`,
            pos,
          );
        }
        out.h = compactHistogram(h);
        return true;
      } catch (err) {
        if (err instanceof IncompatibleHistogramSchemaError) {
          annotations.warn(`PromQL warning: incompatible bucket layout encountered for binary operator ${opText(op)}`, pos);
          return false;
        }
        throw err;
      }
    }
    case '==':
      out.h = lh;
      out.keep = histogramEquals(lh, rh);
      return true;
    case '!=':
      out.h = lh;
      out.keep = !histogramEquals(lh, rh);
      return true;
    default:
      return incompatible(annotations, 'histogram', op, 'histogram', pos);
  }
}
