import type { LoggerService } from '@nestjs/common';
import type { Logger } from '#pharos/telemetry';

/** Routes NestJS' own log lines into the structured logger, so there is one log format. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    // Nest's route-mapping chatter is noise at info level.
    if (context === 'RouterExplorer' || context === 'RoutesResolver' || context === 'InstanceLoader') this.logger.debug({ context }, String(message));
    else this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
}
