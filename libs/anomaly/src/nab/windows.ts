/** A labelled anomaly window as timestamps (ms since epoch), both ends inclusive. */
export interface TimeWindow {
  readonly start: number;
  readonly end: number;
}

/** A window resolved to row indices of one file, both ends inclusive. */
export interface RowWindow {
  readonly left: number;
  readonly right: number;
}

/** NAB's probationary fraction of each file. */
export const PROBATION_FRACTION = 0.15;

/**
 * Rows at the start of a file that NAB ignores: min(floor(0.15·N), 750).
 * NAB writes the cap as 0.15 × 5000; the float product is computed the same way
 * so that the row count matches NAB's bit for bit.
 */
export function probationaryLength(rowCount: number): number {
  return Math.min(Math.floor(PROBATION_FRACTION * rowCount), PROBATION_FRACTION * 5000);
}

/**
 * Resolves time windows to row indices the way NAB does: a window opens at the
 * first row whose timestamp equals its start (windows are taken in order, so a
 * window is only looked for once the previous one has been opened) and closes
 * at the first row whose timestamp equals its end. Some real series repeat
 * timestamps (clock changes), so "first occurrence" matters.
 *
 * @throws when a window's start or end is not a timestamp of the file, since
 * NAB's labels guarantee both exist and anything else is a labelling error.
 */
export function resolveWindows(timestamps: readonly number[], windows: readonly TimeWindow[]): RowWindow[] {
  const sorted = [...windows].sort((a, b) => a.start - b.start);
  const firstIndex = new Map<number, number>();
  timestamps.forEach((t, i) => {
    if (!firstIndex.has(t)) firstIndex.set(t, i);
  });
  const resolved: RowWindow[] = [];
  let next = 0;
  for (let i = 0; i < timestamps.length && next < sorted.length; i++) {
    const w = sorted[next]!;
    if (timestamps[i] !== w.start) continue;
    const right = firstIndex.get(w.end);
    if (right === undefined || right < i) {
      throw new Error(`window end ${new Date(w.end).toISOString()} is not a timestamp at or after its start`);
    }
    resolved.push({ left: i, right });
    next++;
    // Rows inside the window cannot open the next one; skip to its end.
    i = right;
  }
  if (next < sorted.length) {
    throw new Error(`window start ${new Date(sorted[next]!.start).toISOString()} is not a timestamp of the file`);
  }
  return resolved;
}
