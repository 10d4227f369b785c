import type { FastifyReply } from 'fastify';

/** Prometheus HTTP API error types (web/api/v1/api.go). */
export type PrometheusErrorType = 'bad_data' | 'execution' | 'timeout' | 'canceled' | 'internal' | 'unavailable' | 'not_found';

const STATUS_OF: Record<PrometheusErrorType, number> = {
  bad_data: 400,
  execution: 422,
  timeout: 503,
  canceled: 499,
  internal: 500,
  unavailable: 503,
  not_found: 404,
};

export function sendPrometheusData(reply: FastifyReply, data: unknown, warnings?: readonly string[]): FastifyReply {
  const body: Record<string, unknown> = { status: 'success', data };
  if (warnings && warnings.length > 0) body.warnings = warnings;
  return reply.code(200).header('content-type', 'application/json').send(body);
}

export function sendPrometheusError(reply: FastifyReply, errorType: PrometheusErrorType, error: string, status?: number): FastifyReply {
  return reply
    .code(status ?? STATUS_OF[errorType])
    .header('content-type', 'application/json')
    .send({ status: 'error', errorType, error });
}
