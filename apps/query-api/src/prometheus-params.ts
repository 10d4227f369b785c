import type { FastifyRequest } from 'fastify';
import type { LabelMatcher } from '#pharos/metric-model';
import { PromQLParseError, parseSeriesSelector } from '#pharos/promql';

/** A bad request parameter; the message is the Prometheus API's wording. */
export class BadParameterError extends Error {
  override readonly name = 'BadParameterError';
}

/** Prometheus' defaults for an absent start/end: the whole representable range. */
export const MIN_TIME_MS = -9_223_372_036_854; // math.MinInt64 / 1e6, as Prometheus' minTime in ms
export const MAX_TIME_MS = 9_223_372_036_854;

/** Query string and form body merged (GET and POST are equivalent in the Prometheus API). */
export function paramsOf(req: FastifyRequest): Record<string, string | string[] | undefined> {
  const query = (req.query ?? {}) as Record<string, string | string[]>;
  const body = req.body && typeof req.body === 'object' && !Buffer.isBuffer(req.body) ? (req.body as Record<string, string | string[]>) : {};
  const merged: Record<string, string | string[] | undefined> = { ...query };
  for (const [k, v] of Object.entries(body)) {
    const prev = merged[k];
    merged[k] = prev === undefined ? v : ([] as string[]).concat(prev, v);
  }
  return merged;
}

export function listParam(params: Record<string, string | string[] | undefined>, name: string): string[] {
  const v = params[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function singleParam(params: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = params[name];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

/** Parses a Prometheus API timestamp: float Unix seconds or RFC 3339; returns milliseconds. */
export function parseTimeParam(params: Record<string, string | string[] | undefined>, name: string, fallback: number): number {
  const raw = singleParam(params, name);
  if (raw === undefined || raw === '') return fallback;
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(raw)) {
    const ms = Math.round(Number(raw) * 1000);
    if (Number.isFinite(ms)) return Math.max(MIN_TIME_MS, Math.min(MAX_TIME_MS, ms));
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(raw)) {
    const ms = Date.parse(raw);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new BadParameterError(`invalid parameter "${name}": cannot parse "${raw}" to a valid timestamp`);
}

export function parseTimeRange(params: Record<string, string | string[] | undefined>): { start: number; end: number } {
  const start = parseTimeParam(params, 'start', MIN_TIME_MS);
  const end = parseTimeParam(params, 'end', MAX_TIME_MS);
  if (end < start) throw new BadParameterError('invalid parameter "end": end timestamp must not be before start time');
  return { start, end };
}

export function parseLimitParam(params: Record<string, string | string[] | undefined>): number | undefined {
  const raw = singleParam(params, 'limit');
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw)) throw new BadParameterError(`invalid parameter "limit": cannot parse "${raw}" to a non-negative integer`);
  const n = Number(raw);
  return n === 0 ? undefined : n;
}

export function parseMatcherSets(params: Record<string, string | string[] | undefined>): LabelMatcher[][] {
  return listParam(params, 'match[]').map((selector) => {
    try {
      return parseSeriesSelector(selector);
    } catch (err) {
      if (err instanceof PromQLParseError) throw new BadParameterError(`invalid parameter "match[]": ${err.message}`);
      throw err;
    }
  });
}
