import type { TimeZone } from '../time/time-range';

/** Ticks of the time axis and their labels in the chosen zone. */
export interface TimeTicks {
  /** Tick instants, ms since the epoch, ascending, inside [fromMs, toMs]. */
  readonly values: readonly number[];
  readonly labels: readonly string[];
  readonly stepMs: number;
}

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

/** Steps a clock reads well in; ticks sit on multiples of them in the zone's wall-clock time. */
export const TIME_STEPS_MS: readonly number[] = [
  1, 2, 5, 10, 20, 50, 100, 200, 500,
  S, 2 * S, 5 * S, 10 * S, 15 * S, 30 * S,
  M, 2 * M, 5 * M, 10 * M, 15 * M, 30 * M,
  H, 2 * H, 3 * H, 6 * H, 12 * H,
  D, 2 * D, 7 * D, 14 * D, 30 * D, 90 * D, 180 * D, 365 * D,
];

/** Milliseconds the zone's wall clock is ahead of UTC at `ms`. */
export function zoneOffsetMs(ms: number, zone: TimeZone): number {
  return zone === 'utc' ? 0 : -new Date(ms).getTimezoneOffset() * M;
}

const p2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/**
 * A tick label: the date ("06-14") at midnight or for day steps, otherwise the wall-clock time
 * with as much precision as the step needs ("14:30", "14:30:15", "14:30:15.250").
 */
function label(ms: number, stepMs: number, zone: TimeZone): string {
  // The zone's wall clock read through the UTC getters: one code path for both zones.
  const d = new Date(ms + zoneOffsetMs(ms, zone));
  const date = `${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}`;
  const midnight = d.getUTCHours() === 0 && d.getUTCMinutes() === 0 && d.getUTCSeconds() === 0 && d.getUTCMilliseconds() === 0;
  if (stepMs >= D || (midnight && stepMs >= M)) return date;
  const hm = `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}`;
  if (stepMs >= M) return hm;
  const hms = `${hm}:${p2(d.getUTCSeconds())}`;
  if (stepMs >= S) return hms;
  return `${hms}.${String(d.getUTCMilliseconds()).padStart(3, '0')}`;
}

/**
 * At most `maxTicks` ticks over [fromMs, toMs] on the smallest clock step that fits, aligned
 * to the zone's wall clock (hours on the hour, days at local midnight, across DST changes).
 */
export function timeTicks(fromMs: number, toMs: number, maxTicks: number, zone: TimeZone): TimeTicks {
  if (!(Number.isFinite(fromMs) && Number.isFinite(toMs)) || toMs < fromMs) throw new RangeError(`time range [${fromMs}, ${toMs}] is not a range`);
  if (!(Number.isInteger(maxTicks) && maxTicks >= 1)) throw new RangeError(`maxTicks must be a whole number ≥ 1, got ${maxTicks}`);
  const span = toMs - fromMs;
  const stepMs = TIME_STEPS_MS.find((s) => span / s + 1 <= maxTicks) ?? Math.ceil(span / Math.max(1, maxTicks - 1) / (365 * D)) * 365 * D;
  const values: number[] = [];
  const labels: string[] = [];
  // Walk the wall clock; convert each wall time back with the offset in force at it (a DST
  // change moves later ticks by the hour, as a clock on the wall would).
  const wallFrom = fromMs + zoneOffsetMs(fromMs, zone);
  const wallTo = toMs + zoneOffsetMs(toMs, zone);
  for (let wall = Math.ceil(wallFrom / stepMs) * stepMs; wall <= wallTo && values.length < maxTicks; wall += stepMs) {
    const guess = wall - zoneOffsetMs(wall, zone);
    const t = wall - zoneOffsetMs(guess, zone);
    if (t < fromMs || t > toMs || (values.length > 0 && t <= values[values.length - 1]!)) continue;
    values.push(t);
    labels.push(label(t, stepMs, zone));
  }
  return { values, labels, stepMs };
}
