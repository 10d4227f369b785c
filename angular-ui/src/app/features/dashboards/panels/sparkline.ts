/** SVG paths of a stat panel's sparkline: one line and one filled area, however many points. */
export interface SparklinePaths {
  readonly line: string;
  readonly area: string;
}

/**
 * Paths for `values` drawn into `width` × `height` between `lo` (bottom) and `hi` (top). NaN
 * steps break the line. More points than twice the width are reduced per pixel column to that
 * column's first, lowest, highest and last point, which draws the same picture (spikes kept)
 * with a bounded path. Coordinates have one decimal: sub-pixel enough, and short strings.
 */
export function sparklinePaths(values: Float64Array, width: number, height: number, lo: number, hi: number): SparklinePaths {
  const n = values.length;
  if (n === 0 || !(width > 0) || !(height > 0)) return { line: '', area: '' };
  const span = hi - lo;
  const y = (v: number) => (span > 0 && Number.isFinite(span) ? height - ((v - lo) / span) * height : height / 2);
  const line: string[] = [];
  const area: string[] = [];
  let runStartX = NaN;
  let lastX = 0;
  const point = (x: number, v: number) => {
    const yy = Math.min(height, Math.max(0, y(v))).toFixed(1);
    const xx = x.toFixed(1);
    if (Number.isNaN(runStartX)) {
      runStartX = x;
      line.push(`M${xx} ${yy}`);
      area.push(`M${xx} ${height} L${xx} ${yy}`);
    } else {
      line.push(`L${xx} ${yy}`);
      area.push(`L${xx} ${yy}`);
    }
    lastX = x;
  };
  const gap = () => {
    if (!Number.isNaN(runStartX)) area.push(`L${lastX.toFixed(1)} ${height} Z`);
    runStartX = NaN;
  };
  if (n === 1) {
    if (Number.isNaN(values[0]!)) return { line: '', area: '' };
    point(0, values[0]!);
    point(width, values[0]!);
  } else if (n <= width * 2) {
    const dx = width / (n - 1);
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      if (Number.isNaN(v)) gap();
      else point(i * dx, v);
    }
  } else {
    // One column per pixel: its points in time order reduced to first, min, max, last.
    const cols = Math.max(1, Math.floor(width));
    const dx = width / cols;
    for (let c = 0; c < cols; c++) {
      const from = Math.floor((c * n) / cols);
      const to = Math.floor(((c + 1) * n) / cols);
      let first = NaN;
      let last = NaN;
      let min = Infinity;
      let max = -Infinity;
      let minAt = -1;
      let maxAt = -1;
      for (let i = from; i < to; i++) {
        const v = values[i]!;
        if (Number.isNaN(v)) continue;
        if (Number.isNaN(first)) first = v;
        last = v;
        if (v < min) [min, minAt] = [v, i];
        if (v > max) [max, maxAt] = [v, i];
      }
      if (Number.isNaN(first)) {
        gap();
        continue;
      }
      const x = c * dx + dx / 2;
      point(x, first);
      if (minAt <= maxAt) {
        point(x, min);
        point(x, max);
      } else {
        point(x, max);
        point(x, min);
      }
      point(x, last);
    }
  }
  gap();
  return { line: line.join(''), area: area.join('') };
}

/** Lowest and highest finite value, or [NaN, NaN] when there is none. */
export function finiteExtent(values: Float64Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < lo && v !== -Infinity) lo = v;
    if (v > hi && v !== Infinity) hi = v;
  }
  return lo > hi ? [NaN, NaN] : [lo, hi];
}
