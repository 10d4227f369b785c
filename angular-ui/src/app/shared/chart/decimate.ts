/**
 * Per-pixel decimation of a time series (M4: first, min, max and last point of every pixel
 * column), so a line of 100,000 points costs about four `lineTo` calls per column instead of
 * one per point and still draws exactly the pixels the full line would. Works on typed arrays
 * and caller-owned scratch buffers: nothing is allocated per point or per frame.
 */

/** Step index → x and value → y, in CSS pixels: x = x0 + i·dx, y = yA·v + yB. */
export interface PixelMap {
  readonly x0: number;
  readonly dx: number;
  readonly yA: number;
  readonly yB: number;
  /** Device pixels per CSS pixel: columns are device pixels, so HiDPI screens keep their detail. */
  readonly pxRatio: number;
}

/** First index in [from, to) whose value is finite (a point to draw), or `to`. */
export function runStart(values: Float64Array, from: number, to: number): number {
  let i = from;
  while (i < to && !Number.isFinite(values[i]!)) i++;
  return i;
}

/** First index in [from, to) whose value is not finite (a gap), or `to`. */
export function runEnd(values: Float64Array, from: number, to: number): number {
  let i = from;
  while (i < to && Number.isFinite(values[i]!)) i++;
  return i;
}

/**
 * Writes the decimated polyline of `ys[from..to)` — a run with no gaps — into `out` as x,y
 * pairs in CSS pixels, in step order, and returns the number of pairs. `out` must hold
 * 2·(to − from) numbers (the case where every point has a column of its own).
 */
export function decimateRun(ys: Float64Array, from: number, to: number, map: PixelMap, out: Float64Array): number {
  if (to <= from) return 0;
  if (out.length < 2 * (to - from)) throw new RangeError(`decimation buffer holds ${out.length >> 1} points, the run has ${to - from}`);
  const { x0, dx, yA, yB, pxRatio } = map;
  let n = 0;
  const emit = (i: number): void => {
    out[n++] = x0 + i * dx;
    out[n++] = yA * ys[i]! + yB;
  };
  let col = Math.floor((x0 + from * dx) * pxRatio);
  let first = from;
  let last = from;
  let minI = from;
  let maxI = from;
  let minV = ys[from]!;
  let maxV = minV;
  const flush = (): void => {
    emit(first);
    // The extremes in the order they occurred, each once.
    const a = minI < maxI ? minI : maxI;
    const b = minI < maxI ? maxI : minI;
    if (a !== first && a !== last) emit(a);
    if (b !== first && b !== last && b !== a) emit(b);
    if (last !== first) emit(last);
  };
  for (let i = from + 1; i < to; i++) {
    const c = Math.floor((x0 + i * dx) * pxRatio);
    const v = ys[i]!;
    if (c !== col) {
      flush();
      col = c;
      first = last = minI = maxI = i;
      minV = maxV = v;
    } else {
      last = i;
      if (v < minV) {
        minV = v;
        minI = i;
      } else if (v > maxV) {
        maxV = v;
        maxI = i;
      }
    }
  }
  flush();
  return n >> 1;
}
