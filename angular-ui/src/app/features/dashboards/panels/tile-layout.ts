/**
 * How several stats or gauges share a panel: the columns × rows grid that gives each tile the
 * largest usable size, a tile being usable up to `aspect` (width / height; a gauge is about
 * 1.2, a stat has no preferred shape). A wide panel thus lays one row, a tall one a column, and
 * many series wrap — as Grafana's auto orientation does.
 */
export function tileGrid(count: number, width: number, height: number, aspect: number): { cols: number; rows: number } {
  if (count <= 0 || !(width > 0) || !(height > 0)) return { cols: Math.max(1, count), rows: 1 };
  let best = { cols: 1, rows: count };
  let bestSize = -1;
  for (let cols = 1; cols <= count; cols++) {
    const rows = Math.ceil(count / cols);
    const w = width / cols;
    const h = height / rows;
    // The tile's usable area: its shape clipped to the preferred aspect.
    const size = Math.min(w, h * aspect) * Math.min(h, w / aspect);
    if (size > bestSize + 1e-9) {
      bestSize = size;
      best = { cols, rows };
    }
  }
  return best;
}
