import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { LabelMatcher } from '#pharos/metric-model';
import type { Expr, RangeQueryRequest } from '#pharos/promql';
import { BadParameterError, type Params, parseApiDuration, singleParam } from './prometheus-params.js';

/**
 * An `AbortSignal` that fires when the client goes away before its answer is written, so a
 * dashboard that navigates away stops paying for the query it no longer wants.
 */
export function clientDisconnectSignal(reply: FastifyReply): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const res = reply.raw;
  const onClose = (): void => {
    if (!res.writableFinished) controller.abort(new Error('client closed the connection'));
  };
  res.once('close', onClose);
  return { signal: controller.signal, dispose: () => res.off('close', onClose) };
}

/**
 * Sends response chunks: a small answer as one string (with a length), a large one as a
 * stream the socket pulls from, so neither side holds the whole text at once.
 */
export function sendJsonChunks(reply: FastifyReply, chunks: Generator<string, void, undefined>): FastifyReply {
  reply.code(200).header('content-type', 'application/json');
  const first = chunks.next();
  if (first.done) return reply.send('');
  const second = chunks.next();
  if (second.done) return reply.send(first.value);
  function* rest(): Generator<string, void, undefined> {
    yield first.value as string;
    yield second.value as string;
    yield* chunks;
  }
  return reply.send(Readable.from(rest(), { objectMode: false }));
}

/** The `timeout` parameter (Prometheus `queryTimeout`): absent, or a positive duration. */
export function parseTimeoutParam(params: Params, parseDuration: (s: string) => number): number | undefined {
  const raw = singleParam(params, 'timeout');
  if (raw === undefined || raw === '') return undefined;
  const ms = parseApiDuration(raw, parseDuration);
  if (ms === undefined) throw new BadParameterError(`invalid parameter "timeout": cannot parse "${raw}" to a valid duration`);
  if (ms <= 0) throw new BadParameterError(`invalid parameter "timeout": timeout must be positive, got ${goDurationString(ms)}`);
  return ms;
}

/** The `lookback_delta` parameter; Prometheus reports its errors without the usual prefix. */
export function parseLookbackDeltaParam(params: Params, parseDuration: (s: string) => number): number | undefined {
  const raw = singleParam(params, 'lookback_delta');
  if (raw === undefined || raw === '') return undefined;
  const ms = parseApiDuration(raw, parseDuration);
  if (ms === undefined) throw new BadParameterError(`error parsing lookback delta duration: cannot parse "${raw}" to a valid duration`);
  // Prometheus treats a non-positive override as "use the default".
  return ms > 0 ? ms : undefined;
}

/**
 * Thanos Query's `max_source_resolution` (ADR 0017): absent or empty gives `fallback` (the
 * configured default), `auto` a fifth of the step, otherwise a duration (`5m`, `1h`, float
 * seconds; `raw` and `0s` mean raw samples). Errors are worded as Thanos words them.
 */
export function parseMaxSourceResolutionParam(
  params: Params,
  parseDuration: (s: string) => number,
  fallback: RangeQueryRequest['maxSourceResolution'],
): RangeQueryRequest['maxSourceResolution'] {
  const raw = singleParam(params, 'max_source_resolution');
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'auto') return 'auto';
  if (raw === 'raw') return 0;
  const ms = parseApiDuration(raw, parseDuration);
  if (ms === undefined) throw new BadParameterError(`'max_source_resolution' parameter: cannot parse "${raw}" to a valid duration`);
  if (ms < 0) throw new BadParameterError(`negative 'max_source_resolution' is not accepted. Try a positive integer`);
  return Math.trunc(ms);
}

/** Prometheus' `limit` of query results: a non-negative integer, 0 for none. */
export function parseResultLimit(params: Params): number {
  const raw = singleParam(params, 'limit');
  if (raw === undefined || raw === '') return 0;
  if (!/^[+-]?\d+$/.test(raw)) throw new BadParameterError(`invalid parameter "limit": strconv.Atoi: parsing ${JSON.stringify(raw)}: invalid syntax`);
  const n = Number(raw);
  if (n < 0) throw new BadParameterError('invalid parameter "limit": limit must be non-negative');
  return n;
}

/**
 * The `stats` parameter: any non-empty value asks for statistics; values other than `true`
 * and `all` get Prometheus 3's deprecation warning.
 */
export function parseStatsParam(params: Params): { stats: boolean; perStep: boolean; warning?: string } {
  const raw = singleParam(params, 'stats') ?? '';
  if (raw === '') return { stats: false, perStep: false };
  const warning =
    raw === 'true' || raw === 'all' ? undefined : `value ${JSON.stringify(raw)} for parameter "stats" is deprecated and will be rejected in the next major release, use "true" or "all"`;
  return { stats: true, perStep: raw === 'all', ...(warning ? { warning } : {}) };
}

/** Go's `time.Duration.String()` for the few values an error message shows. */
export function goDurationString(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  if (rest < 1000) return `${sign}${rest}ms`;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = `${Number((rest / 1000).toFixed(3))}s`;
  return `${sign}${h > 0 ? `${h}h${m}m` : m > 0 ? `${m}m` : ''}${s}`;
}

/** The matchers of every vector selector in an expression (Prometheus `parser.ExtractSelectors`). */
export function extractSelectors(expr: Expr): (readonly LabelMatcher[])[] {
  const out: (readonly LabelMatcher[])[] = [];
  const visit = (e: Expr): void => {
    switch (e.kind) {
      case 'VectorSelector':
        out.push(e.matchers);
        break;
      case 'MatrixSelector':
        out.push(e.vector.matchers);
        break;
      case 'SubqueryExpr':
      case 'UnaryExpr':
      case 'ParenExpr':
        visit(e.expr);
        break;
      case 'AggregateExpr':
        if (e.param) visit(e.param);
        visit(e.expr);
        break;
      case 'BinaryExpr':
        visit(e.lhs);
        visit(e.rhs);
        break;
      case 'Call':
        e.args.forEach(visit);
        break;
      case 'NumberLiteral':
      case 'StringLiteral':
        break;
    }
  };
  visit(expr);
  return out;
}
