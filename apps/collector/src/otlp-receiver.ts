import type { PharosConfig, TenantLimits } from '#pharos/config';
import { IngestRefusedError, type MetricIngestor } from '#pharos/ingest';
import { sampleCount } from '#pharos/metric-model';
import { DeltaToCumulative, OtlpDecodeError, OtlpDecoder, type OtlpDecodeResult, type OtlpFormat } from '#pharos/otlp';
import type { Logger, SelfMetrics } from '#pharos/telemetry';
import type { TenantResolver } from '#pharos/tenancy';

export const OTLP_PROTOCOL = 'otlp';
const STABLE_LABELS = { stableLabels: true } as const;

/** A request to export, whatever the transport. */
export interface OtlpExportRequest {
  readonly transport: 'grpc' | 'http';
  /** Request headers (HTTP) or metadata (gRPC), for tenant resolution. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Uint8Array;
  readonly format: OtlpFormat;
  /** gRPC decompresses itself; HTTP passes its Content-Encoding. */
  readonly encoding: 'gzip' | 'identity';
}

/** How an export ended, for the transport to answer in its own terms. */
export type OtlpExportOutcome =
  | { readonly ok: true; readonly rejectedDataPoints: number; readonly errorMessage: string }
  | {
      readonly ok: false;
      /** `invalid`: never retry; `throttled`/`unavailable`: retry after `retryAfterSeconds`. */
      readonly kind: 'invalid' | 'too_large' | 'throttled' | 'unavailable' | 'unauthenticated' | 'forbidden';
      readonly message: string;
      readonly retryAfterSeconds?: number;
    };

/**
 * The OTLP metrics receiver shared by OTLP/gRPC (:4317) and OTLP/HTTP (:4318 and
 * `/otlp/v1/metrics`): resolves the tenant, decodes and translates the request (Prometheus'
 * naming, see `libs/otlp`), turns delta-temporality samples into cumulative ones, applies
 * the tenant's limits and writes to the stream through the same {@link MetricIngestor} as
 * remote_write — answering only once the stream made the data durable. Partly bad requests
 * keep their good points; the response says how many were rejected and why.
 */
export class OtlpReceiver {
  private readonly decoders = new Map<string, OtlpDecoder>();
  private readonly delta: DeltaToCumulative;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ingestor: MetricIngestor,
    private readonly tenants: TenantResolver,
    private readonly config: PharosConfig,
    private readonly metrics: SelfMetrics,
    private readonly logger: Logger,
  ) {
    this.delta = new DeltaToCumulative({ maxSeries: config.otlp.deltaMaxSeries, maxStaleMs: config.otlp.deltaMaxStaleMs });
    // Fails at startup, not per request, when the `otlp:` settings contradict each other.
    this.decoderFor(config.limits.defaults);
  }

  /** Series whose delta running totals are held. */
  get deltaSeries(): number {
    return this.delta.size;
  }

  start(): void {
    this.sweepTimer = setInterval(() => this.delta.sweep(), 60_000);
    this.sweepTimer.unref();
  }

  stop(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
  }

  async export(req: OtlpExportRequest): Promise<OtlpExportOutcome> {
    // The OTLP ports are not behind the HTTP auth hook: the complete (async) check, so a
    // stored key this process has not seen yet is verified, not refused once.
    const tenant = await this.tenants.resolveAsync(req.headers, 'write');
    if (!tenant.ok) {
      const kind = tenant.status === 401 ? 'unauthenticated' : tenant.status === 403 ? 'forbidden' : 'invalid';
      return this.refuse(kind, tenant.message, 'auth');
    }
    const limits = this.config.limits.tenants[tenant.tenant] ?? this.config.limits.defaults;
    if (req.body.length > limits.maxRequestSize) {
      return this.refuse('too_large', `request body of ${req.body.length} bytes exceeds the limit of ${limits.maxRequestSize} bytes (limits.max_request_size)`, 'too_large');
    }
    const now = Date.now();
    const oooWindow = this.config.storage.metrics.outOfOrderWindowMs;
    let decoded: OtlpDecodeResult;
    try {
      decoded = this.decoderFor(limits).decode(req.body, {
        tenant: tenant.tenant,
        format: req.format,
        encoding: req.encoding,
        minTimestampMs: now - (oooWindow > 0 ? Math.min(oooWindow, limits.retentionMs) : limits.retentionMs),
        maxTimestampMs: now + this.config.storage.metrics.futureToleranceMs,
      });
    } catch (err) {
      if (err instanceof OtlpDecodeError) return this.refuse('invalid', err.message, 'malformed');
      throw err;
    }

    let rejectedPoints = decoded.rejectedDataPoints;
    const rejected: Record<string, number> = { ...decoded.rejected };
    const messages = [...decoded.messages];
    const conversion = decoded.delta ? this.delta.convert(decoded.delta) : undefined;
    if (conversion) {
      rejectedPoints += conversion.rejectedDataPoints;
      for (const [reason, n] of Object.entries(conversion.rejected)) rejected[reason] = (rejected[reason] ?? 0) + n;
      messages.push(...conversion.messages);
    }
    try {
      // The decoder caches each series' labels (and the delta conversion passes them on), so a
      // series has the same Labels object in every request: the stream may name it by ref.
      const outcome = await this.ingestor.ingest(OTLP_PROTOCOL, decoded.batch, STABLE_LABELS);
      if (conversion && (sampleCount(conversion.batch) > 0 || conversion.batch.histograms.length > 0)) {
        await this.ingestor.ingest(OTLP_PROTOCOL, conversion.batch, STABLE_LABELS);
      }
      for (const [reason, n] of Object.entries(outcome.rejected)) rejected[reason] = (rejected[reason] ?? 0) + n;
      messages.push(...outcome.messages);
      // Samples refused by the active-series limit are counted per sample, not per point.
      rejectedPoints += outcome.rejected['max_active_series'] ?? 0;
    } catch (err) {
      // Not written: the delta totals must not count this request, or its retry would count twice.
      conversion?.rollback();
      if (err instanceof IngestRefusedError) {
        const kind = err.status === 429 ? 'throttled' : err.status === 503 ? 'unavailable' : err.status === 413 ? 'too_large' : 'invalid';
        return this.refuse(kind, err.message, err.reason, err.retryAfterSeconds ?? (kind === 'throttled' ? 1 : undefined));
      }
      throw err;
    }

    for (const [reason, n] of Object.entries(rejected)) {
      if (n > 0 && reason !== 'max_active_series') this.metrics.rejectedSamples.inc({ tenant: tenant.tenant, protocol: OTLP_PROTOCOL, reason }, n);
    }
    if (rejectedPoints > 0) {
      this.logger.warn({ tenant: tenant.tenant, protocol: OTLP_PROTOCOL, transport: req.transport, rejected }, 'OTLP data points rejected');
    }
    const summary = Object.entries(rejected)
      .filter(([, n]) => n > 0)
      .map(([reason, n]) => `${n} ${reason}`)
      .join(', ');
    const parts: string[] = [];
    if (summary !== '') parts.push(`rejected: ${summary}; ${messages.join('; ')}`);
    if (decoded.warnings.length > 0) parts.push(`warnings: ${decoded.warnings.join('; ')}`);
    return { ok: true, rejectedDataPoints: rejectedPoints, errorMessage: parts.join(' | ') };
  }

  private decoderFor(limits: TenantLimits): OtlpDecoder {
    const key = `${limits.maxLabelsPerSeries}|${limits.maxLabelNameLength}|${limits.maxLabelValueLength}|${limits.maxRequestSize}`;
    let decoder = this.decoders.get(key);
    if (decoder === undefined) {
      const o = this.config.otlp;
      decoder = new OtlpDecoder({
        maxLabelsPerSeries: limits.maxLabelsPerSeries,
        maxLabelNameLength: limits.maxLabelNameLength,
        maxLabelValueLength: limits.maxLabelValueLength,
        maxDecompressedBytes: limits.maxRequestSize * 4,
        translation: {
          translationStrategy: o.translationStrategy,
          promoteResourceAttributes: o.promoteResourceAttributes,
          promoteAllResourceAttributes: o.promoteAllResourceAttributes,
          ignoreResourceAttributes: o.ignoreResourceAttributes,
          keepIdentifyingResourceAttributes: o.keepIdentifyingResourceAttributes,
          convertHistogramsToNhcb: o.convertHistogramsToNhcb,
          promoteScopeMetadata: o.promoteScopeMetadata,
          labelNameUnderscoreSanitization: o.labelNameUnderscoreSanitization,
          labelNamePreserveMultipleUnderscores: o.labelNamePreserveMultipleUnderscores,
        },
      });
      this.decoders.set(key, decoder);
    }
    return decoder;
  }

  private refuse(kind: Exclude<OtlpExportOutcome, { ok: true }>['kind'], message: string, reason: string, retryAfterSeconds?: number): OtlpExportOutcome {
    this.metrics.rejectedRequests.inc({ protocol: OTLP_PROTOCOL, reason });
    return retryAfterSeconds === undefined ? { ok: false, kind, message } : { ok: false, kind, message, retryAfterSeconds };
  }
}
