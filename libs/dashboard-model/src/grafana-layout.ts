/**
 * Grafana layouts → one flat list of positioned panels on the 24-column grid. Pharos has no
 * rows: legacy `rows` (schema < 16) are laid out as Grafana's own schema-16 migration does,
 * and row panels (expanded, or collapsed with their panels inside) are removed with the panels
 * below moved up or down so the order and relative placement stay as the author saw them
 * with every row expanded.
 */

import { GRID_COLUMNS, type GridPos } from './dashboard-model.js';
import { arrAt, boolAt, isObj, numAt, objAt, strAt, type Json, type Warnings } from './grafana-json.js';

export interface PlacedPanel {
  readonly panel: Json;
  /** JSON path of the panel in the input. */
  readonly path: string;
  readonly gridPos: GridPos;
}

/** Grafana's grid: 30 px cells with an 8 px margin, used to turn legacy pixel heights into rows. */
const CELL_PX = 30;
const CELL_MARGIN_PX = 8;
const LEGACY_DEFAULT_SPAN = 4;
const LEGACY_DEFAULT_ROW_HEIGHT_PX = 250;
const MIN_PANEL_H = 2;

function legacyHeight(height: unknown): number {
  let px = typeof height === 'number' ? height : typeof height === 'string' ? Number.parseInt(height.replace('px', ''), 10) : NaN;
  if (!Number.isFinite(px)) px = LEGACY_DEFAULT_ROW_HEIGHT_PX;
  px = Math.max(px, CELL_PX * 3);
  return Math.ceil(px / (CELL_PX + CELL_MARGIN_PX));
}

/** Schema < 16: rows of panels with a 12-column `span` and pixel heights. */
export function layoutLegacyRows(rows: readonly unknown[], basePath: string, warnings: Warnings): PlacedPanel[] {
  const out: PlacedPanel[] = [];
  let y = 0;
  rows.forEach((row, i) => {
    const rowPath = `${basePath}.rows[${i}]`;
    if (!isObj(row)) {
      warnings.add(rowPath, 'is not an object; skipped');
      return;
    }
    const panels = arrAt(row, 'panels');
    const title = strAt(row, 'title') ?? '';
    if ((boolAt(row, 'showTitle') === true && title !== '') || boolAt(row, 'collapse') === true || strAt(row, 'repeat')) {
      warnings.add(rowPath, rowMessage(title, panels.length, strAt(row, 'repeat')));
    }
    const rowHeight = legacyHeight(row['height']);
    let x = 0;
    let lineHeight = 0;
    panels.forEach((p, j) => {
      const path = `${rowPath}.panels[${j}]`;
      if (!isObj(p)) {
        warnings.add(path, 'is not an object; skipped');
        return;
      }
      const span = numAt(p, 'span') ?? LEGACY_DEFAULT_SPAN;
      const w = Math.min(GRID_COLUMNS, Math.max(1, Math.floor(span) * (GRID_COLUMNS / 12)));
      const h = p['height'] !== undefined ? legacyHeight(p['height']) : rowHeight;
      if (x + w > GRID_COLUMNS) {
        y += lineHeight;
        x = 0;
        lineHeight = 0;
      }
      out.push({ panel: p, path, gridPos: { x, y, w, h } });
      x += w;
      lineHeight = Math.max(lineHeight, h);
    });
    y += lineHeight;
  });
  return out;
}

function rowMessage(title: string, count: number, repeat: string | undefined): string {
  const name = title === '' ? 'a row' : `row "${title}"`;
  const repeated = repeat ? `; repeating it for each value of $${repeat} is not supported` : '';
  return `${name} is not kept (Pharos has no rows); its ${count} panel(s) follow in order, expanded${repeated}`;
}

interface Entry {
  readonly panel: Json;
  readonly path: string;
  readonly raw: { x: number; y: number; w: number; h: number } | null;
  readonly index: number;
}

function rawGridPos(p: Json): Entry['raw'] {
  const g = objAt(p, 'gridPos');
  if (g === undefined) return null;
  return { x: numAt(g, 'x') ?? 0, y: numAt(g, 'y') ?? 0, w: numAt(g, 'w') ?? 12, h: numAt(g, 'h') ?? 8 };
}

function byPosition(a: Entry, b: Entry): number {
  const ay = a.raw?.y ?? Number.MAX_SAFE_INTEGER;
  const by = b.raw?.y ?? Number.MAX_SAFE_INTEGER;
  return ay - by || (a.raw?.x ?? 0) - (b.raw?.x ?? 0) || a.index - b.index;
}

/** Schema ≥ 16: `panels` with `gridPos`, row panels among them. */
export function layoutPanels(panels: readonly unknown[], basePath: string, warnings: Warnings): PlacedPanel[] {
  const entries: Entry[] = [];
  panels.forEach((p, i) => {
    const path = `${basePath}.panels[${i}]`;
    if (!isObj(p)) warnings.add(path, 'is not an object; skipped');
    else entries.push({ panel: p, path, raw: rawGridPos(p), index: i });
  });
  entries.sort(byPosition);

  const out: PlacedPanel[] = [];
  // What to add to a top-level panel's y: rows removed (−1 each), collapsed rows' panels inserted.
  let offset = 0;
  let bottom = 0;
  const place = (e: Entry, y: number): GridPos => {
    const gridPos = fitGridPos(e.raw, y, e.path, warnings);
    bottom = Math.max(bottom, gridPos.y + gridPos.h);
    out.push({ panel: e.panel, path: e.path, gridPos });
    return gridPos;
  };
  for (const e of entries) {
    if (strAt(e.panel, 'type') !== 'row') {
      place(e, e.raw === null ? bottom : e.raw.y + offset);
      continue;
    }
    const children = arrAt(e.panel, 'panels');
    const title = strAt(e.panel, 'title') ?? '';
    const collapsed = boolAt(e.panel, 'collapsed') === true;
    warnings.add(e.path, rowMessage(title, children.length, strAt(e.panel, 'repeat')));
    const rowY = e.raw === null ? bottom : e.raw.y + offset;
    offset -= 1;
    if (!collapsed || children.length === 0) continue;
    // A collapsed row keeps its panels inside, positioned as they were when it was expanded;
    // the panels after it do not leave room for them, so everything below moves down.
    const inner: Entry[] = [];
    children.forEach((c, j) => {
      const path = `${e.path}.panels[${j}]`;
      if (!isObj(c)) warnings.add(path, 'is not an object; skipped');
      else inner.push({ panel: c, path, raw: rawGridPos(c), index: j });
    });
    inner.sort(byPosition);
    const firstY = Math.min(...inner.map((c) => c.raw?.y ?? Number.POSITIVE_INFINITY));
    let blockBottom = rowY;
    for (const c of inner) {
      const placed = place(c, c.raw === null || !Number.isFinite(firstY) ? blockBottom : rowY + (c.raw.y - firstY));
      blockBottom = Math.max(blockBottom, placed.y + placed.h);
    }
    offset += blockBottom - rowY;
  }
  return out;
}

/** Keeps a panel on the grid; a size that had to change is reported. */
function fitGridPos(raw: Entry['raw'], y: number, path: string, warnings: Warnings): GridPos {
  if (raw === null) {
    warnings.add(`${path}.gridPos`, 'is missing; the panel is placed below the others, half width');
    return { x: 0, y, w: 12, h: 8 };
  }
  const x = Math.min(GRID_COLUMNS - 1, Math.max(0, Math.round(raw.x)));
  const w = Math.min(GRID_COLUMNS - x, Math.max(1, Math.round(raw.w)));
  const h = Math.max(MIN_PANEL_H, Math.round(raw.h));
  if (x !== raw.x || w !== raw.w) warnings.add(`${path}.gridPos`, `x ${raw.x}, w ${raw.w} does not fit the ${GRID_COLUMNS}-column grid; placed at x ${x}, w ${w}`);
  if (h !== raw.h) warnings.add(`${path}.gridPos.h`, `height ${raw.h} is below the minimum; made ${h}`);
  return { x, y: Math.max(0, Math.round(y)), w, h };
}
