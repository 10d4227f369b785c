import { Controller, Delete, Get, Inject, Post, Put, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TENANT_RESOLVER, sendPrometheusData, sendPrometheusError } from '#apps/common';
import { ScrapeConfigError, ScrapeTargetConflictError } from '#pharos/scrape';
import type { TenantResolver } from '#pharos/tenancy';
import { ScrapeService } from './scrape.service.js';

/**
 * Prometheus' targets API (`GET /api/v1/targets`), Pharos' write API for static targets
 * (`POST`/`DELETE /api/v1/targets/static`, persisted in the data directory), and
 * configuration reload (`POST /-/reload`, as Prometheus with `--web.enable-lifecycle`).
 * Every target belongs to a tenant (its job's `tenant`): a request sees and changes only the
 * targets of the tenant it resolves to.
 */
@Controller()
export class ScrapeController {
  constructor(
    @Inject(ScrapeService) private readonly scrape: ScrapeService,
    @Inject(TENANT_RESOLVER) private readonly tenants: TenantResolver,
  ) {}

  @Get('/api/v1/targets')
  async targets(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const tenant = this.tenants.resolve(req.headers);
    if (!tenant.ok) return void sendPrometheusError(reply, 'bad_data', tenant.message, tenant.status);
    const q = req.query as Record<string, string | string[] | undefined>;
    void sendPrometheusData(reply, await this.scrape.engine.targets(tenant.tenant, first(q['state']) ?? '', first(q['scrapePool'])));
  }

  /**
   * Adds targets: JSON `{"job": "name", "targets": ["host:port", …], "labels": {…}}`. A job of
   * the configuration gets the targets as one more static group; an unknown job is created
   * with the global scrape defaults.
   */
  @Post('/api/v1/targets/static')
  async addTargets(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const tenant = this.tenants.resolve(req.headers);
    if (!tenant.ok) return void sendPrometheusError(reply, 'bad_data', tenant.message, tenant.status);
    const body = parseBody(req);
    if (typeof body === 'string') return void sendPrometheusError(reply, 'bad_data', body);
    const problem = checkTargetBody(body, true);
    if (problem) return void sendPrometheusError(reply, 'bad_data', problem);
    try {
      await this.scrape.engine.addTargets(tenant.tenant, body.job as string, body.targets as string[], (body.labels ?? {}) as Record<string, string>);
    } catch (err) {
      if (err instanceof ScrapeTargetConflictError) return void sendPrometheusError(reply, 'bad_data', err.message, 409);
      if (err instanceof ScrapeConfigError) return void sendPrometheusError(reply, 'bad_data', err.message);
      throw err;
    }
    void sendPrometheusData(reply, await this.scrape.engine.targets(tenant.tenant, 'active', body.job as string));
  }

  /** Removes targets: JSON `{"job": …, "targets": [...]}` or query `?job=…&target=…`; no targets removes the job's API targets. */
  @Delete('/api/v1/targets/static')
  async removeTargets(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const tenant = this.tenants.resolve(req.headers);
    if (!tenant.ok) return void sendPrometheusError(reply, 'bad_data', tenant.message, tenant.status);
    const q = req.query as Record<string, string | string[] | undefined>;
    let body: Record<string, unknown>;
    if (first(q['job']) !== undefined) {
      const t = q['target'];
      body = { job: first(q['job']), ...(t === undefined ? {} : { targets: Array.isArray(t) ? t : [t] }) };
    } else {
      const parsed = parseBody(req);
      if (typeof parsed === 'string') return void sendPrometheusError(reply, 'bad_data', parsed);
      body = parsed;
    }
    const problem = checkTargetBody(body, false);
    if (problem) return void sendPrometheusError(reply, 'bad_data', problem);
    const removed = await this.scrape.engine.removeTargets(tenant.tenant, body.job as string, body.targets as string[] | undefined);
    if (removed === 0) return void sendPrometheusError(reply, 'not_found', `no targets added through the API match job ${JSON.stringify(body.job)}${body.targets ? ` and targets ${JSON.stringify(body.targets)}` : ''}`);
    void sendPrometheusData(reply, { removed });
  }

  @Post('/-/reload')
  @Put('/-/reload')
  async reload(@Res() reply: FastifyReply): Promise<void> {
    const result = await this.scrape.reload();
    if (result.ok) return void reply.code(200).header('content-type', 'text/plain; charset=utf-8').send('');
    void reply.code(500).header('content-type', 'text/plain; charset=utf-8').send(`failed to reload config: ${result.error}\n`);
  }
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function parseBody(req: FastifyRequest): Record<string, unknown> | string {
  let body: unknown = req.body;
  if (Buffer.isBuffer(body)) {
    try {
      body = JSON.parse(body.toString('utf8'));
    } catch (err) {
      return `the body is not valid JSON: ${(err as Error).message}`;
    }
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'expected a JSON object such as {"job": "node", "targets": ["host:9100"], "labels": {"env": "dev"}}';
  return body as Record<string, unknown>;
}

function checkTargetBody(body: Record<string, unknown>, adding: boolean): string | undefined {
  for (const k of Object.keys(body)) if (!['job', 'targets', 'labels'].includes(k)) return `unknown field ${JSON.stringify(k)} (expected job, targets, labels)`;
  if (typeof body.job !== 'string' || body.job === '') return '"job" must be a non-empty string';
  const targets = body.targets;
  if (adding || targets !== undefined) {
    if (!Array.isArray(targets) || targets.length === 0 || !targets.every((t) => typeof t === 'string' && t !== '')) return '"targets" must be a non-empty list of host:port strings';
  }
  if (body.labels !== undefined) {
    if (!adding) return '"labels" is only for adding targets';
    const l = body.labels;
    if (l === null || typeof l !== 'object' || Array.isArray(l) || !Object.values(l).every((v) => typeof v === 'string')) return '"labels" must be an object of string values';
  }
  return undefined;
}
