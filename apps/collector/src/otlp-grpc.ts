import { Metadata, Server, ServerCredentials, type ServiceError, status as GrpcStatus, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import { encodeExportResponse, encodeRpcStatus } from '#pharos/otlp';
import type { OtlpExportOutcome, OtlpReceiver } from './otlp-receiver.js';

/** The one RPC of OTLP/gRPC metrics (proto/opentelemetry/proto/collector/metrics/v1). */
export const METRICS_EXPORT_PATH = '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export';

const identity = (b: Buffer): Buffer => b;

/**
 * OTLP/gRPC metrics on `@grpc/grpc-js` directly (ADR 0007): the service is registered with
 * identity (de)serialisers, so the handler gets the request's raw protobuf bytes for the
 * hand-written walker instead of a generated object tree. grpc-js inflates gzip-compressed
 * messages itself. Status codes as the OTLP specification prescribes: INVALID_ARGUMENT (not
 * retryable) for bad data, RESOURCE_EXHAUSTED and UNAVAILABLE with a `RetryInfo` detail
 * (retryable) for limits and backpressure; partial success in the response message.
 */
export class OtlpGrpcServer {
  private readonly server: Server;
  private boundPort = 0;

  constructor(
    private readonly receiver: OtlpReceiver,
    maxMessageBytes: number,
  ) {
    this.server = new Server({
      'grpc.max_receive_message_length': maxMessageBytes,
      'grpc.max_send_message_length': 4 * 1024 * 1024,
    });
    this.server.addService(
      {
        Export: {
          path: METRICS_EXPORT_PATH,
          requestStream: false,
          responseStream: false,
          requestSerialize: identity,
          requestDeserialize: identity,
          responseSerialize: identity,
          responseDeserialize: identity,
        },
      },
      { Export: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => void this.export(call, callback) },
    );
  }

  get port(): number {
    return this.boundPort;
  }

  /** Binds and starts serving; resolves with the port (useful when asked for port 0). */
  listen(address: string, port: number): Promise<number> {
    const host = address.includes(':') ? `[${address}]` : address;
    return new Promise((resolve, reject) => {
      this.server.bindAsync(`${host}:${port}`, ServerCredentials.createInsecure(), (err, bound) => {
        if (err) return reject(err);
        this.boundPort = bound;
        resolve(bound);
      });
    });
  }

  /** Stops taking calls and waits for the ones in flight, up to `timeoutMs`. */
  close(timeoutMs = 5000): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, timeoutMs);
      timer.unref();
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private async export(call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>): Promise<void> {
    let outcome: OtlpExportOutcome;
    try {
      outcome = await this.receiver.export({ transport: 'grpc', headers: headersOf(call.metadata), body: call.request, format: 'protobuf', encoding: 'identity' });
    } catch (err) {
      callback(serviceError(GrpcStatus.INTERNAL, `internal error: ${(err as Error).message}`));
      return;
    }
    if (outcome.ok) {
      callback(null, encodeExportResponse('protobuf', outcome.rejectedDataPoints, outcome.errorMessage));
      return;
    }
    const code = grpcCodeOf(outcome);
    callback(serviceError(code, outcome.message, outcome.retryAfterSeconds));
  }
}

function grpcCodeOf(outcome: Exclude<OtlpExportOutcome, { ok: true }>): GrpcStatus {
  switch (outcome.kind) {
    case 'invalid':
    case 'too_large':
      return GrpcStatus.INVALID_ARGUMENT;
    case 'throttled':
      return GrpcStatus.RESOURCE_EXHAUSTED;
    case 'unavailable':
      return GrpcStatus.UNAVAILABLE;
    case 'unauthenticated':
      return GrpcStatus.UNAUTHENTICATED;
    case 'forbidden':
      return GrpcStatus.PERMISSION_DENIED;
  }
}

/** An error status; with a retry delay, a `google.rpc.Status` carrying `RetryInfo` goes in the trailers. */
function serviceError(code: GrpcStatus, message: string, retryAfterSeconds?: number): Partial<ServiceError> {
  const metadata = new Metadata();
  if (retryAfterSeconds !== undefined) metadata.set('grpc-status-details-bin', encodeRpcStatus(code, message, retryAfterSeconds));
  return { code, details: message, metadata };
}

/** gRPC metadata as the header map the tenant resolver reads (keys are lower-case already). */
function headersOf(metadata: Metadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, values] of Object.entries(metadata.getMap())) {
    if (typeof values === 'string') out[key] = values;
  }
  return out;
}
