import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { LOGGER } from '#apps/common';
import type { Logger } from '#pharos/telemetry';
import { ConsoleAssets, defaultConsoleDir } from './console-assets.js';
import { registerConsoleRoutes } from './console-routes.js';

/**
 * The web console role: serves the built Angular app (`angular-ui/`) at `/`. It holds no
 * logic of its own; the app talks to the query API like any other client.
 */
@Module({})
export class ConsoleModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    const log = this.logger.child({ component: 'console' });
    let assets: ConsoleAssets | null = null;
    try {
      assets = ConsoleAssets.load(defaultConsoleDir());
    } catch (err) {
      // The APIs are useful without the UI: start anyway and say how to get it.
      log.warn({ err }, 'console not available');
    }
    registerConsoleRoutes(this.adapterHost.httpAdapter.getInstance<FastifyInstance>(), assets, log);
  }
}
