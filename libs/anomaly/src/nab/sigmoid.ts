/**
 * NAB's scaled sigmoid: 2·sigmoid(−5y) − 1, clamped to −1 beyond y = 3 so that
 * false positives far from any window cost the full penalty.
 */
export function scaledSigmoid(y: number): number {
  if (y > 3) return -1;
  return 2 / (1 + Math.exp(5 * y)) - 1;
}

/** Value of a detection at a window's first row; TP values are divided by it so that one earns exactly tpWeight. */
export const MAX_TP = scaledSigmoid(-1);
