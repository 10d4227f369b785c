import type { FastifyInstance } from 'fastify';
import type { SelfMetrics } from '#pharos/telemetry';

/**
 * Protobuf and any other binary body as a Buffer: the receivers decide what they accept and
 * answer 415 themselves. JSON and HTML forms (the Prometheus API's POST endpoints, `match[]`
 * repeated) keep NestJS' own parsers, which must not be registered twice.
 */
export function registerBodyParsers(fastify: FastifyInstance, bodyLimit: number): void {
  fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, body));
}

/** Latency of every request by route template (not raw URL: bounded cardinality). */
export function registerHttpMetrics(fastify: FastifyInstance, metrics: SelfMetrics): void {
  fastify.addHook('onResponse', (req, reply, done) => {
    metrics.httpRequestDuration.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unmatched', code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });
}
