import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { CONFIG, LOGGER, METRIC_STORE, READINESS, Readiness, SELF_METRICS, STREAM, TENANT_RESOLVER } from '#apps/common';
import { BUILD_INFO } from '#apps/query-api';
import type { PharosConfig } from '#pharos/config';
import type { MetricStore } from '#pharos/storage';
import type { Stream } from '#pharos/stream';
import { createLogger, type Logger, SelfMetrics } from '#pharos/telemetry';
import { TenantResolver } from '#pharos/tenancy';
import { registerBodyParsers, registerHttpMetrics } from './http-setup.js';
import { openMetricStore, openStream } from './infrastructure.js';
import { ROLES, dependenciesOf, type RoleName } from './module-table.js';
import { NestPinoLogger } from './nest-logger.js';
import { OpsController } from './ops.controller.js';
import { PHAROS_VERSION } from './version.js';

export interface RunningPlatform {
  readonly app: NestFastifyApplication;
  /** Base URL of the HTTP server, e.g. http://127.0.0.1:9900 */
  readonly url: string;
  readonly logger: Logger;
  /** Graceful stop: drains the processor, flushes and closes stores and the stream. */
  close(): Promise<void>;
}

/**
 * Builds the infrastructure the selected roles need (stream, stores), then one NestJS
 * application holding those roles' modules and the operational endpoints, on one HTTP port.
 */
export async function startPlatform(config: PharosConfig, roles: readonly RoleName[]): Promise<RunningPlatform> {
  const logger = createLogger(config.log);
  const metrics = new SelfMetrics(PHAROS_VERSION);
  const readiness = new Readiness();
  mkdirSync(config.dataDir, { recursive: true });
  logger.info({ version: PHAROS_VERSION, roles, dataDir: config.dataDir, stream: config.stream.url }, 'starting Pharos');

  const needs = dependenciesOf(roles);
  const stream: Stream | undefined = needs.has('stream') ? await openStream(config, logger, metrics) : undefined;
  let store: MetricStore | undefined;
  try {
    store = needs.has('metric-store') ? await openMetricStore(config, logger, metrics) : undefined;
  } catch (err) {
    await stream?.close();
    throw err;
  }

  const providers: Provider[] = [
    { provide: CONFIG, useValue: config },
    { provide: LOGGER, useValue: logger },
    { provide: SELF_METRICS, useValue: metrics },
    { provide: READINESS, useValue: readiness },
    { provide: TENANT_RESOLVER, useValue: new TenantResolver(config.auth.enabled, config.auth.keys) },
    { provide: BUILD_INFO, useValue: { version: PHAROS_VERSION, startTimeMs: Date.now() } },
  ];
  if (stream) providers.push({ provide: STREAM, useValue: stream });
  if (store) providers.push({ provide: METRIC_STORE, useValue: store });
  const infrastructure: DynamicModule = { module: InfrastructureModule, global: true, providers, exports: providers };
  const root: DynamicModule = {
    module: PharosRootModule,
    imports: [infrastructure, ...roles.map((r) => ROLES[r].module)],
    controllers: [OpsController],
  };

  const maxBody = Math.max(config.limits.defaults.maxRequestSize, ...Object.values(config.limits.tenants).map((l) => l.maxRequestSize));
  const app = await NestFactory.create<NestFastifyApplication>(root, new FastifyAdapter({ bodyLimit: maxBody }), {
    logger: new NestPinoLogger(logger.child({ component: 'nest' })),
  });
  registerBodyParsers(app.getHttpAdapter().getInstance(), maxBody);
  registerHttpMetrics(app.getHttpAdapter().getInstance(), metrics);

  const closeInfrastructure = async (): Promise<void> => {
    await store?.close();
    await stream?.close();
  };
  try {
    await app.listen(config.server.httpPort, config.server.httpAddress);
  } catch (err) {
    await app.close().catch(() => undefined);
    await closeInfrastructure();
    throw err;
  }
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.server.httpPort;
  const host = config.server.httpAddress === '0.0.0.0' ? '127.0.0.1' : config.server.httpAddress;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info({ url, roles }, 'Pharos is listening');

  let closing: Promise<void> | undefined;
  return {
    app,
    url,
    logger,
    close: () => {
      closing ??= (async () => {
        logger.info('shutting down');
        await app.close();
        await closeInfrastructure();
        logger.info('stopped');
      })();
      return closing;
    },
  };
}

@Global()
@Module({})
class InfrastructureModule {}

@Module({})
class PharosRootModule {}
