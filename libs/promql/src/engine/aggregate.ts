import { METRIC_NAME_LABEL, type Labels } from '#pharos/metric-model';
import type { AggregateExpr, PositionRange } from '../ast.js';
import { compactHistogram, divHistogramByScalar, IncompatibleHistogramSchemaError } from '../histogram/arithmetic.js';
import { KahanHistogramSum } from '../histogram/kahan-sum.js';
import { kahanInc } from '../histogram/kahan.js';
import { aggregateK } from './aggregate-k.js';
import { FloatAggregationFold, isFoldable, type FoldableOp } from './aggregate-fold.js';
import { groupSeries } from './grouping.js';
import { unwrapParens } from './preprocess.js';
import { formatFloatG } from './go-format.js';
import { getLabel } from './labels.js';
import type { QueryContext } from './query-context.js';
import { HIST_POINT, NO_POINT, newStepSeries, setFloat, setHistogram, type StepGrid, type StepSeries } from './step-values.js';
import type { FloatHistogram } from './values.js';

/**
 * Aggregation operators with Prometheus' semantics (`rangeEvalAgg`, `aggregation`,
 * `aggregationCountValues`): input series are mapped to groups once, then every step folds the
 * samples present into per-group accumulators held in typed arrays. Float-only `sum`, `avg`,
 * `count`, `min`, `max` and `group` fold series by series instead (`aggregate-fold.ts`), the
 * form the evaluator also streams a range function's output into.
 */

/** Accumulator cells (groups × steps of one block) kept at once. */
const BLOCK_CELLS = 1 << 16;

/** `sum`, `avg`, `min`, `max`, `count`, `group`, `stddev`, `stdvar`, `quantile`. */
export async function aggregate(
  ctx: QueryContext,
  expr: AggregateExpr,
  input: readonly StepSeries[],
  param: Float64Array | undefined,
  grid: StepGrid,
): Promise<StepSeries[]> {
  const op = expr.op;
  if (op === 'topk' || op === 'bottomk' || op === 'limitk' || op === 'limit_ratio') {
    return await aggregateK(ctx, expr, input, param!, grid);
  }
  if (op === 'quantile') warnQuantileParam(ctx, param!, unwrapParens(expr.param!).pos);
  // Prometheus' preprocessing strips parentheses around the aggregated expression.
  const exprPos = unwrapParens(expr.expr).pos;
  if (isFoldable(op) && input.every((x) => x.hists === undefined)) return await foldFloats(ctx, expr, op, input, grid);
  const { groupOf, labels } = groupSeries(expr, input);
  const G = labels.length;
  // Steps are processed in blocks, series by series within a block: each series' columns are
  // read sequentially and accumulators stay small. For any (group, step) the samples are still
  // folded in input order, so the result (Kahan sums included) is Prometheus' to the bit.
  const B = Math.max(1, Math.min(grid.numSteps, Math.floor(BLOCK_CELLS / Math.max(1, G))));
  const cells = G * B;
  const seen = new Uint8Array(cells);
  const hasFloat = new Uint8Array(cells);
  const hasHist = new Uint8Array(cells);
  const broken = new Uint8Array(cells);
  const incremental = new Uint8Array(cells);
  const resetSeen = new Uint8Array(cells);
  const noResetSeen = new Uint8Array(cells);
  const value = new Float64Array(cells);
  const comp = new Float64Array(cells);
  const mean = new Float64Array(cells);
  const count = new Float64Array(cells);
  /** Compensated histogram sum (sum, avg) or, once `histIncremental`, the running mean (avg). */
  const hist: (KahanHistogramSum | undefined)[] = new Array(cells);
  const histIncremental = new Uint8Array(cells);
  const values: number[][] = op === 'quantile' ? Array.from({ length: cells }, () => []) : [];
  const outputs: (StepSeries | undefined)[] = new Array(G);
  const ann = ctx.annotations;
  const ignored = (): void => ann.info(`PromQL info: ignored histogram in ${op} aggregation`, exprPos);

  for (let b0 = 0; b0 < grid.numSteps; b0 += B) {
    const b1 = Math.min(grid.numSteps, b0 + B);
    seen.fill(0);
    for (let si = 0; si < input.length; si++) {
      const pause = ctx.poll(b1 - b0);
      if (pause !== undefined) await pause;
      const s = input[si]!;
      const kinds = s.kinds;
      const floats = s.floats;
      const base = groupOf[si]! * B - b0;
      for (let step = b0; step < b1; step++) {
        const kind = kinds[step];
        if (kind === NO_POINT) continue;
        const isHist = kind === HIST_POINT;
        const f = isHist ? 0 : floats[step]!;
        const h = isHist ? s.hists![step] : undefined;
        const a = base + step;
        if (seen[a] === 0) {
          seen[a] = 1;
          value[a] = f;
          mean[a] = f;
          comp[a] = 0;
          count[a] = 1;
          hasFloat[a] = 0;
          hasHist[a] = 0;
          broken[a] = 0;
          incremental[a] = 0;
          resetSeen[a] = 0;
          noResetSeen[a] = 0;
          hist[a] = undefined;
          histIncremental[a] = 0;
          switch (op) {
            case 'sum':
            case 'avg':
              if (h === undefined) hasFloat[a] = 1;
              else {
                hist[a] = KahanHistogramSum.of(h);
                hasHist[a] = 1;
                noteReset(h, a, resetSeen, noResetSeen);
              }
              break;
            case 'stddev':
            case 'stdvar':
              if (h !== undefined) {
                seen[a] = 0;
                ignored();
              } else value[a] = Number.isFinite(f) ? 0 : NaN;
              break;
            case 'quantile':
              if (h !== undefined) {
                seen[a] = 0;
                ignored();
              }
              values[a]!.length = 0;
              values[a]!.push(f);
              break;
            case 'group':
              value[a] = 1;
              break;
            case 'min':
            case 'max':
              if (h !== undefined) {
                seen[a] = 0;
                ignored();
              }
              break;
          }
          continue;
        }
        if (broken[a] === 1) continue;
        switch (op) {
          case 'sum':
            if (h !== undefined) {
              hasHist[a] = 1;
              const acc = hist[a];
              if (acc !== undefined) {
                noteReset(h, a, resetSeen, noResetSeen);
                if (!kahanAdd(ctx, exprPos, s.labels, acc, h)) broken[a] = 1;
              }
            } else {
              hasFloat[a] = 1;
              // Kahan–Neumaier step, inline (Prometheus' kahansum.Inc).
              const sum = value[a]!;
              const t = sum + f;
              if (t === Infinity || t === -Infinity) comp[a] = 0;
              else if (Math.abs(sum) >= Math.abs(f)) comp[a] = comp[a]! + (sum - t + f);
              else comp[a] = comp[a]! + (f - t + sum);
              value[a] = t;
            }
            break;
          case 'avg': {
            const n = ++count[a]!;
            if (h !== undefined) {
              hasHist[a] = 1;
              let acc = hist[a];
              if (acc === undefined) break;
              noteReset(h, a, resetSeen, noResetSeen);
              if (histIncremental[a] === 0) {
                // Direct mean while the compensated sum stays finite, as for floats.
                const next = acc.clone();
                if (!kahanAdd(ctx, exprPos, s.labels, next, h)) {
                  broken[a] = 1;
                  break;
                }
                if (!next.hasOverflow()) {
                  hist[a] = next;
                  break;
                }
                histIncremental[a] = 1;
                acc.divide(n - 1);
              }
              acc = hist[a]!;
              acc.scale((n - 1) / n);
              if (!kahanAdd(ctx, exprPos, s.labels, acc, divHistogramByScalar(h, n))) broken[a] = 1;
              break;
            }
            hasFloat[a] = 1;
            if (incremental[a] === 0) {
              const sum = value[a]!;
              const t = sum + f;
              if (t !== Infinity && t !== -Infinity) {
                if (Math.abs(sum) >= Math.abs(f)) comp[a] = comp[a]! + (sum - t + f);
                else comp[a] = comp[a]! + (f - t + sum);
                value[a] = t;
                break;
              }
              // The running sum would overflow: continue with an incremental mean, as Prometheus does.
              incremental[a] = 1;
              mean[a] = sum / (n - 1);
              comp[a] = comp[a]! / (n - 1);
            }
            const q = (n - 1) / n;
            const [m, c] = kahanInc(f / n, q * mean[a]!, q * comp[a]!);
            mean[a] = m;
            comp[a] = c;
            break;
          }
          case 'group':
            break;
          case 'max':
            if (h !== undefined) ignored();
            else if (value[a]! < f || Number.isNaN(value[a]!)) value[a] = f;
            break;
          case 'min':
            if (h !== undefined) ignored();
            else if (value[a]! > f || Number.isNaN(value[a]!)) value[a] = f;
            break;
          case 'count':
            count[a]!++;
            break;
          case 'stddev':
          case 'stdvar':
            if (h !== undefined) {
              ignored();
              break;
            }
            {
              const n = ++count[a]!;
              const delta = f - mean[a]!;
              mean[a] = mean[a]! + delta / n;
              value[a] = value[a]! + delta * (f - mean[a]!);
            }
            break;
          case 'quantile':
            if (h !== undefined) ignored();
            else values[a]!.push(f);
            break;
          default:
            throw new Error(`unexpected aggregation ${op}`);
        }
      }
    }

    for (let g = 0; g < G; g++) {
      for (let step = b0; step < b1; step++) {
        const a = g * B + step - b0;
        if (seen[a] === 0) continue;
        let f = value[a]!;
        let h: FloatHistogram | undefined;
        switch (op) {
          case 'avg':
          case 'sum':
            if (hasFloat[a] === 1 && hasHist[a] === 1) {
              ann.warn('PromQL warning: encountered a mix of histograms and floats for aggregation', exprPos);
              continue;
            }
            if (broken[a] === 1) continue;
            if (hasHist[a] === 1) {
              const acc = hist[a]!;
              // Once incremental, `acc` already holds the mean; otherwise it holds the sum.
              if (op === 'avg' && histIncremental[a] === 0) acc.divide(count[a]!);
              h = compactHistogram(acc.result());
            } else if (op === 'sum') f = value[a]! + comp[a]!;
            else if (incremental[a] === 1) f = mean[a]! + comp[a]!;
            else f = value[a]! / count[a]! + comp[a]! / count[a]!;
            break;
          case 'count':
            f = count[a]!;
            break;
          case 'stdvar':
            f = value[a]! / count[a]!;
            break;
          case 'stddev':
            f = Math.sqrt(value[a]! / count[a]!);
            break;
          case 'quantile':
            f = quantile(param![step]!, values[a]!);
            break;
        }
        if (resetSeen[a] === 1 && noResetSeen[a] === 1) {
          ann.warn('PromQL warning: conflicting counter resets during histogram aggregation', exprPos);
        }
        const out = (outputs[g] ??= newStepSeries(labels[g]!, grid.numSteps));
        if (h === undefined) setFloat(out, step, f);
        else setHistogram(out, step, h);
      }
    }
  }
  const result: StepSeries[] = [];
  for (const s of outputs) if (s !== undefined && s.points > 0) result.push(s);
  return result;
}

/** The float-only aggregations, folded series by series (`FloatAggregationFold`). */
async function foldFloats(ctx: QueryContext, expr: AggregateExpr, op: FoldableOp, input: readonly StepSeries[], grid: StepGrid): Promise<StepSeries[]> {
  const fold = new FloatAggregationFold(expr, op, grid.numSteps);
  for (const s of input) {
    const pause = ctx.poll(grid.numSteps);
    if (pause !== undefined) await pause;
    fold.accept(s);
  }
  return fold.result();
}

function noteReset(h: FloatHistogram, g: number, resetSeen: Uint8Array, noResetSeen: Uint8Array): void {
  if (h.resetHint === 1) resetSeen[g] = 1;
  else if (h.resetHint === 2) noResetSeen[g] = 1;
}

/** Adds `h` to a compensated sum; an exponential/custom schema mix warns and spoils the group. */
function kahanAdd(ctx: QueryContext, pos: PositionRange, labels: Labels, acc: KahanHistogramSum, h: FloatHistogram): boolean {
  try {
    acc.add(h);
    if (acc.boundsReconciled) ctx.annotations.info('PromQL info: mismatched custom buckets were reconciled during aggregation', pos);
    return true;
  } catch (err) {
    if (err instanceof IncompatibleHistogramSchemaError) {
      ctx.annotations.warn(
        `PromQL warning: vector contains a mix of histograms with exponential and custom buckets schemas for metric name "${getLabel(labels, METRIC_NAME_LABEL)}"`,
        pos,
      );
      return false;
    }
    throw err;
  }
}

function warnQuantileParam(ctx: QueryContext, param: Float64Array, pos: PositionRange): void {
  let min = Infinity;
  let max = -Infinity;
  let nan = false;
  for (const q of param) {
    if (Number.isNaN(q)) nan = true;
    else {
      if (q < min) min = q;
      if (q > max) max = q;
    }
  }
  const warn = (q: string): void => ctx.annotations.warn(`PromQL warning: quantile value should be between 0 and 1, got ${q}`, pos);
  if (nan) warn('NaN');
  if (max > 1) warn(formatFloatG(max));
  if (min < 0) warn(formatFloatG(min));
}

/** Prometheus' `quantile` over the values of a group (sorts them, NaN first). */
export function quantile(q: number, values: number[]): number {
  if (values.length === 0 || Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  values.sort((a, b) => (Number.isNaN(a) ? (Number.isNaN(b) ? 0 : -1) : Number.isNaN(b) ? 1 : a - b));
  const n = values.length;
  const rank = q * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  // Exactly on a rank: no interpolation, so an infinite neighbour cannot turn it into NaN.
  if (weight === 0) return values[lower]!;
  return values[lower]! * (1 - weight) + values[upper]! * weight;
}
