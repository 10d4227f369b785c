import type { Vector } from '../engine/values.js';
import type { VectorFunctionImpl } from './contract.js';
import { vectorArg, withoutMetricName } from './vector-args.js';

/**
 * Calendar functions in UTC (`day_of_month` … `year`). Without an argument they read the
 * evaluation time; with one, each float sample is a Unix time in seconds (truncated to whole
 * seconds, as Go's `time.Unix(int64(v), 0)`). Civil dates are computed arithmetically rather
 * than with `Date`, so they stay right far outside `Date`'s ±275 000-year range.
 */

interface CivilTime {
  year: number;
  month: number; // 1..12
  day: number; // 1..31
  yearDay: number; // 1..366
  weekday: number; // 0 = Sunday
  hour: number;
  minute: number;
}

const SECONDS_PER_DAY = 86400;

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeap(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `civil_from_days`). */
function civil(unixSeconds: number): CivilTime {
  const days = Math.floor(unixSeconds / SECONDS_PER_DAY);
  const secOfDay = unixSeconds - days * SECONDS_PER_DAY;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  let yearDay = day;
  for (let m = 1; m < month; m++) yearDay += daysInMonth(year, m);
  const weekday = (((days + 4) % 7) + 7) % 7;
  return {
    year,
    month,
    day,
    yearDay,
    weekday,
    hour: Math.floor(secOfDay / 3600),
    minute: Math.floor((secOfDay % 3600) / 60),
  };
}

function dateFunction(name: string, f: (c: CivilTime) => number): [string, VectorFunctionImpl] {
  return [
    name,
    {
      kind: 'vector',
      evaluate: (args, ctx) => {
        if (args.length === 0) return [{ labels: [], t: ctx.t, f: f(civil(Math.trunc(ctx.t / 1000))) }];
        const out: Vector = [];
        for (const s of vectorArg(args, 0, name)) {
          if (s.h) continue;
          // Go converts NaN and ±Inf to an undefined int64; we answer NaN rather than a made-up date.
          const v = Number.isFinite(s.f) ? f(civil(Math.trunc(s.f))) : NaN;
          out.push({ labels: withoutMetricName(s.labels), t: ctx.t, f: v });
        }
        return out;
      },
    },
  ];
}

export const DATE_FUNCTIONS: ReadonlyMap<string, VectorFunctionImpl> = new Map([
  dateFunction('day_of_month', (c) => c.day),
  dateFunction('day_of_week', (c) => c.weekday),
  dateFunction('day_of_year', (c) => c.yearDay),
  dateFunction('days_in_month', (c) => daysInMonth(c.year, c.month)),
  dateFunction('hour', (c) => c.hour),
  dateFunction('minute', (c) => c.minute),
  dateFunction('month', (c) => c.month),
  dateFunction('year', (c) => c.year),
]);
