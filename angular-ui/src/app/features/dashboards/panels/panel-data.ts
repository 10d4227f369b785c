import type { Labels } from '../../../shared/series/legend-format';

/**
 * What a panel renderer is given: the results of the panel's targets on one step grid, column
 * oriented. Every series has one value per step in a Float64Array (NaN where the series has no
 * point; Prometheus' own NaN samples are drawn as gaps too, as in Grafana), so a renderer walks
 * typed arrays and never allocates per point, and the GraphQL gateway's `gridValues` answer
 * maps onto it without timestamps.
 *
 * Instant targets (tables, stats of the current value) give a grid of one step at `endMs`.
 */
export interface PanelGrid {
  /** Time of step 0, ms since the epoch. */
  readonly startMs: number;
  /** Time of the last step (startMs + (steps - 1) * stepMs). */
  readonly endMs: number;
  /** Step in ms (> 0; any value for a one-step grid). */
  readonly stepMs: number;
  /** Number of steps (= length of every series' values). */
  readonly steps: number;
}

export interface PanelSeries {
  /** The target it came from ("A", "B", …). */
  readonly refId: string;
  /** Legend name: the target's legend format applied, collisions numbered. */
  readonly name: string;
  readonly labels: Labels;
  /** One value per grid step; NaN = no point. */
  readonly values: Float64Array;
}

export interface PanelData {
  readonly grid: PanelGrid;
  readonly series: readonly PanelSeries[];
}

/** Time of step `i`. */
export function stepTime(grid: PanelGrid, i: number): number {
  return grid.startMs + i * grid.stepMs;
}
