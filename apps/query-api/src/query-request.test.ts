import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyReply } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDuration } from '#pharos/promql';
import { BadParameterError } from './prometheus-params.js';
import { clientDisconnectSignal, parseMaxSourceResolutionParam } from './query-request.js';

/** A real HTTP server whose handler holds the request open and reports its abort signal. */
function serverWithSignal(onSignal: (signal: AbortSignal, finish: () => void) => void): Promise<Server> {
  const server = createServer((_req, res) => {
    const { signal } = clientDisconnectSignal({ raw: res } as unknown as FastifyReply);
    onSignal(signal, () => res.end('done'));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('client disconnect signal', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it('aborts when the client goes away before the answer', async () => {
    let seen: AbortSignal | undefined;
    server = await serverWithSignal((signal) => (seen = signal));
    const port = (server.address() as AddressInfo).port;
    const req = request({ port, host: '127.0.0.1', path: '/' });
    req.on('error', () => undefined);
    req.end();
    while (!seen) await new Promise((r) => setTimeout(r, 5));
    expect(seen.aborted).toBe(false);
    req.destroy();
    const deadline = Date.now() + 2000;
    while (!seen.aborted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(seen.aborted).toBe(true);
  });

  it('does not abort once the answer was written', async () => {
    let seen: AbortSignal | undefined;
    server = await serverWithSignal((signal, finish) => {
      seen = signal;
      finish();
    });
    const port = (server.address() as AddressInfo).port;
    const body = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    expect(body).toBe('done');
    await new Promise((r) => setTimeout(r, 50));
    expect(seen!.aborted).toBe(false);
  });
});

describe('max_source_resolution', () => {
  const parse = (value: string | undefined, fallback?: number | 'auto') =>
    parseMaxSourceResolutionParam(value === undefined ? {} : { max_source_resolution: value }, parseDuration, fallback);

  it('takes Thanos’ values: raw, 0s, durations, float seconds, auto; absent gives the default', () => {
    expect(parse(undefined)).toBeUndefined();
    expect(parse(undefined, 'auto')).toBe('auto');
    expect(parse('', 300_000)).toBe(300_000);
    expect(parse('raw', 'auto')).toBe(0);
    expect(parse('0s')).toBe(0);
    expect(parse('5m')).toBe(300_000);
    expect(parse('1h')).toBe(3_600_000);
    expect(parse('300')).toBe(300_000);
    expect(parse('auto')).toBe('auto');
  });

  it('refuses what is not a duration, and negative ones, naming the parameter', () => {
    expect(() => parse('fast')).toThrow(new BadParameterError(`'max_source_resolution' parameter: cannot parse "fast" to a valid duration`));
    expect(() => parse('-300')).toThrow(/^negative 'max_source_resolution' is not accepted/);
  });
});
