import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CONFIG, LOGGER, SELF_METRICS, TENANT_RESOLVER } from '#apps/common';
import type { PharosConfig } from '#pharos/config';
import { IngestRefusedError, type DecodedRequest, type IngestDecodePool, type MetricIngestor } from '#pharos/ingest';
import { RemoteWriteDecodeError, negotiateRemoteWriteVersion } from '#pharos/remote-write';
import type { Logger, SelfMetrics } from '#pharos/telemetry';
import type { TenantResolver } from '#pharos/tenancy';
import { DECODE_POOL, METRIC_INGESTOR } from './collector.tokens.js';

const PROTOCOL = 'prometheus_remote_write';

/**
 * Prometheus remote_write 1.0 and 2.0 receiver (also at Mimir's `/api/v1/push`). Answers as
 * Prometheus' own receiver does: 204 when everything was written; 400 naming what was refused
 * when some series or samples were bad (the good ones are written first); 415 for an
 * unsupported content type; 413 over the tenant's request size; 429 over its rate; 503 when
 * the processor is behind (the sender retries). Remote-Write 2.0 responses carry the
 * `X-Prometheus-Remote-Write-*-Written` headers.
 */
@Controller()
export class RemoteWriteController {
  constructor(
    @Inject(METRIC_INGESTOR) private readonly ingestor: MetricIngestor,
    @Inject(DECODE_POOL) private readonly decodePool: IngestDecodePool,
    @Inject(TENANT_RESOLVER) private readonly tenants: TenantResolver,
    @Inject(CONFIG) private readonly config: PharosConfig,
    @Inject(SELF_METRICS) private readonly metrics: SelfMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Post(['/api/v1/write', '/api/v1/push'])
  async write(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const tenant = this.tenants.resolve(req.headers);
    if (!tenant.ok) return this.refuse(reply, tenant.status, tenant.message, 'auth');

    const negotiated = negotiateRemoteWriteVersion(req.headers['content-type'], req.headers['content-encoding']);
    if (!negotiated.ok) return this.refuse(reply, negotiated.status, negotiated.message, 'unsupported_media_type');
    const body = req.body;
    if (!Buffer.isBuffer(body)) {
      return this.refuse(reply, 415, `expected a snappy-compressed protobuf body (Content-Type: application/x-protobuf), got ${req.headers['content-type'] ?? 'none'}`, 'unsupported_media_type');
    }
    const limits = this.config.limits.tenants[tenant.tenant] ?? this.config.limits.defaults;
    if (body.length > limits.maxRequestSize) {
      return this.refuse(reply, 413, `request body of ${body.length} bytes exceeds the limit of ${limits.maxRequestSize} bytes (limits.max_request_size)`, 'too_large');
    }

    const now = Date.now();
    const retention = limits.retentionMs;
    const oooWindow = this.config.storage.metrics.outOfOrderWindowMs;
    let decoded: DecodedRequest;
    try {
      // The body is not read again: the worker may take its memory instead of a copy.
      decoded = await this.decodePool.decode({
        kind: 'prometheus-remote-write',
        body,
        partitions: this.config.stream.partitions,
        options: {
          version: negotiated.version,
          tenant: tenant.tenant,
          maxLabelsPerSeries: limits.maxLabelsPerSeries,
          maxLabelNameLength: limits.maxLabelNameLength,
          maxLabelValueLength: limits.maxLabelValueLength,
          maxDecompressedBytes: limits.maxRequestSize * 4,
          minTimestampMs: now - (oooWindow > 0 ? Math.min(oooWindow, retention) : retention),
          maxTimestampMs: now + this.config.storage.metrics.futureToleranceMs,
        },
      }, { transferBody: true });
    } catch (err) {
      if (err instanceof RemoteWriteDecodeError) return this.refuse(reply, 400, err.message, 'malformed');
      throw err;
    }

    let outcome;
    try {
      outcome = await this.ingestor.ingestPrepared(PROTOCOL, decoded.prepared);
    } catch (err) {
      if (err instanceof IngestRefusedError) {
        if (err.retryAfterSeconds !== undefined) reply.header('retry-after', String(err.retryAfterSeconds));
        return this.refuse(reply, err.status, err.message, err.reason);
      }
      throw err;
    }

    for (const [reason, count] of Object.entries(decoded.rejected)) {
      if (count > 0) this.metrics.rejectedSamples.inc({ tenant: tenant.tenant, protocol: PROTOCOL, reason }, count);
    }
    if (negotiated.version === '2.0') {
      reply.header('X-Prometheus-Remote-Write-Samples-Written', String(outcome.samplesWritten));
      reply.header('X-Prometheus-Remote-Write-Histograms-Written', String(outcome.histogramsWritten));
      reply.header('X-Prometheus-Remote-Write-Exemplars-Written', String(outcome.exemplarsWritten));
    }
    const problems = [...decoded.firstErrors, ...outcome.messages];
    if (problems.length > 0) {
      const rejected = { ...decoded.rejected, ...outcome.rejected };
      const summary = Object.entries(rejected)
        .filter(([, n]) => n > 0)
        .map(([reason, n]) => `${n} ${reason}`)
        .join(', ');
      this.logger.warn({ tenant: tenant.tenant, protocol: PROTOCOL, rejected }, 'remote_write samples rejected');
      return this.refuse(reply, 400, `some samples were rejected (${summary}); the rest were written: ${problems.join('; ')}`, null);
    }
    void reply.code(204).send();
  }

  private refuse(reply: FastifyReply, status: number, message: string, reason: string | null): void {
    if (reason) this.metrics.rejectedRequests.inc({ protocol: PROTOCOL, reason });
    void reply.code(status).header('content-type', 'text/plain; charset=utf-8').send(message + '\n');
  }
}
