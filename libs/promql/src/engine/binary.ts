import { METADATA_LABEL_NAMES, type Labels } from '#pharos/metric-model';
import type { BinaryExpr, BinaryOp, VectorMatching } from '../ast.js';
import {
  changesMetricSchema,
  floatBinop,
  histogramBinop,
  isComparison,
  isTrim,
  newElemResult,
  scalarBinop,
  type ElemResult,
} from './binary-elements.js';
import { dropMetricName, formatLabels, labelsKey, signature } from './labels.js';
import { matchLabels, resultMetric } from './binary-labels.js';
import { matchingIsStatic, staticJoin } from './binary-static.js';
import { OutputSet, copyPoint } from './output-set.js';
import { evalError, type QueryContext } from './query-context.js';
import { HIST_POINT, NO_POINT, type StepGrid, type StepSeries } from './step-values.js';
import type { FloatHistogram } from './values.js';

/**
 * Binary operators over whole step grids, with Prometheus' semantics (`VectorBinop`,
 * `VectorscalarBinop`, `VectorAnd/Or/Unless`): join signatures are computed once per series,
 * each step then matches by signature ordinal in typed arrays; where the matching cannot change
 * between steps, series are paired once instead (`binary-static.ts`).
 */

export function scalarScalar(op: BinaryOp, l: Float64Array, r: Float64Array): Float64Array {
  const out = new Float64Array(l.length);
  for (let i = 0; i < l.length; i++) out[i] = scalarBinop(op, l[i]!, r[i]!);
  return out;
}

const METADATA_NAMES = METADATA_LABEL_NAMES;

/** Vector ⊕ scalar (or scalar ⊕ vector when `scalarOnLeft`). */
export async function vectorScalar(
  ctx: QueryContext,
  expr: BinaryExpr,
  vector: readonly StepSeries[],
  scalar: Float64Array,
  scalarOnLeft: boolean,
  grid: StepGrid,
): Promise<StepSeries[]> {
  const op = expr.op;
  const comparison = isComparison(op);
  const dropName = changesMetricSchema(op) || expr.returnBool;
  const trim = isTrim(op);
  const out = new OutputSet(grid.numSteps);
  const res = newElemResult();
  for (const s of vector) {
    const pause = ctx.poll(grid.numSteps);
    if (pause !== undefined) await pause;
    let target: StepSeries | undefined;
    for (let step = 0; step < grid.numSteps; step++) {
      const kind = s.kinds[step];
      if (kind === NO_POINT) continue;
      const sv = scalar[step]!;
      const vf = s.floats[step]!;
      const vh = kind === HIST_POINT ? s.hists![step] : undefined;
      if (vh === undefined && !trim) {
        if (scalarOnLeft) floatBinop(op, sv, vf, res);
        else floatBinop(op, vf, sv, res);
      } else {
        const ok = scalarOnLeft
          ? histogramBinop(op, sv, 0, undefined, vh, res, ctx.annotations, expr.pos)
          : histogramBinop(op, 0, sv, vh, undefined, res, ctx.annotations, expr.pos);
        if (!ok) continue;
      }
      // A comparison keeps the vector's value even when the scalar is on the left.
      if (comparison && scalarOnLeft) {
        res.f = vf;
        res.h = vh;
      }
      let f = res.f;
      let h = res.h;
      let keep = res.keep;
      if (expr.returnBool) {
        f = keep ? 1 : 0;
        h = undefined;
        keep = true;
      }
      if (!keep) continue;
      target ??= out.seriesFor(dropName ? dropMetricName(s.labels) : s.labels);
      out.add(target, step, f, h);
    }
  }
  return out.series;
}

interface Signatures {
  readonly lhs: Int32Array;
  readonly rhs: Int32Array;
  readonly count: number;
}

/** Join-signature ordinals of every series of both sides (`EvalSeriesHelper.sigOrdinal`). */
function signatures(matching: VectorMatching, lhs: readonly StepSeries[], rhs: readonly StepSeries[]): Signatures {
  const names = new Set(matching.labels);
  // ignoring() never matches on the name and the other metadata labels (Prometheus 3.16).
  if (!matching.on) for (const n of METADATA_NAMES) names.add(n);
  const ordinals = new Map<string, number>();
  const assign = (side: readonly StepSeries[]): Int32Array => {
    const out = new Int32Array(side.length);
    side.forEach((s, i) => {
      const sig = signature(s.labels, names, matching.on);
      let ord = ordinals.get(sig);
      if (ord === undefined) {
        ord = ordinals.size;
        ordinals.set(sig, ord);
      }
      out[i] = ord;
    });
    return out;
  };
  const l = assign(lhs);
  const r = assign(rhs);
  return { lhs: l, rhs: r, count: ordinals.size };
}

export async function setOperation(
  ctx: QueryContext,
  expr: BinaryExpr,
  lhs: readonly StepSeries[],
  rhs: readonly StepSeries[],
  grid: StepGrid,
): Promise<StepSeries[]> {
  const matching = expr.matching ?? { card: 'many-to-many', on: false, labels: [], include: [] };
  const sigs = signatures(matching, lhs, rhs);
  const out = new OutputSet(grid.numSteps);
  const present = new Uint8Array(sigs.count);
  const lTargets: (StepSeries | undefined)[] = new Array(lhs.length);
  const rTargets: (StepSeries | undefined)[] = new Array(rhs.length);
  const target = (targets: (StepSeries | undefined)[], side: readonly StepSeries[], i: number): StepSeries =>
    (targets[i] ??= out.seriesFor(side[i]!.labels));
  for (let step = 0; step < grid.numSteps; step++) {
    const pause = ctx.poll(lhs.length + rhs.length + 1);
    if (pause !== undefined) await pause;
    let lCount = 0;
    let rCount = 0;
    for (const s of lhs) if (s.kinds[step] !== NO_POINT) lCount++;
    for (const s of rhs) if (s.kinds[step] !== NO_POINT) rCount++;
    switch (expr.op) {
      case 'and': {
        if (lCount === 0 || rCount === 0) break;
        present.fill(0);
        rhs.forEach((s, j) => {
          if (s.kinds[step] !== NO_POINT) present[sigs.rhs[j]!] = 1;
        });
        lhs.forEach((s, i) => {
          if (s.kinds[step] !== NO_POINT && present[sigs.lhs[i]!] === 1) copyPoint(out, target(lTargets, lhs, i), step, s, step);
        });
        break;
      }
      case 'or': {
        present.fill(0);
        lhs.forEach((s, i) => {
          if (s.kinds[step] === NO_POINT) return;
          present[sigs.lhs[i]!] = 1;
          copyPoint(out, target(lTargets, lhs, i), step, s, step);
        });
        rhs.forEach((s, j) => {
          if (s.kinds[step] !== NO_POINT && present[sigs.rhs[j]!] === 0) copyPoint(out, target(rTargets, rhs, j), step, s, step);
        });
        break;
      }
      case 'unless': {
        present.fill(0);
        if (lCount > 0 && rCount > 0) {
          rhs.forEach((s, j) => {
            if (s.kinds[step] !== NO_POINT) present[sigs.rhs[j]!] = 1;
          });
        }
        lhs.forEach((s, i) => {
          if (s.kinds[step] !== NO_POINT && present[sigs.lhs[i]!] === 0) copyPoint(out, target(lTargets, lhs, i), step, s, step);
        });
        break;
      }
      default:
        throw new Error(`${expr.op} is not a set operator`);
    }
  }
  return out.series;
}

/** A cached result label set of one (lhs series, rhs series) pair. */
interface PairResult {
  readonly labels: Labels;
  readonly key: string;
  target: StepSeries | undefined;
}

/**
 * Vector ⊕ vector for arithmetic and comparison operators (`VectorBinop`). With fill modifiers
 * (`fill(v)`, `fill_left(v)`, `fill_right(v)`), a sample without a match on the other side is
 * paired with a stand-in of value `v` whose labels are the sample's match labels (so a
 * `group_x` label cannot be filled in), on the left side for `fill_left`, the right for
 * `fill_right`.
 */
export async function vectorVector(
  ctx: QueryContext,
  expr: BinaryExpr,
  lhsIn: readonly StepSeries[],
  rhsIn: readonly StepSeries[],
  grid: StepGrid,
): Promise<StepSeries[]> {
  const matching = expr.matching ?? { card: 'one-to-one', on: false, labels: [], include: [] };
  if (matching.card === 'many-to-many') throw new Error('many-to-many only allowed for set operators');
  const op = expr.op;
  const sigs = signatures(matching, lhsIn, rhsIn);
  // For one-to-many, swap the sides so the "one" side is always on the right; values are swapped back.
  const swapped = matching.card === 'one-to-many';
  const lhs = swapped ? rhsIn : lhsIn;
  const rhs = swapped ? lhsIn : rhsIn;
  const lSig = swapped ? sigs.rhs : sigs.lhs;
  const rSig = swapped ? sigs.lhs : sigs.rhs;
  const out = new OutputSet(grid.numSteps);
  const res = newElemResult();
  const rightAt = new Int32Array(sigs.count).fill(-1);
  const matchedOne = new Uint8Array(sigs.count);
  const matchedMany = new Map<number, Set<string>>();
  const pairs = new Map<number, PairResult>();
  const onNames = new Set(matching.labels);
  const dropName = changesMetricSchema(op) || expr.returnBool;
  const fill = matching.fill;
  // The stand-in values for a missing sample on each side, after the one-to-many swap.
  const fillLeft = swapped ? fill?.rhs : fill?.lhs;
  const fillRight = swapped ? fill?.lhs : fill?.rhs;
  const filledRightPairs = new Map<number, PairResult>();
  const filledLeftPairs = new Map<number, PairResult>();
  if (fill === undefined && !isTrim(op) && matchingIsStatic(lhs, rhs, lSig, rSig, sigs.count)) {
    return await staticJoin(ctx, expr, lhs, rhs, lSig, rSig, sigs.count, swapped, matching, onNames, dropName, grid);
  }
  let step = 0;

  /** The operator on one pair at `step` (operands in swapped order), with Prometheus' match bookkeeping. */
  const apply = (pair: PairResult, sig: number, lf: number, lh: FloatHistogram | undefined, rf: number, rh: FloatHistogram | undefined): void => {
    const ok = swapped ? elemOp(op, rf, lf, rh, lh, res, ctx, expr) : elemOp(op, lf, rf, lh, rh, res, ctx, expr);
    if (!ok) return;
    let f = res.f;
    let h = res.h;
    if (expr.returnBool) {
      h = undefined;
      f = res.keep ? 1 : 0;
    }
    if (matching.card === 'one-to-one') {
      if (matchedOne[sig] === 1) {
        throw evalError('multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)');
      }
      matchedOne[sig] = 1;
    } else {
      let inserted = matchedMany.get(sig);
      if (inserted === undefined) {
        inserted = new Set();
        matchedMany.set(sig, inserted);
      } else if (inserted.has(pair.key)) {
        throw evalError('multiple matches for labels: grouping labels must ensure unique matches');
      }
      inserted.add(pair.key);
    }
    if (!res.keep && !expr.returnBool) return;
    pair.target ??= out.seriesFor(pair.labels, pair.key);
    out.add(pair.target, step, f, h);
  };

  for (; step < grid.numSteps; step++) {
    const pause = ctx.poll(lhs.length + rhs.length + 1);
    if (pause !== undefined) await pause;
    let lCount = 0;
    for (const s of lhs) if (s.kinds[step] !== NO_POINT) lCount++;
    // Nothing can match, and with no fill value nothing is filled in either.
    if (lCount === 0 && fill === undefined) continue;
    rightAt.fill(-1);
    let rCount = 0;
    for (let j = 0; j < rhs.length; j++) {
      const rs = rhs[j]!;
      if (rs.kinds[step] === NO_POINT) continue;
      rCount++;
      const sig = rSig[j]!;
      const dup = rightAt[sig]!;
      if (dup !== -1) {
        const oneSide = swapped ? 'left' : 'right';
        const group = matchLabels(rs.labels, matching.on, onNames);
        // Ordered so that the message does not depend on series order (as Prometheus 3.16).
        const [first, second] = [formatLabels(rs.labels), formatLabels(rhs[dup]!.labels)].sort();
        throw evalError(
          `found duplicate series for the match group ${formatLabels(group)} on the ${oneSide} hand-side of the operation: ` +
            `[${first}, ${second}];many-to-many matching not allowed: matching labels must be unique on one side`,
        );
      }
      rightAt[sig] = j;
    }
    if (rCount === 0 && (lCount === 0 || fill === undefined)) continue;
    matchedOne.fill(0);
    matchedMany.clear();

    for (let i = 0; i < lhs.length; i++) {
      const ls = lhs[i]!;
      const lKind = ls.kinds[step];
      if (lKind === NO_POINT) continue;
      const sig = lSig[i]!;
      const j = rightAt[sig]!;
      const lh = lKind === HIST_POINT ? ls.hists![step] : undefined;
      if (j === -1) {
        if (fillRight === undefined) continue;
        const pair = filledPairResult(filledRightPairs, i, ls.labels, undefined, matching, onNames, dropName);
        apply(pair, sig, ls.floats[step]!, lh, fillRight, undefined);
        continue;
      }
      const rs = rhs[j]!;
      const rh = rs.kinds[step] === HIST_POINT ? rs.hists![step] : undefined;
      const pair = pairResult(pairs, i, j, rhs.length, ls.labels, rs.labels, matching, onNames, dropName);
      apply(pair, sig, ls.floats[step]!, lh, rs.floats[step]!, rh);
    }
    if (fillLeft === undefined) continue;
    // Right-hand samples that matched nothing meet a filled-in left-hand sample.
    for (let j = 0; j < rhs.length; j++) {
      const rs = rhs[j]!;
      const rKind = rs.kinds[step];
      if (rKind === NO_POINT) continue;
      const sig = rSig[j]!;
      if (matching.card === 'one-to-one' ? matchedOne[sig] === 1 : matchedMany.has(sig)) continue;
      const pair = filledPairResult(filledLeftPairs, j, undefined, rs.labels, matching, onNames, dropName);
      apply(pair, sig, fillLeft, undefined, rs.floats[step]!, rKind === HIST_POINT ? rs.hists![step] : undefined);
    }
  }
  return out.series;
}

function elemOp(
  op: BinaryOp,
  lf: number,
  rf: number,
  lh: FloatHistogram | undefined,
  rh: FloatHistogram | undefined,
  res: ElemResult,
  ctx: QueryContext,
  expr: BinaryExpr,
): boolean {
  if (lh === undefined && rh === undefined && !isTrim(op)) {
    floatBinop(op, lf, rf, res);
    return true;
  }
  return histogramBinop(op, lf, rf, lh, rh, res, ctx.annotations, expr.pos);
}

function pairResult(
  cache: Map<number, PairResult>,
  i: number,
  j: number,
  rhsCount: number,
  lhs: Labels,
  rhs: Labels,
  matching: VectorMatching,
  onNames: ReadonlySet<string>,
  dropName: boolean,
): PairResult {
  const cacheKey = i * rhsCount + j;
  let pair = cache.get(cacheKey);
  if (pair === undefined) {
    const labels = resultMetric(lhs, rhs, matching, onNames, dropName);
    pair = { labels, key: labelsKey(labels), target: undefined };
    cache.set(cacheKey, pair);
  }
  return pair;
}

/**
 * The result labels of a sample paired with a filled-in one, cached by the present sample's
 * index: the stand-in carries the present sample's match labels.
 */
function filledPairResult(
  cache: Map<number, PairResult>,
  index: number,
  lhs: Labels | undefined,
  rhs: Labels | undefined,
  matching: VectorMatching,
  onNames: ReadonlySet<string>,
  dropName: boolean,
): PairResult {
  let pair = cache.get(index);
  if (pair === undefined) {
    const present = (lhs ?? rhs)!;
    const standIn = matchLabels(present, matching.on, onNames);
    const labels = resultMetric(lhs ?? standIn, rhs ?? standIn, matching, onNames, dropName);
    pair = { labels, key: labelsKey(labels), target: undefined };
    cache.set(index, pair);
  }
  return pair;
}
