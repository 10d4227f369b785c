import { Controller, Get, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CONFIG, TENANT_RESOLVER, sendPrometheusError, type PrometheusErrorType } from '#apps/common';
import type { PharosConfig } from '#pharos/config';
import { PromQLError, PromQLParseError, parseDuration, type QueryEngine, type QueryResult } from '#pharos/promql';
import type { TenantResolver } from '#pharos/tenancy';
import { BadParameterError, paramsOf, parseDurationParam, parseRequiredTime, parseTimeParam, singleParam, type Params } from './prometheus-params.js';
import { PointsJsonMemo } from './points-json-memo.js';
import { queryResponseChunks, resultSeriesCount } from './query-response.js';
import {
  clientDisconnectSignal,
  parseLookbackDeltaParam,
  parseMaxSourceResolutionParam,
  parseResultLimit,
  parseStatsParam,
  parseTimeoutParam,
  sendJsonChunks,
} from './query-request.js';
import type { QueryEndpoint, QueryOutcome, QueryRecord, QueryTelemetry } from './query-telemetry.js';
import { QUERY_ENGINE, QUERY_TELEMETRY } from './tokens.js';

/** Prometheus caps a range query at this many steps (`web/api/v1/api.go`). */
const MAX_POINTS_PER_SERIES = 11_000;

type QueryDetails = Omit<QueryRecord, 'endpoint' | 'outcome' | 'tenant' | 'durationMs'>;

interface Evaluation {
  readonly result: QueryResult;
  readonly limit: number;
  readonly stats: ReturnType<typeof parseStatsParam>;
  readonly record: QueryDetails;
  /** Names the step grid of a range query, so its answers' encoded points can be reused by the next refresh. */
  readonly gridKey?: string;
}

/**
 * `/api/v1/query` and `/api/v1/query_range` (GET and POST forms) over the PromQL engine, in
 * Prometheus 3's parameters, validation messages, result encoding and error types.
 */
@Controller('/api/v1')
export class QueryApiController {
  private readonly pointsMemo = new PointsJsonMemo();

  constructor(
    @Inject(QUERY_ENGINE) private readonly engine: QueryEngine,
    @Inject(TENANT_RESOLVER) private readonly tenants: TenantResolver,
    @Inject(QUERY_TELEMETRY) private readonly telemetry: QueryTelemetry,
    @Inject(CONFIG) private readonly config: PharosConfig,
  ) {}

  @Get('query')
  instantGet(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.instant(req, reply);
  }

  @Post('query')
  async instant(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.run('query', req, reply, async (tenant, params, signal) => {
      const limit = parseResultLimit(params);
      const timeMs = parseTimeParam(params, 'time', Date.now());
      const common = this.commonOptions(params, signal, false);
      const query = singleParam(params, 'query') ?? '';
      const result = await this.engine.instantQuery({ tenant, query, timeMs, ...common.request });
      return { result, limit, stats: common.stats, record: { query, startMs: timeMs, endMs: timeMs } };
    });
  }

  @Get('query_range')
  rangeGet(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.range(req, reply);
  }

  @Post('query_range')
  async range(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.run('query_range', req, reply, async (tenant, params, signal) => {
      const limit = parseResultLimit(params);
      const startMs = parseRequiredTime(params, 'start');
      const endMs = parseRequiredTime(params, 'end');
      if (endMs < startMs) throw new BadParameterError('invalid parameter "end": end timestamp must not be before start time');
      const rawStep = parseDurationParam(params, 'step', parseDuration);
      // Prometheus holds the step in nanoseconds; Pharos evaluates on whole milliseconds.
      const stepMs = Math.trunc(rawStep);
      if (stepMs <= 0) {
        throw new BadParameterError('invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer');
      }
      if (Math.floor((endMs - startMs) / rawStep) > MAX_POINTS_PER_SERIES) {
        throw new BadParameterError('exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)');
      }
      const common = this.commonOptions(params, signal, true);
      const query = singleParam(params, 'query') ?? '';
      const result = await this.engine.rangeQuery({ tenant, query, startMs, endMs, stepMs, ...common.request });
      const phase = ((startMs % stepMs) + stepMs) % stepMs;
      const gridKey = `${tenant}\u0000${stepMs}\u0000${phase}\u0000${common.request.maxSourceResolution ?? ''}\u0000${query}`;
      return { result, limit, stats: common.stats, record: { query, startMs, endMs, stepMs }, gridKey };
    });
  }

  /**
   * Options both endpoints share. `rangeQuery`: whether the configured
   * `query.max_source_resolution` applies when the request names none; an instant query then
   * reads raw samples (it is what alerting-style checks send, and Thanos too defaults instant
   * queries to raw), unless it asks for a resolution itself.
   */
  private commonOptions(params: Params, signal: AbortSignal, rangeQuery: boolean) {
    const timeoutMs = parseTimeoutParam(params, parseDuration);
    const lookbackDeltaMs = parseLookbackDeltaParam(params, parseDuration);
    const maxSourceResolution = parseMaxSourceResolutionParam(params, parseDuration, rangeQuery ? this.config.query.maxSourceResolution : undefined);
    const stats = parseStatsParam(params);
    return {
      stats,
      request: {
        signal,
        stats: stats.stats,
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        ...(lookbackDeltaMs !== undefined ? { lookbackDeltaMs } : {}),
        // Raw (0) is the engine's default: left out, so raw requests keep one cache key.
        ...(maxSourceResolution !== undefined && maxSourceResolution !== 0 ? { maxSourceResolution } : {}),
      },
    };
  }

  /**
   * Resolves the tenant, evaluates, renders or maps the error, and records telemetry. The
   * query is aborted when the client disconnects.
   */
  private async run(
    endpoint: QueryEndpoint,
    req: FastifyRequest,
    reply: FastifyReply,
    evaluate: (tenant: string, params: Params, signal: AbortSignal) => Promise<Evaluation>,
  ): Promise<void> {
    const started = performance.now();
    const tenant = this.tenants.resolve(req.headers);
    if (!tenant.ok) {
      sendPrometheusError(reply, 'bad_data', tenant.message, tenant.status);
      return;
    }
    const { signal, dispose } = clientDisconnectSignal(reply);
    let outcome: QueryOutcome = 'success';
    let record: QueryDetails = {};
    try {
      const { result, limit, stats, record: r, gridKey } = await evaluate(tenant.tenant, paramsOf(req), signal);
      record = { ...r, resultSeries: resultSeriesCount(result.value), ...samplesOf(result) };
      const warnings = [...result.annotations.warnings];
      if (stats.warning) warnings.push(stats.warning);
      const pointsMemo = gridKey !== undefined && result.value.resultType === 'matrix' ? this.pointsMemo.forQuery(gridKey, floatPoints(result.value.series)) : undefined;
      sendJsonChunks(
        reply,
        queryResponseChunks({
          value: result.value,
          limit,
          warnings,
          infos: result.annotations.infos,
          ...(stats.stats && result.stats ? { stats: result.stats, perStepStats: stats.perStep } : {}),
          ...(pointsMemo !== undefined ? { pointsMemo } : {}),
        }),
      );
      if (pointsMemo !== undefined) this.pointsMemo.settle();
    } catch (err) {
      const mapped = apiError(err);
      outcome = mapped.type;
      record = { ...record, error: mapped.message };
      if (!reply.sent) sendPrometheusError(reply, mapped.type, mapped.message);
    } finally {
      dispose();
      this.telemetry.record({ ...record, endpoint, outcome, tenant: tenant.tenant, durationMs: performance.now() - started });
    }
  }
}

function floatPoints(series: readonly { readonly timestamps: Float64Array }[]): number {
  let n = 0;
  for (const s of series) n += s.timestamps.length;
  return n;
}

function samplesOf(result: QueryResult): Pick<QueryRecord, 'totalQueryableSamples' | 'peakSamples'> {
  if (!result.stats) return {};
  return { totalQueryableSamples: result.stats.samples.totalQueryableSamples, peakSamples: result.stats.samples.peakSamples };
}

/**
 * Maps a failure to Prometheus' error type and message: bad parameters and parse errors are
 * `bad_data` (parse errors prefixed as Prometheus prefixes them), engine errors keep their
 * type, anything else is `internal`.
 */
export function apiError(err: unknown): { type: PrometheusErrorType; message: string } {
  if (err instanceof BadParameterError) return { type: 'bad_data', message: err.message };
  if (err instanceof PromQLParseError) return { type: 'bad_data', message: `invalid parameter "query": ${err.message}` };
  if (err instanceof PromQLError) return { type: err.type, message: err.message };
  if (err instanceof Error && err.name === 'InvalidMatcherError') return { type: 'bad_data', message: `invalid parameter "query": ${err.message}` };
  return { type: 'internal', message: err instanceof Error ? err.message : String(err) };
}
