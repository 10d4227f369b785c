import { Controller, Get, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { METRIC_STORE, TENANT_RESOLVER, sendPrometheusError } from '#apps/common';
import { seriesKey, type Labels } from '#pharos/metric-model';
import { PromQLParseError, exprToParseQueryJson, formatExpr, parsePromQL, type Expr } from '#pharos/promql';
import { UnsupportedQueryError, type MetricStore, type SeriesExemplars, type StoredExemplar } from '#pharos/storage';
import type { TenantResolver } from '#pharos/tenancy';
import { BadParameterError, MAX_TIME_MS, MIN_TIME_MS, paramsOf, parseTimeParam, singleParam, type Params } from './prometheus-params.js';
import { formatPromFloat, formatPromTimestamp, jsonString, labelsJson } from './prometheus-json.js';
import { apiError } from './query-api.controller.js';
import { extractSelectors } from './query-request.js';
import type { QueryEndpoint, QueryOutcome, QueryTelemetry } from './query-telemetry.js';
import { QUERY_TELEMETRY } from './tokens.js';

/**
 * The Prometheus API endpoints around queries that do not evaluate one: `format_query`,
 * `parse_query`, `query_exemplars` and `metadata`, tenant-scoped like every read.
 */
@Controller('/api/v1')
export class QueryToolsController {
  constructor(
    @Inject(METRIC_STORE) private readonly store: MetricStore,
    @Inject(TENANT_RESOLVER) private readonly tenants: TenantResolver,
    @Inject(QUERY_TELEMETRY) private readonly telemetry: QueryTelemetry,
  ) {}

  @Get('format_query')
  formatGet(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.format(req, reply);
  }

  @Post('format_query')
  async format(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.answer('format_query', req, reply, async (_tenant, params) => `{"status":"success","data":${jsonString(formatExpr(parseQueryParam(params)))}}`);
  }

  @Get('parse_query')
  parseGet(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.parse(req, reply);
  }

  @Post('parse_query')
  async parse(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.answer('parse_query', req, reply, async (_tenant, params) => `{"status":"success","data":${JSON.stringify(exprToParseQueryJson(parseQueryParam(params)))}}`);
  }

  @Get('query_exemplars')
  exemplarsGet(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.exemplars(req, reply);
  }

  /** Exemplars of the series the query's selectors match (Prometheus `queryExemplars`). */
  @Post('query_exemplars')
  async exemplars(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.answer('query_exemplars', req, reply, async (tenant, params) => {
      const start = parseTimeParam(params, 'start', MIN_TIME_MS);
      const end = parseTimeParam(params, 'end', MAX_TIME_MS);
      if (end < start) throw new BadParameterError('end timestamp must not be before start timestamp');
      let expr: Expr;
      try {
        expr = parsePromQL(singleParam(params, 'query') ?? '');
      } catch (err) {
        // Unlike the query endpoints, Prometheus reports the parse error here without a prefix.
        if (err instanceof PromQLParseError) throw new BadParameterError(err.message);
        throw err;
      }
      const selectors = extractSelectors(expr);
      // Prometheus answers a query without selectors with no data at all: 204, empty body.
      if (selectors.length === 0) return '';
      const bySeries = new Map<string, SeriesExemplars>();
      for (const matchers of selectors) {
        for (const s of await this.store.exemplars({ tenant, start, end, matchers })) bySeries.set(seriesKey(s.labels), s);
      }
      const series = [...bySeries.values()].sort((a, b) => compareLabels(a.labels, b.labels));
      return `{"status":"success","data":[${series.map(exemplarSeriesJson).join(',')}]}`;
    });
  }

  /** Metric-family metadata last received for the tenant (Prometheus `metricMetadata`). */
  @Get('metadata')
  async metadata(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.answer('metadata', req, reply, async (tenant, params) => {
      const limit = intParam(params, 'limit');
      intParam(params, 'limit_per_metric'); // validated; the store keeps one entry per family
      const metric = singleParam(params, 'metric') ?? '';
      if (limit === 0) return '{"status":"success","data":{}}';
      const families = await this.store.metadata({ tenant, ...(metric !== '' ? { metric } : {}), ...(limit > 0 ? { limit } : {}) });
      const entries = families.map(
        (m) => `${jsonString(m.metricFamilyName)}:[{"type":${jsonString(m.type)},"help":${jsonString(m.help)},"unit":${jsonString(m.unit)}}]`,
      );
      return `{"status":"success","data":{${entries.join(',')}}}`;
    });
  }

  private async answer(
    endpoint: QueryEndpoint,
    req: FastifyRequest,
    reply: FastifyReply,
    compute: (tenant: string, params: Params) => Promise<string>,
  ): Promise<void> {
    const started = performance.now();
    const tenant = this.tenants.resolve(req.headers);
    if (!tenant.ok) {
      sendPrometheusError(reply, 'bad_data', tenant.message, tenant.status);
      return;
    }
    let outcome: QueryOutcome = 'success';
    let error: string | undefined;
    try {
      const body = await compute(tenant.tenant, paramsOf(req));
      if (body === '') reply.code(204).send();
      else reply.code(200).header('content-type', 'application/json').send(body);
    } catch (err) {
      const mapped =
        err instanceof UnsupportedQueryError ? { type: 'unavailable' as const, message: `the metric store cannot answer this: ${err.message}` } : apiError(err);
      outcome = mapped.type;
      error = mapped.message;
      sendPrometheusError(reply, mapped.type, mapped.message);
    } finally {
      this.telemetry.record({
        endpoint,
        outcome,
        tenant: tenant.tenant,
        durationMs: performance.now() - started,
        ...(error ? { error } : {}),
      });
    }
  }
}

function parseQueryParam(params: Params): Expr {
  try {
    return parsePromQL(singleParam(params, 'query') ?? '');
  } catch (err) {
    if (err instanceof PromQLParseError) throw new BadParameterError(`invalid parameter "query": ${err.message}`);
    throw err;
  }
}

/** An integer parameter of the metadata endpoint; -1 (no limit) when absent. */
function intParam(params: Params, name: string): number {
  const raw = singleParam(params, name);
  if (raw === undefined || raw === '') return -1;
  if (!/^[+-]?\d+$/.test(raw)) throw new BadParameterError(`${name} must be a number`);
  return Number(raw);
}

function exemplarSeriesJson(s: SeriesExemplars): string {
  return `{"seriesLabels":${labelsJson(s.labels)},"exemplars":[${s.exemplars.map(exemplarJson).join(',')}]}`;
}

function exemplarJson(e: StoredExemplar): string {
  return `{"labels":${labelsJson(e.labels)},"value":"${formatPromFloat(e.value)}","timestamp":${formatPromTimestamp(e.timestamp)}}`;
}

function compareLabels(a: Labels, b: Labels): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  }
  return a.length - b.length;
}
