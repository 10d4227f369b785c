import { Inject, UseFilters } from '@nestjs/common';
import { Args, Context, Float, Int, Query, Resolver } from '@nestjs/graphql';
import { CONFIG, METRIC_STORE } from '#apps/common';
import type { PharosConfig } from '#pharos/config';
import { labelsToRecord, type LabelMatcher } from '#pharos/metric-model';
import { PromQLParseError, parseDuration, parseSeriesSelector, type QueryEngine } from '#pharos/promql';
import type { MetricStore } from '#pharos/storage';
import { BadParameterError } from '../prometheus-params.js';
import { parseMaxSourceResolutionParam } from '../query-request.js';
import type { QueryRecord, QueryTelemetry } from '../query-telemetry.js';
import { QUERY_ENGINE, QUERY_TELEMETRY } from '../tokens.js';
import type { GraphqlCallerResolver } from './caller.js';
import { CodedErrorsFilter } from './coded-errors.filter.js';
import type { GraphqlContext } from './context.js';
import { BadArgumentError, coded, gatewayError } from './errors.js';
import { recordedQuery } from './graphql-telemetry.js';
import { instantResultOf, rangeResultOf } from './metric-mapping.js';
import { InstantQueryResultType, MetricMetadataType, RangeQueryResultType } from './metric-types.js';
import { LabelSetScalar } from './scalars.js';
import type { TenantQueryGate } from './tenant-query-gate.js';
import { GRAPHQL_CALLERS, TENANT_QUERY_GATE } from './tokens.js';

/** Prometheus caps a range query at this many steps; the REST API applies the same cap. */
export const MAX_POINTS_PER_SERIES = 11_000;

/**
 * Metric queries over the same engine, store and per-tenant limits as the Prometheus HTTP
 * API. Times are milliseconds since the epoch. Every field resolves its tenant on its own (a
 * request may mix fields needing different roles) and evaluates behind the tenant's
 * concurrency gate, so a batch of aliased panels runs concurrently but bounded. The fields
 * are nullable so that one failing panel of a batch leaves the others' data in place.
 */
@Resolver()
@UseFilters(CodedErrorsFilter)
export class MetricQueryResolver {
  constructor(
    @Inject(QUERY_ENGINE) private readonly engine: QueryEngine,
    @Inject(METRIC_STORE) private readonly store: MetricStore,
    @Inject(GRAPHQL_CALLERS) private readonly callers: GraphqlCallerResolver,
    @Inject(TENANT_QUERY_GATE) private readonly gate: TenantQueryGate,
    @Inject(QUERY_TELEMETRY) private readonly telemetry: QueryTelemetry,
    @Inject(CONFIG) private readonly config: PharosConfig,
  ) {}

  @Query(() => InstantQueryResultType, { nullable: true, description: 'A PromQL instant query (Prometheus /api/v1/query).' })
  instantQuery(
    @Context() ctx: GraphqlContext,
    @Args('query', { type: () => String }) query: string,
    @Args('timeMs', { type: () => Float, nullable: true, description: 'Evaluation time; default now.' }) timeMs: number | null | undefined,
    @Args('timeoutMs', { type: () => Float, nullable: true, description: 'Lower than the tenant limit to give up sooner.' }) timeoutMs: number | null | undefined,
  ): Promise<InstantQueryResultType> {
    const t = timeMs ?? Date.now();
    return this.evaluate(ctx, { query, startMs: t, endMs: t }, async (tenant, signal) => {
      finiteTime('timeMs', t);
      const result = await this.engine.instantQuery({ tenant, query, timeMs: t, signal, ...timeout(timeoutMs) });
      return instantResultOf(result, t);
    });
  }

  @Query(() => RangeQueryResultType, { nullable: true, description: 'A PromQL range query (Prometheus /api/v1/query_range); request many at once with aliases.' })
  rangeQuery(
    @Context() ctx: GraphqlContext,
    @Args('query', { type: () => String }) query: string,
    @Args('startMs', { type: () => Float }) startMs: number,
    @Args('endMs', { type: () => Float }) endMs: number,
    @Args('stepMs', { type: () => Float }) stepMs: number,
    @Args('timeoutMs', { type: () => Float, nullable: true }) timeoutMs: number | null | undefined,
    @Args('maxSourceResolution', {
      type: () => String,
      nullable: true,
      description:
        "Thanos' max_source_resolution: `raw`/`0s` reads raw samples, a duration (`5m`, `1h`) the coarsest rollup not above it, `auto` a fifth of the step; rollup answers are Thanos' approximation (ADR 0017). Default: the server's query.max_source_resolution.",
    })
    maxSourceResolution: string | null | undefined,
  ): Promise<RangeQueryResultType> {
    return this.evaluate(ctx, { query, startMs, endMs, stepMs }, async (tenant, signal) => {
      checkRange(startMs, endMs, stepMs);
      const resolution = sourceResolution(maxSourceResolution, this.config.query.maxSourceResolution);
      const result = await this.engine.rangeQuery({ tenant, query, startMs, endMs, stepMs: Math.trunc(stepMs), signal, ...timeout(timeoutMs), ...resolution });
      return rangeResultOf(result, { startMs, endMs, stepMs: Math.trunc(stepMs) });
    });
  }

  @Query(() => [String], { description: 'Label names nullable: true,, optionally of the series matching any of the selectors.' })
  labelNames(
    @Context() ctx: GraphqlContext,
    @Args('match', { type: () => [String], nullable: true }) match: string[] | null | undefined,
    @Args('startMs', { type: () => Float, nullable: true }) startMs: number | null | undefined,
    @Args('endMs', { type: () => Float, nullable: true }) endMs: number | null | undefined,
    @Args('limit', { type: () => Int, nullable: true }) limit: number | null | undefined,
  ): Promise<string[]> {
    return this.evaluate(ctx, {}, async (tenant) => {
      const matcherSets = selectors(match);
      return this.store.labelNames({ tenant, ...timeRange(startMs, endMs), ...(matcherSets.length ? { matcherSets } : {}), ...limitOf(limit) });
    });
  }

  @Query(() => [String], { description: 'Values nullable: true, of one label, optionally of the series matching any of the selectors.' })
  labelValues(
    @Context() ctx: GraphqlContext,
    @Args('name', { type: () => String }) name: string,
    @Args('match', { type: () => [String], nullable: true }) match: string[] | null | undefined,
    @Args('startMs', { type: () => Float, nullable: true }) startMs: number | null | undefined,
    @Args('endMs', { type: () => Float, nullable: true }) endMs: number | null | undefined,
    @Args('limit', { type: () => Int, nullable: true }) limit: number | null | undefined,
  ): Promise<string[]> {
    return this.evaluate(ctx, {}, async (tenant) => {
      // Prometheus 3 accepts any UTF-8 label name; only the empty name is meaningless.
      if (name === '') throw new BadArgumentError('label name must not be empty');
      const matcherSets = selectors(match);
      return this.store.labelValues({ tenant, name, ...timeRange(startMs, endMs), ...(matcherSets.length ? { matcherSets } : {}), ...limitOf(limit) });
    });
  }

  @Query(() => [LabelSetScalar], { nullable: true, description: 'Series (label sets) matching any of the selectors.' })
  series(
    @Context() ctx: GraphqlContext,
    @Args('match', { type: () => [String] }) match: string[],
    @Args('startMs', { type: () => Float, nullable: true }) startMs: number | null | undefined,
    @Args('endMs', { type: () => Float, nullable: true }) endMs: number | null | undefined,
    @Args('limit', { type: () => Int, nullable: true }) limit: number | null | undefined,
  ): Promise<Record<string, string>[]> {
    return this.evaluate(ctx, {}, async (tenant) => {
      const matcherSets = selectors(match);
      if (matcherSets.length === 0) throw new BadArgumentError('series needs at least one selector in "match"');
      const found = await this.store.series({ tenant, ...timeRange(startMs, endMs), matcherSets, ...limitOf(limit) });
      return found.map(labelsToRecord);
    });
  }

  @Query(() => [MetricMetadataType], { nullable: true, description: 'Metric-family metadata (type, help, unit) as last received.' })
  metricMetadata(
    @Context() ctx: GraphqlContext,
    @Args('metric', { type: () => String, nullable: true }) metric: string | null | undefined,
    @Args('limit', { type: () => Int, nullable: true }) limit: number | null | undefined,
  ): Promise<MetricMetadataType[]> {
    return this.evaluate(ctx, {}, async (tenant) => {
      const families = await this.store.metadata({ tenant, ...(metric ? { metric } : {}), ...limitOf(limit) });
      return families.map((m) => ({ metric: m.metricFamilyName, type: m.type, help: m.help, unit: m.unit }));
    });
  }

  /**
   * Resolves the tenant (an authorization failure is not a query, so it is not recorded), then
   * evaluates behind the gate; the time spent waiting for the gate counts, as the client waits it.
   */
  private evaluate<T>(
    ctx: GraphqlContext,
    details: Pick<QueryRecord, 'query' | 'startMs' | 'endMs' | 'stepMs'>,
    work: (tenant: string, signal: AbortSignal | undefined) => Promise<T>,
  ): Promise<T> {
    return coded(async () => {
      const tenant = this.callers.tenantFor(ctx.caller, 'metrics:read');
      return recordedQuery(this.telemetry, tenant, details, () => this.gate.run(tenant, ctx.signal, () => work(tenant, ctx.signal)));
    });
  }
}

/** Range arguments checked as the REST API checks them, before any evaluation. */
export function checkRange(startMs: number, endMs: number, stepMs: number): void {
  finiteTime('startMs', startMs);
  finiteTime('endMs', endMs);
  if (endMs < startMs) throw new BadArgumentError('endMs must not be before startMs');
  if (!(Math.trunc(stepMs) > 0)) throw new BadArgumentError(`stepMs must be a positive number of milliseconds, got ${stepMs}`);
  if (Math.floor((endMs - startMs) / stepMs) > MAX_POINTS_PER_SERIES) {
    throw gatewayError('LIMIT_EXCEEDED', `exceeded maximum resolution of 11,000 points per timeseries; increase stepMs`);
  }
}

function finiteTime(name: string, ms: number): void {
  if (!Number.isFinite(ms)) throw new BadArgumentError(`${name} must be a finite number of milliseconds since the epoch`);
}

/** `rangeQuery(maxSourceResolution)`: the REST parameter's forms and wording; raw (0) is left out so raw requests keep one cache key. */
export function sourceResolution(value: string | null | undefined, fallback: number | 'auto'): { maxSourceResolution?: number | 'auto' } {
  let parsed: number | 'auto' | undefined;
  try {
    parsed = parseMaxSourceResolutionParam(value == null ? {} : { max_source_resolution: value }, parseDuration, fallback);
  } catch (err) {
    if (err instanceof BadParameterError) throw new BadArgumentError(err.message.replace(`'max_source_resolution' parameter`, 'maxSourceResolution'));
    throw err;
  }
  return parsed === undefined || parsed === 0 ? {} : { maxSourceResolution: parsed };
}

function timeout(timeoutMs: number | null | undefined): { timeoutMs?: number } {
  if (timeoutMs == null) return {};
  if (!(timeoutMs > 0)) throw new BadArgumentError(`timeoutMs must be positive, got ${timeoutMs}`);
  // The engine's deadline timer takes whole milliseconds.
  return { timeoutMs: Math.ceil(timeoutMs) };
}

function timeRange(startMs: number | null | undefined, endMs: number | null | undefined): { start: number; end: number } {
  const start = startMs ?? -62135596800000;
  const end = endMs ?? 253402300799000;
  finiteTime('startMs', start);
  finiteTime('endMs', end);
  if (end < start) throw new BadArgumentError('endMs must not be before startMs');
  return { start, end };
}

function limitOf(limit: number | null | undefined): { limit?: number } {
  if (limit == null || limit === 0) return {};
  if (limit < 0) throw new BadArgumentError(`limit must not be negative, got ${limit}`);
  return { limit };
}

function selectors(match: readonly string[] | null | undefined): LabelMatcher[][] {
  return (match ?? []).map((selector) => {
    try {
      return parseSeriesSelector(selector);
    } catch (err) {
      if (err instanceof PromQLParseError) throw new BadArgumentError(`invalid selector ${JSON.stringify(selector)}: ${err.message}`);
      throw err;
    }
  });
}
