import type { AggregateExpr } from '../ast.js';
import { groupSeries } from './grouping.js';
import { unwrapParens } from './preprocess.js';
import { formatFloatG } from './go-format.js';
import { labelsHash } from './labels-hash.js';
import { OutputSet } from './output-set.js';
import { evalError, type QueryContext } from './query-context.js';
import { HIST_POINT, NO_POINT, type StepGrid, type StepSeries } from './step-values.js';

/** Largest float that converts to int64 without overflow, and the smallest (Prometheus' bounds). */
const MAX_INT64 = 9223372036854774784;
const MIN_INT64 = -9223372036854775808;

/**
 * `topk`, `bottomk`, `limitk` and `limit_ratio` (Prometheus' `aggregationK`). Selection uses
 * the same binary heap as Go's `container/heap` with Prometheus' comparison (NaN below every
 * number), so ties and NaNs pick the same series Prometheus picks.
 */
export async function aggregateK(
  ctx: QueryContext,
  expr: AggregateExpr,
  input: readonly StepSeries[],
  param: Float64Array,
  grid: StepGrid,
): Promise<StepSeries[]> {
  const op = expr.op;
  const paramPos = unwrapParens(expr.param!).pos;
  let max = -Number.MAX_VALUE;
  let min = Number.MAX_VALUE;
  let nan = false;
  for (const p of param) {
    // Go's math.Max/Min: a NaN sticks.
    max = Number.isNaN(max) || Number.isNaN(p) ? NaN : Math.max(max, p);
    min = Number.isNaN(min) || Number.isNaN(p) ? NaN : Math.min(min, p);
    if (Number.isNaN(p)) nan = true;
  }
  if (op === 'limit_ratio') {
    if (max === 0 && min === 0) return [];
    if (nan) throw evalError('Ratio value is NaN');
    if (max > 1) ctx.annotations.warn(`PromQL warning: ratio value should be between -1 and 1, got ${formatFloatG(max)}, capping to 1`, paramPos);
    if (min < -1) ctx.annotations.warn(`PromQL warning: ratio value should be between -1 and 1, got ${formatFloatG(min)}, capping to -1`, paramPos);
  } else {
    if (max < 1) return [];
    if (nan) throw evalError('Parameter value is NaN');
    if (min <= MIN_INT64) throw evalError(`Scalar value ${formatFloatG(min)} underflows int64`);
    if (max >= MAX_INT64) throw evalError(`Scalar value ${formatFloatG(max)} overflows int64`);
  }

  const { groupOf, labels } = groupSeries(expr, input);
  const G = labels.length;
  const heaps: number[][] = Array.from({ length: G }, () => []);
  const seen = new Uint8Array(G);
  const out = new OutputSet(grid.numSteps);
  const targets: (StepSeries | undefined)[] = new Array(input.length);
  const offsets = op === 'limit_ratio' ? new Float64Array(input.length).fill(-1) : undefined;

  // The comparisons read the current step's values; made once, not per step.
  let step = 0;
  const value = (si: number): number => input[si]!.floats[step]!;
  // Prometheus' vectorByValueHeap (topk, limitk, limit_ratio) and vectorByReverseValueHeap (bottomk).
  const less =
    op === 'bottomk'
      ? (a: number, b: number): boolean => Number.isNaN(value(a)) || value(a) > value(b)
      : (a: number, b: number): boolean => Number.isNaN(value(a)) || value(a) < value(b);
  // Largest first for topk, smallest first for bottomk, NaN last: the heap order reversed.
  const resultOrder = (a: number, b: number): number => (less(b, a) ? -1 : less(a, b) ? 1 : 0);
  for (; step < grid.numSteps; step++) {
    const pause = ctx.poll(input.length + 1);
    if (pause !== undefined) await pause;
    const p = param[step]!;
    const k = Math.min(Math.trunc(p), input.length);
    let r = p;
    if (op === 'limit_ratio') {
      if (p === 0) continue;
      r = Math.max(-1, Math.min(1, p));
    } else if (k < 1) continue;
    seen.fill(0);
    for (let si = 0; si < input.length; si++) {
      const kind = input[si]!.kinds[step];
      if (kind === NO_POINT) continue;
      const isHist = kind === HIST_POINT;
      const g = groupOf[si]!;
      const heap = heaps[g]!;
      if (seen[g] === 0) {
        heap.length = 0;
        if ((op === 'topk' || op === 'bottomk') && isHist) {
          ctx.annotations.info(`PromQL info: ignored histogram in ${op} aggregation`, expr.pos);
          continue;
        }
        seen[g] = 1;
        if (op !== 'limit_ratio' || inRatio(r, ratioOffset(offsets!, input, si))) heapPush(heap, si, less);
        continue;
      }
      switch (op) {
        case 'topk':
        case 'bottomk': {
          if (isHist) {
            ctx.annotations.info(`PromQL info: ignored histogram in ${op} aggregation`, expr.pos);
            break;
          }
          if (heap.length < k) {
            heapPush(heap, si, less);
            break;
          }
          const top = value(heap[0]!);
          const v = value(si);
          const better = op === 'topk' ? top < v : top > v;
          if (better || (Number.isNaN(top) && !Number.isNaN(v))) {
            heap[0] = si;
            if (k > 1) heapFix0(heap, less);
          }
          break;
        }
        case 'limitk':
          if (heap.length < k) heapPush(heap, si, less);
          break;
        case 'limit_ratio':
          if (inRatio(r, ratioOffset(offsets!, input, si))) heapPush(heap, si, less);
          break;
        default:
          throw new Error(`unexpected aggregation ${op}`);
      }
    }
    for (let g = 0; g < G; g++) {
      if (seen[g] === 0) continue;
      const heap = heaps[g]!;
      if (op === 'topk' || op === 'bottomk') heap.sort(resultOrder);
      for (const si of heap) {
        const s = input[si]!;
        const target = (targets[si] ??= out.seriesFor(s.labels));
        out.add(target, step, s.floats[step]!, s.kinds[step] === HIST_POINT ? s.hists![step] : undefined);
      }
    }
  }
  return out.series;
}

function ratioOffset(offsets: Float64Array, input: readonly StepSeries[], si: number): number {
  if (offsets[si]! < 0) offsets[si] = Number(labelsHash(input[si]!.labels)) / 2 ** 64;
  return offsets[si]!;
}

/** Prometheus' `AddRatioSampleWithOffset`. */
function inRatio(ratio: number, offset: number): boolean {
  return (ratio >= 0 && offset < ratio) || (ratio < 0 && offset >= 1 + ratio);
}

function heapPush(heap: number[], x: number, less: (a: number, b: number) => boolean): void {
  heap.push(x);
  let j = heap.length - 1;
  for (;;) {
    const i = Math.trunc((j - 1) / 2);
    if (i === j || !less(heap[j]!, heap[i]!)) break;
    [heap[i], heap[j]] = [heap[j]!, heap[i]!];
    j = i;
  }
}

/** `heap.Fix(h, 0)` after replacing the root: only sifting down can apply. */
function heapFix0(heap: number[], less: (a: number, b: number) => boolean): void {
  const n = heap.length;
  let i = 0;
  for (;;) {
    const j1 = 2 * i + 1;
    if (j1 >= n) break;
    let j = j1;
    const j2 = j1 + 1;
    if (j2 < n && less(heap[j2]!, heap[j1]!)) j = j2;
    if (!less(heap[j]!, heap[i]!)) break;
    [heap[i], heap[j]] = [heap[j]!, heap[i]!];
    i = j;
  }
}
