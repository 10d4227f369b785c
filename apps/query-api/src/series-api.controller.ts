import { Controller, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { METRIC_STORE, TENANT_RESOLVER, sendPrometheusData, sendPrometheusError } from '#apps/common';
import { labelsToRecord } from '#pharos/metric-model';
import type { MetricStore } from '#pharos/storage';
import type { TenantResolver } from '#pharos/tenancy';
import { BadParameterError, paramsOf, parseLimitParam, parseMatcherSets, parseTimeRange } from './prometheus-params.js';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TRUNCATED = 'results truncated due to limit';

/**
 * The series and label endpoints of the Prometheus HTTP API (GET and POST), answered from the
 * metric store for the request's tenant, in Prometheus' response and error format.
 */
@Controller('/api/v1')
export class SeriesApiController {
  constructor(
    @Inject(METRIC_STORE) private readonly store: MetricStore,
    @Inject(TENANT_RESOLVER) private readonly tenants: TenantResolver,
  ) {}

  @Get('series')
  seriesGet(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.series(req, reply);
  }

  @Post('series')
  async series(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.answer(req, reply, async (tenant, params) => {
      const matcherSets = parseMatcherSets(params);
      if (matcherSets.length === 0) throw new BadParameterError('no match[] parameter provided');
      const limit = parseLimitParam(params);
      const series = await this.store.series({ tenant, ...parseTimeRange(params), matcherSets, ...(limit ? { limit: limit + 1 } : {}) });
      return truncate(series.map(labelsToRecord), limit);
    });
  }

  @Get('labels')
  labelsGet(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.labels(req, reply);
  }

  @Post('labels')
  async labels(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.answer(req, reply, async (tenant, params) => {
      const matcherSets = parseMatcherSets(params);
      const limit = parseLimitParam(params);
      const names = await this.store.labelNames({ tenant, ...parseTimeRange(params), ...(matcherSets.length ? { matcherSets } : {}), ...(limit ? { limit: limit + 1 } : {}) });
      return truncate(names, limit);
    });
  }

  @Get('label/:name/values')
  async labelValues(@Param('name') name: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.answer(req, reply, async (tenant, params) => {
      const labelName = decodeLabelNameParam(name);
      const matcherSets = parseMatcherSets(params);
      const limit = parseLimitParam(params);
      const values = await this.store.labelValues({ tenant, name: labelName, ...parseTimeRange(params), ...(matcherSets.length ? { matcherSets } : {}), ...(limit ? { limit: limit + 1 } : {}) });
      return truncate(values, limit);
    });
  }

  private async answer(
    req: FastifyRequest,
    reply: FastifyReply,
    compute: (tenant: string, params: ReturnType<typeof paramsOf>) => Promise<{ data: unknown; warnings: string[] }>,
  ): Promise<void> {
    const tenant = this.tenants.resolve(req.headers);
    if (!tenant.ok) {
      sendPrometheusError(reply, 'bad_data', tenant.message, tenant.status);
      return;
    }
    try {
      const { data, warnings } = await compute(tenant.tenant, paramsOf(req));
      sendPrometheusData(reply, data, warnings);
    } catch (err) {
      if (err instanceof BadParameterError) sendPrometheusError(reply, 'bad_data', err.message);
      else if (err instanceof Error && err.name === 'InvalidMatcherError') sendPrometheusError(reply, 'bad_data', err.message);
      else throw err;
    }
  }
}

function truncate<T>(items: T[], limit: number | undefined): { data: T[]; warnings: string[] } {
  if (limit !== undefined && items.length > limit) return { data: items.slice(0, limit), warnings: [TRUNCATED] };
  return { data: items, warnings: [] };
}

/** Label names in the path: legacy names as is, others with Prometheus 3's `U__` escaping. */
function decodeLabelNameParam(raw: string): string {
  let name = raw;
  if (raw.startsWith('U__')) {
    name = raw.slice(3).replace(/_([0-9a-fA-F]+)_|__/g, (m, hex: string | undefined) => (hex ? String.fromCodePoint(parseInt(hex, 16)) : '_'));
  } else if (!LABEL_NAME.test(raw)) {
    throw new BadParameterError(`invalid label name: "${raw}"`);
  }
  return name;
}
