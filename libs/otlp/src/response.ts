import { ProtoWriter } from '#pharos/protowire';
import type { OtlpFormat } from './decoder.js';

/**
 * Bodies of OTLP responses: `ExportMetricsServiceResponse` (with `partial_success` when
 * points were rejected) for success, and `google.rpc.Status` for errors, in the request's
 * encoding, as the OTLP/HTTP specification asks.
 */

/** An `ExportMetricsServiceResponse`; `partial_success` only when something was rejected or said. */
export function encodeExportResponse(format: OtlpFormat, rejectedDataPoints: number, errorMessage: string): Buffer {
  const partial = rejectedDataPoints > 0 || errorMessage !== '';
  if (format === 'json') {
    const body = partial ? { partialSuccess: { rejectedDataPoints: String(rejectedDataPoints), errorMessage } } : {};
    return Buffer.from(JSON.stringify(body));
  }
  const w = new ProtoWriter(256 + errorMessage.length * 3);
  if (partial) {
    const at = w.beginLd(1);
    if (rejectedDataPoints > 0) w.varintField(1, rejectedDataPoints);
    w.stringField(2, errorMessage);
    w.endLd(at);
  }
  return w.finish();
}

/** gRPC status codes used by OTLP (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
export const GRPC_INVALID_ARGUMENT = 3;
export const GRPC_RESOURCE_EXHAUSTED = 8;
export const GRPC_UNAVAILABLE = 14;
export const GRPC_UNAUTHENTICATED = 16;
export const GRPC_PERMISSION_DENIED = 7;
export const GRPC_INTERNAL = 13;
export const GRPC_UNIMPLEMENTED = 12;

const RETRY_INFO_TYPE = 'type.googleapis.com/google.rpc.RetryInfo';

/**
 * A `google.rpc.Status` (code, message and, when the sender should wait, a `RetryInfo`
 * detail with `retry_delay`): the error body of OTLP/HTTP and gRPC's
 * `grpc-status-details-bin` trailer, which OTLP exporters read to pace their retries.
 */
export function encodeRpcStatus(code: number, message: string, retryDelaySeconds?: number): Buffer {
  const w = new ProtoWriter(256 + message.length * 3);
  if (code !== 0) w.varintField(1, code);
  w.stringField(2, message);
  if (retryDelaySeconds !== undefined) {
    const any = w.beginLd(3);
    w.stringField(1, RETRY_INFO_TYPE);
    const value = w.beginLd(2);
    const delay = w.beginLd(1);
    w.varintField(1, Math.max(0, Math.floor(retryDelaySeconds)));
    w.endLd(delay);
    w.endLd(value);
    w.endLd(any);
  }
  return w.finish();
}

/** The same status in OTLP/JSON form. */
export function rpcStatusJson(code: number, message: string, retryDelaySeconds?: number): Buffer {
  const details = retryDelaySeconds === undefined ? [] : [{ '@type': RETRY_INFO_TYPE, retryDelay: `${Math.max(0, Math.floor(retryDelaySeconds))}s` }];
  return Buffer.from(JSON.stringify({ code, message, details }));
}

