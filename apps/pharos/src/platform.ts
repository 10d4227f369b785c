import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  CONFIG,
  IDENTITY,
  LOGGER,
  METADATA_STORE,
  METRIC_STORE,
  PRINCIPAL_RESOLVER,
  READINESS,
  VISIBILITY_GATE,
  Readiness,
  RequestPrincipalResolver,
  SELF_METRICS,
  STREAM,
  TENANT_RESOLVER,
  createIdentityServices,
  registerAuthHook,
  type IdentityServices,
} from '#apps/common';
import { TENANT_SETTINGS, TenantSettingsApplier } from '#apps/identity-api';
import { BUILD_INFO } from '#apps/query-api';
import { VisibilityGate } from '#pharos/ingest';
import type { MetadataStore } from '#pharos/metadata';
import type { PharosConfig } from '#pharos/config';
import type { MetricStore } from '#pharos/storage';
import type { Stream } from '#pharos/stream';
import { createLogger, type Logger, SelfMetrics } from '#pharos/telemetry';
import { TenantResolver } from '#pharos/tenancy';
import { registerBodyParsers, registerHttpMetrics } from './http-setup.js';
import { bootstrapIdentity, openMetadataStore, openMetricStore, openStream } from './infrastructure.js';
import { ROLES, dependenciesOf, type RoleName } from './module-table.js';
import { NestPinoLogger } from './nest-logger.js';
import { OpsController } from './ops.controller.js';
import { startSelfMonitoring } from './self-monitoring.js';
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
  // Self-monitoring: on a shared stream every process writes its own metrics (ADR 0015).
  if (config.selfMonitoring.enabled && config.stream.url !== 'embedded') needs.add('stream');
  const stream: Stream | undefined = needs.has('stream') ? await openStream(config, logger, metrics) : undefined;
  let store: MetricStore | undefined;
  let metadata: MetadataStore | undefined;
  let identity: IdentityServices | undefined;
  try {
    store = needs.has('metric-store') ? await openMetricStore(config, logger, metrics) : undefined;
    // With auth on every door verifies credentials against the metadata store.
    if (needs.has('metadata-store') || config.auth.enabled) {
      metadata = await openMetadataStore(config, logger);
      identity = createIdentityServices(metadata, config.auth);
      if (config.auth.enabled) await bootstrapIdentity(config, identity, logger);
    }
  } catch (err) {
    await metadata?.close();
    await store?.close();
    await stream?.close();
    throw err;
  }
  const tenantResolver = new TenantResolver(config.auth.enabled, config.auth.keys, identity?.verifiers ?? {});
  const principalResolver = new RequestPrincipalResolver(tenantResolver, identity?.sessions);
  const tenantSettings = new TenantSettingsApplier(config, store);
  if (metadata) await applyStoredTenantSettings(metadata, tenantSettings, logger);
  const stopMetadataUpkeep = metadata && identity ? keepMetadataHealthy(metadata, identity, readiness, logger) : undefined;

  const providers: Provider[] = [
    { provide: CONFIG, useValue: config },
    { provide: LOGGER, useValue: logger },
    { provide: SELF_METRICS, useValue: metrics },
    { provide: READINESS, useValue: readiness },
    // Shared by the processor (reports) and the collector (refuses) when both run here.
    { provide: VISIBILITY_GATE, useValue: new VisibilityGate(config.collector.maxVisibilityDelayMs) },
    { provide: TENANT_RESOLVER, useValue: tenantResolver },
    { provide: PRINCIPAL_RESOLVER, useValue: principalResolver },
    { provide: TENANT_SETTINGS, useValue: tenantSettings },
    { provide: BUILD_INFO, useValue: { version: PHAROS_VERSION, startTimeMs: Date.now() } },
  ];
  if (stream) providers.push({ provide: STREAM, useValue: stream });
  if (store) providers.push({ provide: METRIC_STORE, useValue: store });
  if (metadata) providers.push({ provide: METADATA_STORE, useValue: metadata });
  if (identity) providers.push({ provide: IDENTITY, useValue: identity });
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
  registerAuthHook(app.getHttpAdapter().getInstance(), principalResolver, tenantResolver);

  const closeInfrastructure = async (): Promise<void> => {
    stopMetadataUpkeep?.();
    await identity?.apiKeyVerifier.flushUsage().catch((err: unknown) => logger.warn({ err }, 'cannot record API key usage'));
    await metadata?.close();
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
  const selfMonitor = await startSelfMonitoring({ config, roles, app, stream, metrics, logger, port });

  let closing: Promise<void> | undefined;
  return {
    app,
    url,
    logger,
    close: () => {
      closing ??= (async () => {
        logger.info('shutting down');
        await selfMonitor?.stop();
        await app.close();
        await closeInfrastructure();
        logger.info('stopped');
      })();
      return closing;
    },
  };
}

/** Stored run-time limits and retention apply from the start; a bad entry is logged, not fatal. */
async function applyStoredTenantSettings(metadata: MetadataStore, applier: TenantSettingsApplier, logger: Logger): Promise<void> {
  for (const settings of await metadata.tenantSettings.list()) {
    try {
      applier.apply(settings.tenantId, settings);
    } catch (err) {
      logger.error({ err, tenant: settings.tenantId }, 'stored tenant settings are invalid; the configured limits apply');
    }
  }
}

/**
 * Readiness includes the metadata store (a round trip every 10 s), and API key last-used
 * times are written in batches. Returns the stopper.
 */
function keepMetadataHealthy(metadata: MetadataStore, identity: IdentityServices, readiness: Readiness, logger: Logger): () => void {
  let healthy = true;
  readiness.require('metadata store', () => healthy);
  const log = logger.child({ component: 'metadata' });
  const timer = setInterval(() => {
    metadata.ping().then(
      () => {
        if (!healthy) log.info('metadata store reachable again');
        healthy = true;
      },
      (err: unknown) => {
        if (healthy) log.error({ err }, 'metadata store unreachable');
        healthy = false;
      },
    );
    identity.apiKeyVerifier.flushUsage().catch((err: unknown) => log.warn({ err }, 'cannot record API key usage'));
  }, 10_000);
  timer.unref();
  return () => clearInterval(timer);
}

@Global()
@Module({})
class InfrastructureModule {}

@Module({})
class PharosRootModule {}
