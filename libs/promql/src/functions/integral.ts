import type { RangeWindow } from '../engine/values.js';
import type { RangeCallContext, RangeFunctionImpl } from './contract.js';
import { Info, metricNameOf, Warning } from './annotations.js';

/**
 * `integral(v range-vector, strategy=2 scalar)`, experimental in Prometheus 3.16
 * (`funcIntegral`): the area under the float samples of the window, in value × seconds, by a
 * left-point (0), right-point (1) or trapezoidal (2, default) rule between consecutive samples.
 * NaN counts as 0 so that its neighbours carry the area; histograms are ignored with an info.
 */

const LEFT_POINT = 0;
const RIGHT_POINT = 1;
const TRAPEZOIDAL = 2;

/** Compensation of the last `kahan` call: hot loops then allocate nothing per sample. */
let comp = 0;

/** Prometheus' `kahansum.Inc`, returning the sum and leaving the compensation in `comp`. */
function kahan(inc: number, sum: number, c: number): number {
  const t = sum + inc;
  if (t === Infinity || t === -Infinity) comp = 0;
  else if (Math.abs(sum) >= Math.abs(inc)) comp = c + (sum - t + inc);
  else comp = c + (inc - t + sum);
  return t;
}

function strategyOf(args: readonly number[], ctx: RangeCallContext): number {
  if (args.length === 0) return TRAPEZOIDAL;
  const s = args[0]!;
  if (!Number.isInteger(s) || s < LEFT_POINT || s > TRAPEZOIDAL) {
    ctx.annotations.warn(Warning.invalidIntegralStrategy(s), ctx.call.args[1]?.pos);
    return TRAPEZOIDAL;
  }
  return s;
}

function integral(w: RangeWindow, args: readonly number[], ctx: RangeCallContext): number | undefined {
  if (w.floatTo === w.floatFrom) return undefined;
  if (w.histTo > w.histFrom) ctx.annotations.info(Info.histogramIgnoredInMixedRange(metricNameOf(w.labels)), ctx.call.args[0]?.pos);
  const strategy = strategyOf(args, ctx);
  const ts = w.timestamps;
  const vs = w.values;
  let sum = 0;
  let c = 0;
  let prevT = 0;
  let prevVal = 0;
  for (let i = w.floatFrom; i < w.floatTo; i++) {
    const raw = vs[i]!;
    const currVal = Number.isNaN(raw) ? 0 : raw;
    let value = 0;
    let cValue = 0;
    if (strategy === LEFT_POINT) value = prevVal;
    else if (strategy === RIGHT_POINT) value = currVal;
    else if (prevVal !== 0 || currVal !== 0) {
      value = kahan(currVal, prevVal, 0);
      cValue = comp;
      const overflowed = (value === Infinity || value === -Infinity) && Number.isFinite(currVal) && Number.isFinite(prevVal);
      if (overflowed) {
        // Averaging two finite samples must not overflow.
        value = kahan(currVal / 2, prevVal / 2, 0);
        cValue = comp;
      } else {
        value /= 2;
        cValue /= 2;
      }
    }
    const t = ts[i]!;
    // The first sample only opens the first interval.
    if (i > w.floatFrom && (value !== 0 || cValue !== 0)) {
      const dt = (t - prevT) / 1000;
      sum = kahan(value * dt, sum, c + cValue * dt);
      c = comp;
    }
    prevT = t;
    prevVal = currVal;
  }
  return sum === Infinity || sum === -Infinity ? sum : sum + c;
}

export const INTEGRAL_FUNCTIONS: ReadonlyMap<string, RangeFunctionImpl> = new Map([
  ['integral', { kind: 'range', keepsName: false, evaluate: integral }],
]);
