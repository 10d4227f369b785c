import type { FastifyReply } from 'fastify';
import { ERROR_HTTP_STATUS, type PromQLErrorType } from '#pharos/promql';

/** Prometheus HTTP API error types (web/api/v1/api.go), as the PromQL engine reports them. */
export type PrometheusErrorType = PromQLErrorType;

/**
 * `{"status":"success","data":…}` with `warnings` and `infos` only when there are some, as
 * Prometheus omits them.
 */
export function sendPrometheusData(reply: FastifyReply, data: unknown, warnings?: readonly string[], infos?: readonly string[]): FastifyReply {
  const body: Record<string, unknown> = { status: 'success', data };
  if (warnings && warnings.length > 0) body.warnings = warnings;
  if (infos && infos.length > 0) body.infos = infos;
  return reply.code(200).header('content-type', 'application/json').send(body);
}

/** `{"status":"error","errorType":…,"error":…}` with the status code of the error type (or the one given). */
export function sendPrometheusError(reply: FastifyReply, errorType: PrometheusErrorType, error: string, status?: number): FastifyReply {
  return reply
    .code(status ?? ERROR_HTTP_STATUS[errorType])
    .header('content-type', 'application/json')
    .send({ status: 'error', errorType, error });
}
