/**
 * How a load-generator sender delivers one pre-built body, per protocol, and how it reads the
 * answer: accepted (with the data points a partial success rejected), worth retrying (429,
 * 5xx, gRPC RESOURCE_EXHAUSTED/UNAVAILABLE, network errors) or refused for good.
 *
 * One transport per sender: a keep-alive HTTP agent (remote write, OTLP/HTTP) or one
 * `@grpc/grpc-js` channel (OTLP/gRPC: one HTTP/2 connection, calls multiplexed on it, as the
 * Collector's `otlp` exporter holds one connection per endpoint).
 */
import http from 'node:http';
import { Client, credentials, Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { rejectedDataPoints } from './otlp-bodies.js';
import type { IngestProtocol } from './protocols.js';

export type SendOutcome =
  | { readonly kind: 'accepted'; readonly rejected: number }
  | { readonly kind: 'retry'; readonly afterMs?: number }
  | { readonly kind: 'refused'; readonly status: string; readonly text: string };

export interface Transport {
  send(body: Buffer): Promise<SendOutcome>;
  close(): void;
}

export const OTLP_GRPC_EXPORT_PATH = '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export';
const REQUEST_TIMEOUT_MS = 30_000;
const MAX_MESSAGE_BYTES = 64 * 2 ** 20;
/** grpc-js' `compressionAlgorithms.gzip`. */
const GRPC_GZIP = 2;
const USER_AGENT = 'pharos-ingest-bench/1';

export function createTransport(protocol: IngestProtocol, url: string, inflight: number): Transport {
  switch (protocol) {
    case 'remote-write':
      return new HttpTransport(new URL(url), inflight, {
        'Content-Type': 'application/x-protobuf',
        'Content-Encoding': 'snappy',
        'X-Prometheus-Remote-Write-Version': '0.1.0',
      });
    case 'otlp-http':
      return new HttpTransport(new URL(url), inflight, { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'gzip' }, rejectedDataPoints);
    case 'otlp-grpc':
      return new GrpcTransport(url);
  }
}

/** A POST per body on a keep-alive agent of `inflight` sockets. */
class HttpTransport implements Transport {
  private readonly agent: http.Agent;

  constructor(
    private readonly url: URL,
    inflight: number,
    private readonly headers: Readonly<Record<string, string>>,
    /** Reads rejected points from a 2xx body; remote write 1.0 has no partial success. */
    private readonly rejectedIn?: (body: Buffer) => number,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: inflight });
  }

  send(body: Buffer): Promise<SendOutcome> {
    return new Promise((resolve) => {
      const req = http.request(
        {
          host: this.url.hostname,
          port: this.url.port,
          path: this.url.pathname,
          method: 'POST',
          agent: this.agent,
          headers: { ...this.headers, 'Content-Length': body.length, 'User-Agent': USER_AGENT },
        },
        (res) => {
          const status = res.statusCode ?? 0;
          const ok = status >= 200 && status < 300;
          if (ok && this.rejectedIn === undefined) {
            res.resume();
            res.on('end', () => resolve({ kind: 'accepted', rejected: 0 }));
            return;
          }
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', () => resolve({ kind: 'retry' }));
          res.on('end', () => {
            const text = Buffer.concat(chunks);
            if (ok) return resolve({ kind: 'accepted', rejected: this.rejectedIn!(text) });
            if (status === 429 || status >= 500) {
              const after = Number(res.headers['retry-after']);
              return resolve(Number.isFinite(after) && after > 0 ? { kind: 'retry', afterMs: after * 1000 } : { kind: 'retry' });
            }
            resolve({ kind: 'refused', status: `HTTP ${status}`, text: text.toString('utf8').slice(0, 300) });
          });
        },
      );
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('request timed out')));
      req.on('error', () => resolve({ kind: 'retry' }));
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

const identity = (b: Buffer): Buffer => b;

/**
 * Unary `MetricsService/Export` calls on one grpc-js channel. Bodies are the uncompressed
 * protobuf: grpc-js compresses each message with gzip itself (per-message compression, as
 * the Collector's exporter does), so that cost is the loader's, measured in its CPU column.
 */
class GrpcTransport implements Transport {
  private readonly client: Client;

  constructor(url: string) {
    const target = url.replace(/^grpc:\/\//, '');
    this.client = new Client(target, credentials.createInsecure(), {
      'grpc.default_compression_algorithm': GRPC_GZIP,
      'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
      'grpc.primary_user_agent': USER_AGENT,
    });
  }

  send(body: Buffer): Promise<SendOutcome> {
    return new Promise((resolve) => {
      this.client.makeUnaryRequest(
        OTLP_GRPC_EXPORT_PATH,
        identity,
        identity,
        body,
        new Metadata(),
        { deadline: Date.now() + REQUEST_TIMEOUT_MS },
        (err: ServiceError | null, response?: Buffer) => {
          if (err === null) return resolve({ kind: 'accepted', rejected: response === undefined ? 0 : rejectedDataPoints(response) });
          // The OTLP specification's retryable codes (UNAVAILABLE and RESOURCE_EXHAUSTED with
          // RetryInfo, which Pharos always sends with them), plus transport-level failures.
          if (err.code === GrpcStatus.UNAVAILABLE || err.code === GrpcStatus.RESOURCE_EXHAUSTED || err.code === GrpcStatus.DEADLINE_EXCEEDED) {
            return resolve({ kind: 'retry' });
          }
          resolve({ kind: 'refused', status: `gRPC ${GrpcStatus[err.code] ?? err.code}`, text: err.details.slice(0, 300) });
        },
      );
    });
  }

  close(): void {
    this.client.close();
  }
}
