import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type OtlpFormat, encodeExportResponse, encodeRpcStatus, rpcStatusJson } from '#pharos/otlp';
import type { OtlpExportOutcome, OtlpReceiver } from './otlp-receiver.js';

const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';

// google.rpc.Code values for the Status body of error responses.
const CODE_INVALID_ARGUMENT = 3;
const CODE_PERMISSION_DENIED = 7;
const CODE_RESOURCE_EXHAUSTED = 8;
const CODE_UNAVAILABLE = 14;
const CODE_UNAUTHENTICATED = 16;

/**
 * Registers OTLP/HTTP metrics (`POST <path>`) on a Fastify instance, in a plugin scope with
 * its own body parser so the receiver gets the raw bytes of every content type (the main
 * server's JSON parser would parse, and fail on gzip, before the receiver could). Answers as
 * the OTLP/HTTP specification says: 200 with `ExportMetricsServiceResponse` (and
 * `partial_success` when points were rejected) in the request's encoding; 400 for an
 * unreadable body; 415 for another content type or encoding; 429 and 503 with Retry-After
 * (the SDKs retry those); a `google.rpc.Status` body on errors.
 */
export function registerOtlpHttpRoute(fastify: FastifyInstance, receiver: OtlpReceiver, path: string, bodyLimit: number): void {
  void fastify.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, body));
    scope.post(path, async (req, reply) => handle(receiver, req, reply));
  });
}

async function handle(receiver: OtlpReceiver, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const type = mediaType(req.headers['content-type']);
  const format: OtlpFormat | undefined = type === PROTOBUF ? 'protobuf' : type === JSON_TYPE ? 'json' : undefined;
  if (format === undefined) {
    return void reply
      .code(415)
      .header('content-type', 'text/plain; charset=utf-8')
      .send(`unsupported content type ${JSON.stringify(req.headers['content-type'] ?? '')}; OTLP/HTTP takes ${PROTOBUF} or ${JSON_TYPE}\n`);
  }
  const encodingHeader = (single(req.headers['content-encoding']) ?? 'identity').trim().toLowerCase();
  if (encodingHeader !== 'gzip' && encodingHeader !== 'identity' && encodingHeader !== '') {
    return sendStatus(reply, format, 415, CODE_INVALID_ARGUMENT, `unsupported Content-Encoding ${JSON.stringify(encodingHeader)}; use gzip or none`);
  }
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const outcome = await receiver.export({ transport: 'http', headers: req.headers, body, format, encoding: encodingHeader === 'gzip' ? 'gzip' : 'identity' });
  if (outcome.ok) {
    return void reply.code(200).header('content-type', format === 'json' ? JSON_TYPE : PROTOBUF).send(encodeExportResponse(format, outcome.rejectedDataPoints, outcome.errorMessage));
  }
  const [status, code] = httpStatusOf(outcome);
  if (outcome.retryAfterSeconds !== undefined) reply.header('retry-after', String(outcome.retryAfterSeconds));
  return sendStatus(reply, format, status, code, outcome.message, outcome.retryAfterSeconds);
}

function httpStatusOf(outcome: Exclude<OtlpExportOutcome, { ok: true }>): [number, number] {
  switch (outcome.kind) {
    case 'invalid':
      return [400, CODE_INVALID_ARGUMENT];
    case 'too_large':
      return [413, CODE_INVALID_ARGUMENT];
    case 'throttled':
      return [429, CODE_RESOURCE_EXHAUSTED];
    case 'unavailable':
      return [503, CODE_UNAVAILABLE];
    case 'unauthenticated':
      return [401, CODE_UNAUTHENTICATED];
    case 'forbidden':
      return [403, CODE_PERMISSION_DENIED];
  }
}

function sendStatus(reply: FastifyReply, format: OtlpFormat, status: number, code: number, message: string, retryAfterSeconds?: number): void {
  void reply
    .code(status)
    .header('content-type', format === 'json' ? JSON_TYPE : PROTOBUF)
    .send(format === 'json' ? rpcStatusJson(code, message, retryAfterSeconds) : encodeRpcStatus(code, message, retryAfterSeconds));
}

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
