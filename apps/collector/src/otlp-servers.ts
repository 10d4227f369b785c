import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit, type Provider } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { Gauge } from 'prom-client';
import { CONFIG, LOGGER, SELF_METRICS, TENANT_RESOLVER } from '#apps/common';
import type { PharosConfig } from '#pharos/config';
import type { MetricIngestor } from '#pharos/ingest';
import type { Logger, SelfMetrics } from '#pharos/telemetry';
import type { TenantResolver } from '#pharos/tenancy';
import { METRIC_INGESTOR } from './collector.tokens.js';
import { OtlpGrpcServer } from './otlp-grpc.js';
import { registerOtlpHttpRoute } from './otlp-http.js';
import { OtlpReceiver } from './otlp-receiver.js';

export const OTLP_RECEIVER = Symbol('OtlpReceiver');

/** OTLP/HTTP path on the main port, as Prometheus serves it. */
export const OTLP_MAIN_PORT_PATH = '/otlp/v1/metrics';
/** OTLP/HTTP path on the dedicated port, as the OTLP specification names it. */
export const OTLP_HTTP_PATH = '/v1/metrics';

/**
 * Runs the OTLP listeners of the collector role: the `/otlp/v1/metrics` route on the main
 * HTTP server, OTLP/HTTP on `otlp.http_port` (4318) and OTLP/gRPC on `otlp.grpc_port` (4317).
 * A dedicated port that cannot be bound is logged as an error and reported by
 * `pharos_otlp_listener_up`, and the process keeps serving its other roles (ADR 0007).
 */
@Injectable()
export class OtlpServers implements OnModuleInit, OnApplicationShutdown {
  private http: FastifyInstance | undefined;
  private grpc: OtlpGrpcServer | undefined;
  private readonly up = { grpc: 0, http: 0 };

  constructor(
    @Inject(OTLP_RECEIVER) private readonly receiver: OtlpReceiver,
    @Inject(CONFIG) private readonly config: PharosConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(SELF_METRICS) private readonly metrics: SelfMetrics,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  async onModuleInit(): Promise<void> {
    const bodyLimit = Math.max(this.config.limits.defaults.maxRequestSize, ...Object.values(this.config.limits.tenants).map((l) => l.maxRequestSize));
    registerOtlpHttpRoute(this.adapterHost.httpAdapter.getInstance<FastifyInstance>(), this.receiver, OTLP_MAIN_PORT_PATH, bodyLimit);
    this.receiver.start();
    this.registerMetrics();
    const address = this.config.server.httpAddress;
    const log = this.logger.child({ component: 'otlp' });
    const { httpPort, grpcPort } = this.config.otlp;
    if (httpPort >= 0) {
      const http = Fastify({ bodyLimit });
      registerOtlpHttpRoute(http, this.receiver, OTLP_HTTP_PATH, bodyLimit);
      try {
        await http.listen({ host: address, port: httpPort });
        this.http = http;
        this.up.http = 1;
        log.info({ address, port: boundPort(http) }, 'OTLP/HTTP receiver listening');
      } catch (err) {
        await http.close().catch(() => undefined);
        log.error({ err, address, port: httpPort }, 'OTLP/HTTP port cannot be bound; OTLP/HTTP stays available on the main port at /otlp/v1/metrics');
      }
    }
    if (grpcPort >= 0) {
      const grpc = new OtlpGrpcServer(this.receiver, bodyLimit * 4);
      try {
        const port = await grpc.listen(address, grpcPort);
        this.grpc = grpc;
        this.up.grpc = 1;
        log.info({ address, port }, 'OTLP/gRPC receiver listening');
      } catch (err) {
        await grpc.close(0);
        log.error({ err, address, port: grpcPort }, 'OTLP/gRPC port cannot be bound; OTLP/gRPC is not served');
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.receiver.stop();
    await Promise.all([this.grpc?.close(), this.http?.close()]);
  }

  private registerMetrics(): void {
    const up = this.up;
    const receiver = this.receiver;
    new Gauge({
      name: 'pharos_otlp_listener_up',
      help: 'Whether the dedicated OTLP listener of a transport is serving (1) or could not be bound or is off (0).',
      labelNames: ['transport'],
      registers: [this.metrics.registry],
      collect() {
        this.set({ transport: 'grpc' }, up.grpc);
        this.set({ transport: 'http' }, up.http);
      },
    });
    new Gauge({
      name: 'pharos_otlp_delta_series',
      help: 'Series whose delta-temporality running totals the collector holds (delta to cumulative).',
      registers: [this.metrics.registry],
      collect() {
        this.set(receiver.deltaSeries);
      },
    });
  }
}

function boundPort(http: FastifyInstance): number {
  const a = http.server.address();
  return typeof a === 'object' && a ? a.port : 0;
}

/** What the collector module adds for OTLP. */
export const OTLP_PROVIDERS: Provider[] = [
  {
    provide: OTLP_RECEIVER,
    inject: [METRIC_INGESTOR, TENANT_RESOLVER, CONFIG, SELF_METRICS, LOGGER],
    useFactory: (ingestor: MetricIngestor, tenants: TenantResolver, config: PharosConfig, metrics: SelfMetrics, logger: Logger) =>
      new OtlpReceiver(ingestor, tenants, config, metrics, logger.child({ component: 'otlp' })),
  },
  OtlpServers,
];
