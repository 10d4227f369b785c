/**
 * The intake protocols the bench can drive, and the batch each one sends by default.
 *
 * - remote-write: Prometheus remote write 1.0, snappy, 2,000 samples per body
 *   (Prometheus' `queue_config.max_samples_per_send`).
 * - otlp-grpc / otlp-http: OTLP metrics `ExportMetricsServiceRequest` in protobuf, gzip (the
 *   OpenTelemetry Collector's `otlp` and `otlphttp` exporters compress with gzip by
 *   default), 8,192 data points per request (the Collector batch processor's default
 *   `send_batch_size`).
 */
export const PROTOCOLS = ['remote-write', 'otlp-grpc', 'otlp-http'] as const;
export type IngestProtocol = (typeof PROTOCOLS)[number];

/** Data points per OTLP request: the Collector batch processor's `send_batch_size` default. */
export const OTLP_BATCH_POINTS = 8192;

export function isOtlp(p: IngestProtocol): p is 'otlp-grpc' | 'otlp-http' {
  return p !== 'remote-write';
}
