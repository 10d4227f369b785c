/**
 * Durations as dashboards write them (Prometheus syntax: "90s", "1h30m", "500ms") and the
 * automatic step of interval variables. Pure and allocation-light: these run on every panel
 * refresh through `$__interval` and `$__rate_interval`.
 */

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

const DURATION_PART = /(\d+)(ms|[smhdwy])/y;

/** A duration that is not Prometheus syntax. */
export class DurationError extends Error {
  override readonly name = 'DurationError';
}

/** Milliseconds of a Prometheus duration ("1h30m" → 5 400 000); throws `DurationError` otherwise. */
export function parseDurationMs(text: string): number {
  if (text === '') throw new DurationError('a duration is required (examples: 15s, 5m, 1h)');
  let total = 0;
  DURATION_PART.lastIndex = 0;
  let at = 0;
  while (at < text.length) {
    DURATION_PART.lastIndex = at;
    const m = DURATION_PART.exec(text);
    if (m === null) throw new DurationError(`"${text}" is not a duration (examples: 15s, 5m, 1h)`);
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    at = DURATION_PART.lastIndex;
  }
  return total;
}

const UNITS_DESC: readonly (readonly [string, number])[] = [
  ['y', 31_536_000_000],
  ['w', 604_800_000],
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
];

/**
 * A whole number of milliseconds as the shortest exact Prometheus duration (90 000 → "1m30s",
 * 0 → "0s"). Exact rather than Grafana's lossy `secondsToHms` (which prints 90 s as "1m"), so
 * `rate(x[$__interval])` covers exactly one step. Fractions of a millisecond round.
 */
export function formatDurationMs(ms: number): string {
  let rest = Math.round(ms);
  if (!(rest > 0)) return '0s';
  let out = '';
  for (const [unit, size] of UNITS_DESC) {
    if (rest >= size) {
      const n = Math.floor(rest / size);
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

/**
 * Grafana's "nice" intervals (`rangeutil.roundInterval`): the raw interval is snapped to the
 * step a person would pick, each threshold halfway-ish between two neighbours.
 * Pairs of [upper bound (exclusive), result], both in ms.
 */
const NICE_STEPS: readonly (readonly [number, number])[] = [
  [15, 10],
  [35, 20],
  [75, 50],
  [150, 100],
  [350, 200],
  [750, 500],
  [1_500, 1_000],
  [3_500, 2_000],
  [7_500, 5_000],
  [12_500, 10_000],
  [17_500, 15_000],
  [25_000, 20_000],
  [45_000, 30_000],
  [90_000, 60_000],
  [450_000, 300_000],
  [900_000, 600_000],
  [1_200_000, 900_000],
  [1_800_000, 1_200_000],
  [3_600_000, 1_800_000],
  [7_200_000, 3_600_000],
  [21_600_000, 10_800_000],
  [86_400_000, 21_600_000],
  [604_800_000, 86_400_000],
  [2_592_000_000, 604_800_000],
  [31_536_000_000, 2_592_000_000],
];

/** Snaps an interval to Grafana's nice values (10ms, 20ms, …, 1m, 5m, 10m, …, 1d, 1w, 30d, 1y). */
export function roundInterval(ms: number): number {
  for (const [below, nice] of NICE_STEPS) if (ms < below) return nice;
  return 31_536_000_000;
}

export interface AutoInterval {
  readonly intervalMs: number;
  /** As a Prometheus duration ("5m"). */
  readonly interval: string;
}

/**
 * The value of an interval variable's "auto" option, as Grafana computes it
 * (`rangeutil.calculateInterval`): the range divided into `autoCount` steps, rounded to a nice
 * interval, never below `autoMin`.
 */
export function autoInterval(rangeMs: number, autoCount: number, autoMin: string): AutoInterval {
  if (!(rangeMs > 0) || !Number.isFinite(rangeMs)) throw new RangeError(`the time range must be positive, got ${rangeMs} ms`);
  if (!Number.isInteger(autoCount) || autoCount < 1) throw new RangeError(`autoCount must be a whole number ≥ 1, got ${autoCount}`);
  const lowMs = autoMin === '' ? 1 : parseDurationMs(autoMin);
  const intervalMs = Math.max(roundInterval(rangeMs / autoCount), lowMs);
  return { intervalMs, interval: formatDurationMs(intervalMs) };
}

/** Grafana's default scrape interval of a Prometheus data source, used by `$__rate_interval`. */
export const DEFAULT_SCRAPE_INTERVAL_MS = 15_000;

/**
 * `$__rate_interval` as Grafana defines it: max($__interval + scrape interval, 4 × scrape
 * interval), so a `rate()` window always holds at least four scrapes and never skips data
 * between steps.
 */
export function rateIntervalMs(intervalMs: number, scrapeIntervalMs: number = DEFAULT_SCRAPE_INTERVAL_MS): number {
  return Math.max(intervalMs + scrapeIntervalMs, 4 * scrapeIntervalMs);
}
