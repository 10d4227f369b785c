/**
 * One step of Kahan–Neumaier summation exactly as Prometheus' `kahansum.Inc`: returns the new
 * sum and compensation. Results are compared with Prometheus to 1e-9 relative, so every
 * summation that Prometheus compensates is compensated here, in the same order.
 */
export function kahanInc(inc: number, sum: number, c: number): [number, number] {
  const t = sum + inc;
  if (t === Infinity || t === -Infinity) return [t, 0];
  // Neumaier: take the rounding error from whichever operand is larger.
  if (Math.abs(sum) >= Math.abs(inc)) return [t, c + (sum - t + inc)];
  return [t, c + (inc - t + sum)];
}

/**
 * Allocation-free form for hot loops: the pair lives in `state[0]` (sum) and `state[1]`
 * (compensation).
 */
export function kahanIncInPlace(state: Float64Array, inc: number): void {
  const sum = state[0]!;
  const t = sum + inc;
  if (t === Infinity || t === -Infinity) {
    state[1] = 0;
  } else if (Math.abs(sum) >= Math.abs(inc)) {
    state[1] = state[1]! + (sum - t + inc);
  } else {
    state[1] = state[1]! + (inc - t + sum);
  }
  state[0] = t;
}

