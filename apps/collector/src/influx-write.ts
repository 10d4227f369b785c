import { isUtf8 } from 'node:buffer';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { Inject, Injectable, type OnModuleInit, type Provider } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CONFIG, LOGGER, SELF_METRICS, TENANT_RESOLVER } from '#apps/common';
import type { PharosConfig } from '#pharos/config';
import { lineProtocolToBatch, parsePrecision } from '#pharos/influx';
import { IngestRefusedError, type MetricIngestor } from '#pharos/ingest';
import type { Logger, SelfMetrics } from '#pharos/telemetry';
import type { TenantResolver } from '#pharos/tenancy';
import { METRIC_INGESTOR } from './collector.tokens.js';

const gunzipAsync = promisify(gunzip);
const PROTOCOL = 'influx_line_protocol';

/** Drops that make a write partial (string fields are dropped by design, as Telegraf's Prometheus output does). */
const PARTIAL_REASONS = new Set(['too_old', 'too_far_in_future', 'too_many_labels', 'label_name_too_long', 'label_value_too_long']);

type InfluxErrorCode = 'invalid' | 'request too large' | 'unsupported media type' | 'unauthorized' | 'forbidden' | 'too many requests' | 'unavailable';

/**
 * InfluxDB line-protocol writes: `POST /api/v2/write?org=&bucket=&precision=` and the v1
 * `POST /write?db=&precision=`, gzip or plain. Answers as InfluxDB 2 does: 204 when all was
 * written; 400 `{"code":"invalid","message":…}` naming the rejected lines (the good points
 * are written first: a partial write); 413, 415, 401/403, 429 and 503 (with Retry-After).
 * Registered in its own Fastify scope so the body arrives as raw bytes whatever its type.
 */
@Injectable()
export class InfluxWriteRoutes implements OnModuleInit {
  private readonly log: Logger;

  constructor(
    @Inject(METRIC_INGESTOR) private readonly ingestor: MetricIngestor,
    @Inject(TENANT_RESOLVER) private readonly tenants: TenantResolver,
    @Inject(CONFIG) private readonly config: PharosConfig,
    @Inject(SELF_METRICS) private readonly metrics: SelfMetrics,
    @Inject(LOGGER) logger: Logger,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.log = logger.child({ component: 'influx' });
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const bodyLimit = Math.max(this.config.limits.defaults.maxRequestSize, ...Object.values(this.config.limits.tenants).map((l) => l.maxRequestSize));
    void fastify.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, body));
      scope.post('/api/v2/write', async (req, reply) => this.write(req, reply, false));
      scope.post('/write', async (req, reply) => this.write(req, reply, true));
    });
  }

  private async write(req: FastifyRequest, reply: FastifyReply, v1: boolean): Promise<void> {
    const q = req.query as Record<string, string | undefined>;
    // Influx credentials (`Token`, `u`/`p`) are rebuilt into headers the auth hook never saw: the complete check.
    const tenant = await this.tenants.resolveAsync(influxCredentials(req.headers, q), 'write');
    if (!tenant.ok) return this.refuse(reply, tenant.status, tenant.status === 403 ? 'forbidden' : tenant.status === 401 ? 'unauthorized' : 'invalid', tenant.message, 'auth');
    const precision = parsePrecision(q['precision'], v1);
    if (!precision) {
      return this.refuse(reply, 400, 'invalid', `invalid precision ${JSON.stringify(q['precision'])}; valid precision units are ${v1 ? 'n, ns, u, us, ms, s, m and h' : 'ns, us, ms and s'}`, 'malformed');
    }
    const db = v1 ? q['db'] : q['bucket'];
    if (!db) return this.refuse(reply, 400, 'invalid', v1 ? 'database is required (query parameter db)' : 'bucket is required (query parameter bucket)', 'malformed');

    const limits = this.config.limits.tenants[tenant.tenant] ?? this.config.limits.defaults;
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (raw.length > limits.maxRequestSize) {
      return this.refuse(reply, 413, 'request too large', `request body of ${raw.length} bytes exceeds the limit of ${limits.maxRequestSize} bytes (limits.max_request_size)`, 'too_large');
    }
    const encoding = (single(req.headers['content-encoding']) ?? 'identity').toLowerCase();
    let body: Buffer;
    if (encoding === 'gzip') {
      try {
        body = await gunzipAsync(raw, { maxOutputLength: limits.maxRequestSize * 4 });
      } catch (err) {
        const tooBig = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
        if (tooBig) return this.refuse(reply, 413, 'request too large', `decompressed body exceeds ${limits.maxRequestSize * 4} bytes (4× limits.max_request_size)`, 'too_large');
        return this.refuse(reply, 400, 'invalid', `cannot read the gzip body: ${(err as Error).message}`, 'malformed');
      }
    } else if (encoding === 'identity' || encoding === '') {
      body = raw;
    } else {
      return this.refuse(reply, 415, 'unsupported media type', `unsupported Content-Encoding ${JSON.stringify(encoding)}; use gzip or identity`, 'unsupported_media_type');
    }
    if (!isUtf8(body)) return this.refuse(reply, 400, 'invalid', 'the body is not valid UTF-8 line protocol', 'malformed');

    const now = Date.now();
    const oooWindow = this.config.storage.metrics.outOfOrderWindowMs;
    const result = lineProtocolToBatch(body.toString('utf8'), {
      tenant: tenant.tenant,
      precision,
      nowMs: now,
      db,
      maxLabelsPerSeries: limits.maxLabelsPerSeries,
      maxLabelNameLength: limits.maxLabelNameLength,
      maxLabelValueLength: limits.maxLabelValueLength,
      minTimestampMs: now - (oooWindow > 0 ? Math.min(oooWindow, limits.retentionMs) : limits.retentionMs),
      maxTimestampMs: now + this.config.storage.metrics.futureToleranceMs,
    });
    let outcome;
    try {
      outcome = await this.ingestor.ingest(PROTOCOL, result.batch);
    } catch (err) {
      if (err instanceof IngestRefusedError) {
        if (err.retryAfterSeconds !== undefined) reply.header('retry-after', String(err.retryAfterSeconds));
        const code: InfluxErrorCode = err.status === 429 ? 'too many requests' : err.status === 503 ? 'unavailable' : err.status === 413 ? 'request too large' : 'invalid';
        return this.refuse(reply, err.status, code, err.message, err.reason);
      }
      throw err;
    }

    const t = tenant.tenant;
    const badLines = result.lines - result.pointsAccepted;
    if (badLines > 0) this.metrics.rejectedSamples.inc({ tenant: t, protocol: PROTOCOL, reason: 'malformed' }, badLines);
    for (const [reason, n] of Object.entries(result.droppedFields)) this.metrics.rejectedSamples.inc({ tenant: t, protocol: PROTOCOL, reason }, n);
    const problems = result.lineErrors.map((e) => (e.line > 0 ? `line ${e.line}: ${e.message}` : e.message));
    for (const [reason, n] of Object.entries(result.droppedFields)) if (PARTIAL_REASONS.has(reason) && n > 0) problems.push(`${n} fields refused (${reason})`);
    problems.push(...outcome.messages);
    if (problems.length === 0) return void reply.code(204).send();
    this.log.warn({ tenant: t, badLines, dropped: result.droppedFields, written: outcome.samplesWritten }, 'line protocol write partly rejected');
    const prefix = outcome.samplesWritten > 0 ? `partial write: ${outcome.samplesWritten} samples written from ${result.pointsAccepted} of ${result.lines} lines; ` : '';
    const first = result.lineErrors.find((e) => e.line > 0);
    void reply
      .code(400)
      .header('content-type', 'application/json; charset=utf-8')
      .send({ code: 'invalid', message: prefix + problems.join('; '), ...(first ? { line: first.line } : {}) });
  }

  private refuse(reply: FastifyReply, status: number, code: InfluxErrorCode, message: string, reason: string): void {
    this.metrics.rejectedRequests.inc({ protocol: PROTOCOL, reason });
    void reply.code(status).header('content-type', 'application/json; charset=utf-8').send({ code, message });
  }
}

/**
 * InfluxDB clients authenticate with `Authorization: Token <token>` (v2) or `u`/`p` query
 * parameters (v1); Pharos' tenant resolver takes a bearer token or basic auth, so those are
 * translated — the token or password is the Pharos API key.
 */
function influxCredentials(headers: FastifyRequest['headers'], q: Record<string, string | undefined>): FastifyRequest['headers'] {
  const auth = single(headers['authorization']);
  if (auth && /^token\s/i.test(auth)) return { ...headers, authorization: `Bearer ${auth.slice(auth.indexOf(' ') + 1).trim()}` };
  if (!auth && q['p'] !== undefined) return { ...headers, authorization: `Basic ${Buffer.from(`${q['u'] ?? ''}:${q['p']}`).toString('base64')}` };
  return headers;
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

export const INFLUX_PROVIDERS: Provider[] = [InfluxWriteRoutes];
