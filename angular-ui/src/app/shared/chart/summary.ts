import { formatInstant, type TimeZone } from '../time/time-range';

/**
 * The chart's text alternative (its aria-label): how many series over which time span, and
 * the range of values, so a screen-reader user learns what a sighted user reads at a glance.
 */
export function chartSummary(o: {
  readonly title: string;
  readonly seriesCount: number;
  readonly visibleCount: number;
  readonly fromMs: number;
  readonly toMs: number;
  readonly zone: TimeZone;
  readonly min: number;
  readonly max: number;
  readonly format: (value: number) => string;
}): string {
  const what = o.title === '' ? 'Time series chart' : `Time series chart ${o.title}`;
  if (o.seriesCount === 0) return `${what}: no data`;
  const shown = o.visibleCount === o.seriesCount ? `${o.seriesCount} series` : `${o.visibleCount} of ${o.seriesCount} series shown`;
  const span = `from ${formatInstant(o.fromMs, o.zone)} to ${formatInstant(o.toMs, o.zone)}${o.zone === 'utc' ? ' UTC' : ''}`;
  const values = Number.isNaN(o.min) ? 'no points' : `values from ${o.format(o.min)} to ${o.format(o.max)}`;
  return `${what}: ${shown} ${span}, ${values}`;
}
