import { Writable } from 'node:stream';
import { pino, type Logger as PinoLogger } from 'pino';

/** The structured logger every component takes. Fields go in the first argument, the message in the second. */
export type Logger = PinoLogger;

export interface LoggerOptions {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly format: 'json' | 'text';
  /** Where lines go; stdout by default. */
  readonly destination?: NodeJS.WritableStream;
}

/**
 * JSON lines by default (for log shippers, Pharos' own Loki-compatible intake among them);
 * `text` renders the same records for a terminal without a second dependency.
 */
export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? process.stdout;
  const base = { service: 'pharos' };
  const settings = {
    level: options.level,
    base,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (options.format === 'json') return pino(settings, destination);
  return pino(settings, textRenderer(destination));
}

function textRenderer(out: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line === '') continue;
        const { time, level, msg, service: _service, ...fields } = JSON.parse(line) as Record<string, unknown>;
        const extra = Object.entries(fields)
          .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join(' ');
        out.write(`${String(time)} ${String(level).toUpperCase().padEnd(5)} ${String(msg ?? '')}${extra ? ' ' + extra : ''}\n`);
      }
      done();
    },
  });
}
