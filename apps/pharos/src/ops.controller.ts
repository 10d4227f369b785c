import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { READINESS, type Readiness, SELF_METRICS } from '#apps/common';
import type { SelfMetrics } from '#pharos/telemetry';

/** Pharos' own operational endpoints, with Prometheus' paths and semantics. */
@Controller()
export class OpsController {
  constructor(
    @Inject(SELF_METRICS) private readonly metrics: SelfMetrics,
    @Inject(READINESS) private readonly readiness: Readiness,
  ) {}

  @Get('/metrics')
  async selfMetrics(@Res() reply: FastifyReply): Promise<void> {
    const text = await this.metrics.collect();
    void reply.header('content-type', this.metrics.registry.contentType).send(text);
  }

  @Get('/-/healthy')
  healthy(@Res() reply: FastifyReply): void {
    void reply.header('content-type', 'text/plain; charset=utf-8').send('Pharos is Healthy.\n');
  }

  @Get('/-/ready')
  ready(@Res() reply: FastifyReply): void {
    const unmet = this.readiness.unmet();
    if (unmet.length === 0) {
      void reply.header('content-type', 'text/plain; charset=utf-8').send('Pharos is Ready.\n');
      return;
    }
    void reply.code(503).header('content-type', 'text/plain; charset=utf-8').send(`Pharos is not ready: waiting for ${unmet.join(', ')}.\n`);
  }
}
