import type { FastifyRequest } from 'fastify';
import type { LabelMatcher } from '#pharos/metric-model';
import { PromQLParseError, parseSeriesSelector } from '#pharos/promql';

/** A bad request parameter; the message is the Prometheus API's wording. */
export class BadParameterError extends Error {
  override readonly name = 'BadParameterError';
}

export type Params = Record<string, string | string[] | undefined>;

/** Prometheus' defaults for an absent start/end: the whole representable range. */
export const MIN_TIME_MS = -9_223_372_036_854; // math.MinInt64 / 1e6, as Prometheus' minTime in ms
export const MAX_TIME_MS = 9_223_372_036_854;

/**
 * Prometheus' own `MinTime`/`MaxTime` rendered as RFC 3339 (Go's parser takes 4-digit years
 * only, so Prometheus matches these two strings literally; its clients send them).
 */
const MIN_TIME_FORMATTED = '-292273086-05-16T16:47:06Z';
const MAX_TIME_FORMATTED = '292277025-08-18T07:12:54.999999999Z';

const FLOAT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

/** Query string and form body merged (GET and POST are equivalent in the Prometheus API). */
export function paramsOf(req: FastifyRequest): Params {
  const query = (req.query ?? {}) as Record<string, string | string[]>;
  const body = req.body && typeof req.body === 'object' && !Buffer.isBuffer(req.body) ? (req.body as Record<string, string | string[]>) : {};
  const merged: Params = { ...query };
  for (const [k, v] of Object.entries(body)) {
    const prev = merged[k];
    merged[k] = prev === undefined ? v : ([] as string[]).concat(prev, v);
  }
  return merged;
}

export function listParam(params: Params, name: string): string[] {
  const v = params[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** One value of a parameter; with both a form body and a query string the body wins, as in Go's `FormValue`. */
export function singleParam(params: Params, name: string): string | undefined {
  const v = params[name];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

/**
 * Parses a Prometheus API timestamp as `web/api/v1` `parseTime` does: float Unix seconds
 * (fraction rounded to the millisecond), RFC 3339 with optional fraction (truncated to the
 * millisecond), or Prometheus' formatted min/max times. Returns milliseconds, or undefined.
 */
export function parseTimestamp(raw: string): number | undefined {
  if (FLOAT.test(raw)) {
    const t = Number(raw);
    if (!Number.isFinite(t)) return undefined;
    const whole = Math.trunc(t);
    const ms = whole * 1000 + roundHalfAwayFromZero((t - whole) * 1000);
    return Math.max(MIN_TIME_MS, Math.min(MAX_TIME_MS, ms));
  }
  const m = RFC3339.exec(raw);
  if (m) return rfc3339Ms(m);
  if (raw === MIN_TIME_FORMATTED) return MIN_TIME_MS;
  if (raw === MAX_TIME_FORMATTED) return MAX_TIME_MS;
  return undefined;
}

function roundHalfAwayFromZero(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

function rfc3339Ms(m: RegExpExecArray): number | undefined {
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  const base = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls over (Feb 30 → Mar 2); Go refuses such dates.
  if (new Date(base).getUTCDate() !== day) return undefined;
  const fractionMs = m[7] ? Number(m[7].padEnd(3, '0').slice(0, 3)) : 0;
  const offsetMin = m[8] ? 0 : (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  return base + fractionMs - offsetMin * 60_000;
}

/**
 * An optional timestamp parameter of the series/labels/instant-query endpoints
 * (Prometheus `parseTimeParam`): absent or empty gives the fallback.
 */
export function parseTimeParam(params: Params, name: string, fallback: number): number {
  const raw = singleParam(params, name);
  if (raw === undefined || raw === '') return fallback;
  const ms = parseTimestamp(raw);
  if (ms === undefined) throw new BadParameterError(`invalid parameter "${name}": invalid time value for '${name}': cannot parse "${raw}" to a valid timestamp`);
  return ms;
}

/** A required timestamp parameter (the `start`/`end` of a range query, Prometheus `parseTime`). */
export function parseRequiredTime(params: Params, name: string): number {
  const raw = singleParam(params, name) ?? '';
  const ms = parseTimestamp(raw);
  if (ms === undefined) throw new BadParameterError(`invalid parameter "${name}": cannot parse "${raw}" to a valid timestamp`);
  return ms;
}

export function parseTimeRange(params: Params): { start: number; end: number } {
  const start = parseTimeParam(params, 'start', MIN_TIME_MS);
  const end = parseTimeParam(params, 'end', MAX_TIME_MS);
  if (end < start) throw new BadParameterError('invalid parameter "end": end timestamp must not be before start time');
  return { start, end };
}

/**
 * A duration as the Prometheus API takes it (`parseDuration`): float seconds, or a
 * Prometheus duration (`1h30m`, `250ms`). Returns milliseconds (fractional below 1 ms),
 * or undefined when the text is neither.
 */
export function parseApiDuration(raw: string, parsePromDuration: (text: string) => number): number | undefined {
  if (FLOAT.test(raw)) {
    const ms = Number(raw) * 1000;
    // Prometheus holds durations in int64 nanoseconds.
    return Number.isFinite(ms) && Math.abs(ms) < 9.223372036854776e12 ? ms : undefined;
  }
  try {
    return parsePromDuration(raw);
  } catch {
    return undefined;
  }
}

/** A required duration parameter (`step`); the message is Prometheus'. */
export function parseDurationParam(params: Params, name: string, parsePromDuration: (text: string) => number): number {
  const raw = singleParam(params, name) ?? '';
  const ms = parseApiDuration(raw, parsePromDuration);
  if (ms === undefined) throw new BadParameterError(`invalid parameter "${name}": cannot parse "${raw}" to a valid duration`);
  return ms;
}

/** The `limit` of the series/label endpoints: a non-negative integer, 0 meaning none. */
export function parseLimitParam(params: Params): number | undefined {
  const raw = singleParam(params, 'limit');
  if (raw === undefined || raw === '') return undefined;
  if (!/^[+-]?\d+$/.test(raw)) throw new BadParameterError(`invalid parameter "limit": strconv.Atoi: parsing ${JSON.stringify(raw)}: invalid syntax`);
  const n = Number(raw);
  if (n < 0) throw new BadParameterError('invalid parameter "limit": limit must be non-negative');
  return n === 0 ? undefined : n;
}

export function parseMatcherSets(params: Params): LabelMatcher[][] {
  return listParam(params, 'match[]').map((selector) => {
    try {
      return parseSeriesSelector(selector);
    } catch (err) {
      if (err instanceof PromQLParseError) throw new BadParameterError(`invalid parameter "match[]": ${err.message}`);
      throw err;
    }
  });
}
