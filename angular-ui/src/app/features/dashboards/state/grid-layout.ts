import { GRID_COLUMNS, type GridPos } from '@pharos/dashboard-model';

/**
 * Layout rules of the dashboard grid (24 columns, row units), as Grafana users know them:
 * panels never overlap and fall upwards into free space (vertical gravity). A moved or resized
 * panel keeps the place it was dropped on; the others make room around it, in their previous
 * top-to-bottom order. Pure functions over grid units; the page turns pointer and keyboard
 * gestures into calls to `movePanel` and `resizePanel`.
 */

export interface GridItem {
  readonly id: number;
  readonly gridPos: GridPos;
}

function overlaps(a: GridPos, b: GridPos): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

function clamp(pos: GridPos): GridPos {
  const w = Math.min(GRID_COLUMNS, Math.max(1, Math.round(pos.w)));
  const x = Math.min(GRID_COLUMNS - w, Math.max(0, Math.round(pos.x)));
  return { x, y: Math.max(0, Math.round(pos.y)), w, h: Math.max(2, Math.round(pos.h)) };
}

/** The highest row at which `pos` fits among `placed` (first fit from the top, same columns). */
function firstFreeRow(pos: GridPos, placed: readonly GridPos[]): number {
  let y = 0;
  for (;;) {
    const candidate = { ...pos, y };
    const hit = placed.find((p) => overlaps(candidate, p));
    if (!hit) return y;
    y = hit.y + hit.h;
  }
}

/**
 * Re-lays out `items` with `pinned` (if given) fixed at its position: the others, in their
 * order from the top (then left), each take the highest free rows in their columns. Items keep
 * their order in the returned array; unchanged items are returned as the same objects.
 */
export function compact<T extends GridItem>(items: readonly T[], pinned?: { id: number; gridPos: GridPos }): T[] {
  const placed: GridPos[] = [];
  const out = new Map<number, T>();
  if (pinned) placed.push(clamp(pinned.gridPos));
  const order = items
    .filter((it) => it.id !== pinned?.id)
    .sort((a, b) => a.gridPos.y - b.gridPos.y || a.gridPos.x - b.gridPos.x || a.id - b.id);
  for (const it of order) {
    const pos = clamp(it.gridPos);
    const y = firstFreeRow(pos, placed);
    const next = { ...pos, y };
    placed.push(next);
    const same = next.x === it.gridPos.x && next.y === it.gridPos.y && next.w === it.gridPos.w && next.h === it.gridPos.h;
    out.set(it.id, same ? it : { ...it, gridPos: next });
  }
  return items.map((it) => {
    if (pinned && it.id === pinned.id) return { ...it, gridPos: placed[0]! };
    return out.get(it.id)!;
  });
}

/**
 * Moves panel `id` so its top-left corner is at (x, y); the others make room, then everything
 * falls up again. Moving a panel up into another one therefore swaps them, as in Grafana.
 */
export function movePanel<T extends GridItem>(items: readonly T[], id: number, x: number, y: number): T[] {
  const it = items.find((p) => p.id === id);
  if (!it) throw new Error(`no panel ${id} on this dashboard`);
  return compact(compact(items, { id, gridPos: { ...it.gridPos, x, y } }));
}

/** Resizes panel `id` to w columns × h rows (clamped to the grid); the others make room. */
export function resizePanel<T extends GridItem>(items: readonly T[], id: number, w: number, h: number): T[] {
  const it = items.find((p) => p.id === id);
  if (!it) throw new Error(`no panel ${id} on this dashboard`);
  const width = Math.min(Math.max(1, w), GRID_COLUMNS - it.gridPos.x);
  return compact(compact(items, { id, gridPos: { ...it.gridPos, w: width, h } }));
}

/** Rows the layout occupies (for the grid's height). */
export function layoutRows(items: readonly GridItem[]): number {
  return items.reduce((max, it) => Math.max(max, it.gridPos.y + it.gridPos.h), 0);
}
