import type { BinaryExpr, VectorMatching } from '../ast.js';
import { floatBinop, newElemResult } from './binary-elements.js';
import { resultMetric } from './binary-labels.js';
import { OutputSet } from './output-set.js';
import type { QueryContext } from './query-context.js';
import { FLOAT_POINT, NO_POINT, type StepGrid, type StepSeries } from './step-values.js';

/**
 * Whether vector matching between two sides cannot change from step to step: floats only, and
 * no signature held by two series on either side, so each left series meets the same right
 * series wherever both have a point and no match can be ambiguous.
 */
export function matchingIsStatic(lhs: readonly StepSeries[], rhs: readonly StepSeries[], lSig: Int32Array, rSig: Int32Array, sigCount: number): boolean {
  return floatsOnly(lhs) && floatsOnly(rhs) && unique(lSig, sigCount) && unique(rSig, sigCount);
}

function floatsOnly(side: readonly StepSeries[]): boolean {
  for (const s of side) if (s.hists !== undefined) return false;
  return true;
}

/** Whether no two series share a signature ordinal. */
function unique(sig: Int32Array, count: number): boolean {
  const seen = new Uint8Array(count);
  for (let i = 0; i < sig.length; i++) {
    if (seen[sig[i]!] === 1) return false;
    seen[sig[i]!] = 1;
  }
  return true;
}

/**
 * Vector ⊕ vector (arithmetic or comparison, no fill) when {@link matchingIsStatic}: the pairs
 * are found and labelled once, then each pair runs over its columns. Output series are
 * created in the per-step order (by first step with a sample, then left-hand order), so the
 * answer, down to the order later folds add in, is the per-step evaluation's.
 */
export async function staticJoin(
  ctx: QueryContext,
  expr: BinaryExpr,
  lhs: readonly StepSeries[],
  rhs: readonly StepSeries[],
  lSig: Int32Array,
  rSig: Int32Array,
  sigCount: number,
  swapped: boolean,
  matching: VectorMatching,
  onNames: ReadonlySet<string>,
  dropName: boolean,
  grid: StepGrid,
): Promise<StepSeries[]> {
  const op = expr.op;
  const n = grid.numSteps;
  const rightOf = new Int32Array(sigCount).fill(-1);
  for (let j = 0; j < rhs.length; j++) rightOf[rSig[j]!] = j;
  const res = newElemResult();
  // Per pair (by left index): its results, the first step with one, and how many.
  const kinds: (Uint8Array | undefined)[] = new Array(lhs.length);
  const values: (Float64Array | undefined)[] = new Array(lhs.length);
  const firstStep = new Int32Array(lhs.length).fill(-1);
  const order: number[] = [];
  for (let i = 0; i < lhs.length; i++) {
    const j = rightOf[lSig[i]!]!;
    if (j === -1) continue;
    const pause = ctx.poll(n);
    if (pause !== undefined) await pause;
    const ls = lhs[i]!;
    const rs = rhs[j]!;
    const lk = ls.kinds;
    const lf = ls.floats;
    const rk = rs.kinds;
    const rf = rs.floats;
    let k: Uint8Array | undefined;
    let v: Float64Array | undefined;
    for (let step = 0; step < n; step++) {
      if (lk[step] === NO_POINT || rk[step] === NO_POINT) continue;
      if (swapped) floatBinop(op, rf[step]!, lf[step]!, res);
      else floatBinop(op, lf[step]!, rf[step]!, res);
      let f = res.f;
      if (expr.returnBool) f = res.keep ? 1 : 0;
      else if (!res.keep) continue;
      if (k === undefined) {
        k = new Uint8Array(n);
        v = new Float64Array(n);
        firstStep[i] = step;
        order.push(i);
      }
      k[step] = FLOAT_POINT;
      v![step] = f;
    }
    kinds[i] = k;
    values[i] = v;
  }
  order.sort((a, b) => firstStep[a]! - firstStep[b]! || a - b);
  const out = new OutputSet(n);
  for (const i of order) {
    const j = rightOf[lSig[i]!]!;
    out.addFloatColumn(resultMetric(lhs[i]!.labels, rhs[j]!.labels, matching, onNames, dropName), kinds[i]!, values[i]!);
  }
  return out.series;
}
