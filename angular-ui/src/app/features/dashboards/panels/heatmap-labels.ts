import { formatInstant, type TimeZone } from '../../../shared/time/time-range';
import type { HeatmapMatrix } from './heatmap-buckets';
import type { PanelGrid } from './panel-data';

/** Tick steps a clock reads well in, from one second to a week. */
const TICK_STEPS_MS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800].map((s) => s * 1000);

/**
 * At most `maxTicks` time ticks in [startMs, endMs] on whole clock steps of the zone (6-hour
 * ticks fall on 00:00, 06:00, … local time), labelled "HH:MM" — or "MM-DD HH:MM" when the
 * range spans more than a day, and with seconds when the step is below a minute.
 */
export function timeTicks(startMs: number, endMs: number, maxTicks: number, zone: TimeZone): { ms: number; label: string }[] {
  if (!(endMs > startMs) || maxTicks < 1) return [];
  // A range of n steps can hold n + 1 ticks when both ends fall on one.
  const fits = (s: number) => Math.floor((endMs - startMs) / s) + 1 <= maxTicks;
  const step = TICK_STEPS_MS.find(fits) ?? Math.ceil((endMs - startMs) / Math.max(1, maxTicks - 1) / 604_800_000) * 604_800_000;
  const offset = (ms: number) => (zone === 'utc' ? 0 : -new Date(ms).getTimezoneOffset() * 60_000);
  const first = Math.ceil((startMs + offset(startMs)) / step) * step - offset(startMs);
  const long = endMs - startMs > 86_400_000;
  const ticks: { ms: number; label: string }[] = [];
  for (let t = first; t <= endMs; t += step) {
    const text = formatInstant(t, zone);
    ticks.push({ ms: t, label: long ? text.slice(5, 16) : step < 60_000 ? text.slice(11, 19) : text.slice(11, 16) });
  }
  return ticks;
}

/** A bucket as an interval, "(0.1 s, 0.25 s]"; the first bucket of a positive histogram starts at 0. */
export function bucketLabel(matrix: HeatmapMatrix, row: number, format: (v: number) => string): string {
  return `(${format(matrix.lower[row]!)}, ${format(matrix.upper[row]!)}]`;
}

/** Row labels for the y axis: a bucket's upper bound ("le"), or the series name. */
export function rowLabel(matrix: HeatmapMatrix, row: number, format: (v: number) => string): string {
  return Number.isNaN(matrix.upper[row]!) ? matrix.rowNames[row]! : format(matrix.upper[row]!);
}

/**
 * What the hover (or keyboard cursor) says about one cell: its time, the histogram if there
 * are several, the bucket and its count — or the series and its value.
 */
export function describeCell(
  matrix: HeatmapMatrix,
  step: number,
  row: number,
  grid: PanelGrid,
  zone: TimeZone,
  formatBound: (v: number) => string,
  formatCell: (v: number) => string,
): string {
  const v = matrix.cells[step * matrix.rows + row]!;
  const time = formatInstant(grid.startMs + step * grid.stepMs, zone);
  const where = Number.isNaN(matrix.upper[row]!) ? matrix.rowNames[row]! : `${matrix.name === '' ? '' : `${matrix.name} `}${bucketLabel(matrix, row, formatBound)}`;
  return `${time} · ${where}: ${Number.isNaN(v) ? 'no data' : formatCell(v)}`;
}
