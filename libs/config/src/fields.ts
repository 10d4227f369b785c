import type { FieldSpec } from './schema.js';

/**
 * Every configuration key, by its dotted path in the YAML file. Order is the order of the
 * reference table. Per-tenant limit overrides (`limits.tenants.<id>.<key>`) reuse the
 * `limits.*` specs and are checked by the loader.
 */
export const CONFIG_FIELDS: Readonly<Record<string, FieldSpec>> = {
  data_dir: {
    kind: { type: 'string' },
    default: './data',
    doc: 'Directory for the stream segments, the metric store and all other state.',
    env: 'PHAROS_DATA_DIR',
    flag: 'data-dir',
  },
  'server.http_address': {
    kind: { type: 'string' },
    default: '0.0.0.0',
    doc: 'Address the HTTP server listens on.',
    env: 'PHAROS_HTTP_ADDRESS',
    flag: 'http-address',
  },
  'server.http_port': {
    kind: { type: 'int', min: 0, max: 65535 },
    default: 9900,
    doc: 'Port of every HTTP API (remote_write, Prometheus API, /metrics, health). 0 picks a free port.',
    env: 'PHAROS_HTTP_PORT',
    flag: 'http-port',
  },
  'server.shutdown_timeout': {
    kind: { type: 'duration' },
    default: 30_000,
    doc: 'How long SIGTERM waits for queues to drain before exiting.',
    env: 'PHAROS_SHUTDOWN_TIMEOUT',
  },
  'stream.url': {
    kind: { type: 'string', pattern: /^(embedded|kafka:\/\/[^\s]+)$/, patternDoc: '"embedded" or kafka://host:port[,host:port…]' },
    default: 'embedded',
    doc: 'The stream between collector and processor: `embedded` (on-disk log in data_dir) or a Kafka/Redpanda cluster.',
    env: 'PHAROS_STREAM',
    flag: 'stream',
  },
  'stream.partitions': {
    kind: { type: 'int', min: 1, max: 1024 },
    default: 4,
    doc: 'Partitions of the metrics topic (set when the topic is created).',
    env: 'PHAROS_STREAM_PARTITIONS',
  },
  'stream.fsync': {
    kind: { type: 'enum', values: ['group', 'interval', 'none'] },
    default: 'group',
    doc: 'Embedded stream durability: `group` fsyncs before acknowledging (group commit); `interval` acknowledges after the write and fsyncs every `fsync_interval` (power loss may lose that window); `none` leaves it to the OS.',
    env: 'PHAROS_STREAM_FSYNC',
  },
  'stream.fsync_interval': {
    kind: { type: 'duration' },
    default: 1000,
    doc: 'Longest time between fsyncs when `fsync: interval`.',
  },
  'stream.segment_size': {
    kind: { type: 'bytes' },
    default: 16 * 1024 ** 2,
    doc: 'Embedded stream segment file size. A segment is deleted once every consumer group has committed past it, so smaller segments free disk sooner.',
  },
  'stream.retention_size': {
    kind: { type: 'bytes' },
    default: 4 * 1024 ** 3,
    doc: 'Most bytes kept per partition; beyond it the oldest segments go even if a consumer group lags (reported in logs and `pharos_stream_retention_dropped_total`).',
  },
  'stream.retention_period': {
    kind: { type: 'duration' },
    default: 86_400_000,
    doc: 'Oldest segment age kept, with the same rule as `retention_size`.',
  },
  'stream.max_lag_size': {
    kind: { type: 'bytes' },
    default: 512 * 1024 ** 2,
    doc: 'When the processor lags by more than this, ingestion answers 503 with Retry-After (backpressure).',
  },
  'collector.decode_workers': {
    kind: { type: 'int', min: -1, max: 64 },
    default: -1,
    doc: 'Worker threads that decode and prepare ingest requests; -1 means one per core but one, 0 decodes on the main thread.',
    env: 'PHAROS_DECODE_WORKERS',
  },
  'processor.batch_max_samples': {
    kind: { type: 'int', min: 1 },
    default: 100_000,
    doc: 'Most samples the processor gathers into one store append.',
  },
  'processor.batch_max_wait': {
    kind: { type: 'duration' },
    default: 200,
    doc: 'Longest a sample waits in the processor before it is appended (and so readable).',
  },
  'processor.flush_interval': {
    kind: { type: 'duration' },
    default: 2000,
    doc: 'How often the store is made durable and stream offsets are committed.',
  },
  'storage.metrics.retention': {
    kind: { type: 'duration' },
    default: 15 * 86_400_000,
    doc: 'Default retention of metric samples (per tenant overrides under `limits.tenants`).',
    env: 'PHAROS_METRICS_RETENTION',
  },
  'storage.metrics.out_of_order_window': {
    kind: { type: 'duration' },
    default: 0,
    doc: 'How far in the past (from now) a sample may be; older ones are refused as `too_old`. 0 accepts anything within retention (as VictoriaMetrics does).',
  },
  'storage.metrics.future_tolerance': {
    kind: { type: 'duration' },
    default: 600_000,
    doc: 'Samples further than this in the future are refused.',
  },
  'limits.ingestion_rate': {
    kind: { type: 'int', min: 0 },
    default: 0,
    doc: 'Samples per second a tenant may send; 0 means unlimited (the single-user default). Breach: 429.',
  },
  'limits.ingestion_burst': {
    kind: { type: 'int', min: 0 },
    default: 0,
    doc: 'Burst allowance over `ingestion_rate`; 0 means one second of the rate.',
  },
  'limits.max_active_series': {
    kind: { type: 'int', min: 0 },
    default: 5_000_000,
    doc: 'Series a tenant may have active (seen in the last 20 minutes); new series beyond it are refused. 0 means unlimited.',
  },
  'limits.max_labels_per_series': {
    kind: { type: 'int', min: 1 },
    default: 30,
    doc: 'Labels (with `__name__`) per series (Mimir\'s default).',
  },
  'limits.max_label_name_length': {
    kind: { type: 'int', min: 1 },
    default: 1024,
    doc: 'Bytes in a label name.',
  },
  'limits.max_label_value_length': {
    kind: { type: 'int', min: 1 },
    default: 2048,
    doc: 'Bytes in a label value.',
  },
  'limits.max_request_size': {
    kind: { type: 'bytes' },
    default: 32 * 1024 ** 2,
    doc: 'Largest request body, compressed; larger bodies get 413. Decompressed bodies may be 4× this.',
  },
  'auth.enabled': {
    kind: { type: 'bool' },
    default: false,
    doc: 'When false every request runs as the tenant named by `X-Scope-OrgID` (`default` when absent). When true each request needs a key from `auth.keys`, and the tenant comes from the key.',
    env: 'PHAROS_AUTH_ENABLED',
    flag: 'auth',
  },
  'log.level': {
    kind: { type: 'enum', values: ['debug', 'info', 'warn', 'error'] },
    default: 'info',
    doc: 'Least severe log level written.',
    env: 'PHAROS_LOG_LEVEL',
    flag: 'log-level',
  },
  'log.format': {
    kind: { type: 'enum', values: ['json', 'text'] },
    default: 'json',
    doc: 'Structured JSON lines, or text for a terminal.',
    env: 'PHAROS_LOG_FORMAT',
  },
};

/** The `limits.*` keys a tenant may override under `limits.tenants.<id>`. */
export const TENANT_LIMIT_KEYS = Object.keys(CONFIG_FIELDS)
  .filter((k) => k.startsWith('limits.'))
  .map((k) => k.slice('limits.'.length));
