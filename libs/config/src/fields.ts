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
    default: 1024 ** 3,
    doc: 'When the processor lags by more than this (records not yet committed, i.e. not yet durable in the store), ingestion answers 503 with Retry-After (backpressure). Offsets are committed after each store flush, so under full load this lag holds up to two flushes of records (~1 GiB would be ~40 s of writes at 700 k samples/s).',
  },
  'collector.max_visibility_delay': {
    kind: { type: 'duration' },
    default: 700,
    doc: 'When samples acknowledged by this process become readable later than this (the processor behind, in the same process), new writes are held until it catches up (503 with Retry-After after 2 s held), so that acknowledged samples stay readable within 2 s: the store\'s own pauses come on top of it. 0 turns it off.',
  },
  'collector.decode_workers': {
    kind: { type: 'int', min: -1, max: 64 },
    default: -1,
    doc: 'Worker threads that decode and prepare ingest requests; -1 means one per core but one, 0 decodes on the main thread.',
    env: 'PHAROS_DECODE_WORKERS',
  },
  'otlp.grpc_port': {
    kind: { type: 'int', min: -1, max: 65535 },
    default: 4317,
    doc: 'Port of the OTLP/gRPC receiver (`MetricsService/Export`), on `server.http_address`; 0 picks a free port, -1 turns it off. A port in use is logged as an error and the other roles keep running.',
    env: 'PHAROS_OTLP_GRPC_PORT',
  },
  'otlp.http_port': {
    kind: { type: 'int', min: -1, max: 65535 },
    default: 4318,
    doc: 'Port of the OTLP/HTTP receiver (`POST /v1/metrics`), on `server.http_address`; 0 picks a free port, -1 turns it off. OTLP/HTTP is also served on the main port at `/otlp/v1/metrics`.',
    env: 'PHAROS_OTLP_HTTP_PORT',
  },
  'otlp.translation_strategy': {
    kind: { type: 'enum', values: ['UnderscoreEscapingWithSuffixes', 'UnderscoreEscapingWithoutSuffixes', 'NoUTF8EscapingWithSuffixes', 'NoTranslation'] },
    default: 'UnderscoreEscapingWithSuffixes',
    doc: 'How OTLP metric and attribute names become Prometheus names (Prometheus `otlp.translation_strategy`): escaped to `[a-zA-Z0-9_:]` or kept as UTF-8, with or without unit and `_total`/`_ratio` suffixes.',
  },
  'otlp.promote_resource_attributes': {
    kind: { type: 'list', of: 'string' },
    default: [],
    doc: 'Resource attributes copied as labels onto every series of the resource (they are on `target_info` either way).',
  },
  'otlp.promote_all_resource_attributes': {
    kind: { type: 'bool' },
    default: false,
    doc: 'Promote every resource attribute except `otlp.ignore_resource_attributes` (not together with `promote_resource_attributes`).',
  },
  'otlp.ignore_resource_attributes': {
    kind: { type: 'list', of: 'string' },
    default: [],
    doc: 'Resource attributes not promoted when `promote_all_resource_attributes` is on.',
  },
  'otlp.keep_identifying_resource_attributes': {
    kind: { type: 'bool' },
    default: false,
    doc: 'Also keep `service.name`, `service.namespace` and `service.instance.id` as labels of `target_info` (they always become `job` and `instance`).',
  },
  'otlp.convert_histograms_to_nhcb': {
    kind: { type: 'bool' },
    default: false,
    doc: 'Store OTLP explicit-bucket histograms as native histograms with custom buckets instead of classic `_bucket`/`_sum`/`_count` series.',
  },
  'otlp.promote_scope_metadata': {
    kind: { type: 'bool' },
    default: false,
    doc: 'Add the instrumentation scope as labels: `otel_scope_name`, `otel_scope_version`, `otel_scope_schema_url`, `otel_scope_<attribute>`.',
  },
  'otlp.label_name_underscore_sanitization': {
    kind: { type: 'bool' },
    default: true,
    doc: 'With escaped names, prefix `key` to label names that start with a single `_` (Prometheus default).',
  },
  'otlp.label_name_preserve_multiple_underscores': {
    kind: { type: 'bool' },
    default: true,
    doc: 'With escaped names, keep runs of `_` in label names instead of collapsing them (Prometheus default).',
  },
  'otlp.delta_max_series': {
    kind: { type: 'int', min: 1 },
    default: 500_000,
    doc: 'Series whose delta-temporality running totals the collector keeps (delta → cumulative); deltas of new series beyond it are refused. With several collectors, a series\' deltas must reach the same one.',
  },
  'otlp.delta_max_stale': {
    kind: { type: 'duration' },
    default: 300_000,
    doc: 'A delta series idle this long is forgotten; its next delta starts a new cumulative run.',
  },
  'scrape.interval': {
    kind: { type: 'duration' },
    default: 60_000,
    doc: 'Default `scrape_interval` of the jobs under `scrape_configs` (Prometheus\' `global.scrape_interval`).',
  },
  'scrape.timeout': {
    kind: { type: 'duration' },
    default: 10_000,
    doc: 'Default `scrape_timeout` of the jobs (Prometheus\' `global.scrape_timeout`); a job\'s interval caps it. `scrape_configs:` itself is a top-level list in `prometheus.yml` form, with a `tenant` per job.',
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
  'storage.metrics.thread': {
    kind: { type: 'bool' },
    default: true,
    doc: 'Run the metric store, and the decoding of stream records into appends, on a thread of its own (ADR 0018), so that ingest and queries use a second core.',
    env: 'PHAROS_METRICS_STORE_THREAD',
  },
  'storage.metrics.memory_limit': {
    kind: { type: 'bytes' },
    default: 0,
    doc: "Memory the embedded DuckDB metric store may use for its buffers (its `memory_limit`); 0 leaves DuckDB's default, 80 % of the machine's RAM.",
    env: 'PHAROS_METRICS_MEMORY_LIMIT',
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
  'limits.query_max_samples': {
    kind: { type: 'int', min: 1 },
    default: 50_000_000,
    doc: 'Most samples a query may hold in memory at once (Prometheus `--query.max-samples`); a breach fails the query with 422 `execution`.',
  },
  'limits.query_timeout': {
    kind: { type: 'duration' },
    default: 120_000,
    doc: 'Longest a query may run (Prometheus `--query.timeout`); a request\'s `timeout` parameter can only shorten it. A breach fails with 503 `timeout`.',
  },
  'limits.query_max_series': {
    kind: { type: 'int', min: 0 },
    default: 0,
    doc: 'Most series one selector of a query may fetch; 0 means unlimited.',
  },
  'limits.query_max_range': {
    kind: { type: 'duration' },
    default: 0,
    doc: 'Longest `end - start` of a range query and longest selector range; 0 means unlimited.',
  },
  'query.lookback_delta': {
    kind: { type: 'duration' },
    default: 300_000,
    doc: 'How far back an instant selector looks for the latest sample (Prometheus `--query.lookback-delta`); a request\'s `lookback_delta` overrides it.',
    env: 'PHAROS_QUERY_LOOKBACK_DELTA',
  },
  'query.default_evaluation_interval': {
    kind: { type: 'duration' },
    default: 60_000,
    doc: 'Step of a subquery written without one (`x[1h:]`), as Prometheus\' global `evaluation_interval`.',
  },
  'query.max_source_resolution': {
    kind: { type: 'resolution' },
    default: 0,
    doc: 'Rollup resolution a range query reads when its request has no `max_source_resolution` (Thanos\' parameter; its `--query.auto-downsampling` is `auto`); instant queries read raw samples unless they ask. `0s`/`raw` reads raw samples (exact), a duration the coarsest maintained rollup (5m, 1h) not above it, `auto` a fifth of the step. Rollup answers follow Thanos\' semantics, an approximation: see docs/promql-compatibility.md and ADR 0017.',
    env: 'PHAROS_QUERY_MAX_SOURCE_RESOLUTION',
  },
  'query.slow_query_threshold': {
    kind: { type: 'duration' },
    default: 5_000,
    doc: 'Queries that take longer are logged (warn) with their text, range, tenant and statistics; 0 logs none.',
  },
  // GraphQL gateway (issue 6 §2; apps/query-api/src/graphql, docs/graphql/README.md).
  'graphql.max_depth': {
    kind: { type: 'int', min: 1, max: 64 },
    default: 8,
    doc: 'Deepest selection set a GraphQL operation may have (fragments expanded; introspection exempt); deeper ones fail with `QUERY_TOO_DEEP` before anything runs.',
  },
  'graphql.max_cost': {
    kind: { type: 'int', min: 1 },
    default: 2_000,
    doc: 'Highest cost of a GraphQL operation (1 per field, metric-query fields more: `rangeQuery` 50; see docs/graphql/README.md); costlier ones fail with `QUERY_TOO_COMPLEX` before anything runs.',
  },
  'graphql.tenant_concurrency': {
    kind: { type: 'int', min: 1, max: 1024 },
    default: 8,
    doc: 'Metric queries of one tenant the GraphQL gateway evaluates at once, across all requests and live subscriptions; the others wait their turn.',
  },
  'graphql.subscriptions_per_connection': {
    kind: { type: 'int', min: 1, max: 10_000 },
    default: 32,
    doc: 'Live subscriptions one WebSocket connection may hold; one more fails with `SUBSCRIPTION_LIMIT`.',
  },
  'graphql.min_refresh': {
    kind: { type: 'duration' },
    default: 1_000,
    doc: 'Shortest `refreshMs` a live subscription may ask for (at least 100ms).',
  },
  'graphql.max_refresh': {
    kind: { type: 'duration' },
    default: 3_600_000,
    doc: 'Longest `refreshMs` a live subscription may ask for; not less than `min_refresh`.',
  },
  'auth.enabled': {
    kind: { type: 'bool' },
    default: false,
    doc: 'When false every request runs as the tenant named by `X-Scope-OrgID` (`default` when absent). When true every API (remote_write, OTLP, InfluxDB writes, queries, the management API) needs a login session or an API key (created in the console or API, or listed under `auth.keys`), and the tenant comes from it; the first start creates an `admin` user (see `auth.initial_admin_password`).',
    env: 'PHAROS_AUTH_ENABLED',
    flag: 'auth',
  },
  // Metadata store and identity (issue 6 §1; libs/metadata, libs/identity; ADR 0008).
  'metadata.url': {
    kind: { type: 'string', pattern: /^$|^sqlite:|^postgres(ql)?:\/\//, patternDoc: 'empty, sqlite://<path> or postgres://user:password@host:port/database' },
    default: '',
    doc: 'Where users, tenants, API keys, sessions and dashboards live: SQLite (`sqlite://./data/metadata.db`; empty means `<data_dir>/metadata.db`) or PostgreSQL (`postgres://user:password@host:5432/pharos`) for several Pharos processes. Migrations run at start-up.',
    env: 'PHAROS_METADATA_URL',
    flag: 'metadata-url',
  },
  'metadata.pool_size': {
    kind: { type: 'int', min: 1, max: 200 },
    default: 10,
    doc: 'PostgreSQL connections per process.',
  },
  'auth.session_max_lifetime': {
    kind: { type: 'duration' },
    default: 30 * 86_400_000,
    doc: 'A login session ends this long after the login, used or not.',
  },
  'auth.session_idle_timeout': {
    kind: { type: 'duration' },
    default: 7 * 86_400_000,
    doc: 'A login session unused for this long ends.',
  },
  'auth.login_max_failures': {
    kind: { type: 'int', min: 1 },
    default: 5,
    doc: 'Failed logins for one login from one client address within `login_failure_window`; further attempts wait for the window to end (answered 429).',
  },
  'auth.login_failure_window': {
    kind: { type: 'duration' },
    default: 300_000,
    doc: 'Window of `login_max_failures`.',
  },
  'auth.lockout_threshold': {
    kind: { type: 'int', min: 1 },
    default: 10,
    doc: 'Consecutive failed logins, from any address, that lock the account for `lockout_duration`.',
  },
  'auth.lockout_duration': {
    kind: { type: 'duration' },
    default: 900_000,
    doc: 'How long a locked account refuses logins.',
  },
  'auth.password_min_length': {
    kind: { type: 'int', min: 8, max: 128 },
    default: 12,
    doc: 'Shortest password accepted for new and changed passwords.',
  },
  'auth.api_key_cache_ttl': {
    kind: { type: 'duration' },
    default: 10_000,
    doc: 'How long a verified API key is trusted without a database lookup; a revocation made by another process takes effect within this time.',
  },
  'auth.api_key_max_lifetime': {
    kind: { type: 'duration' },
    default: 0,
    doc: 'Longest lifetime of a new API key; 0 allows keys without expiry.',
  },
  'auth.initial_admin_login': {
    kind: { type: 'string', pattern: /^[a-z0-9][a-z0-9_.@+-]{0,99}$/, patternDoc: 'a lower-case login' },
    default: 'admin',
    doc: 'Login of the server admin created on first start (when no user exists).',
  },
  'auth.initial_admin_password': {
    kind: { type: 'string' },
    default: '',
    doc: 'Password of that first admin; empty generates one and prints it once. Either way it must be changed at the first login. Prefer the environment variable to the file.',
    env: 'PHAROS_ADMIN_PASSWORD',
  },
  // Self-monitoring and dashboard provisioning (issue 6; libs/self-monitoring, libs/dashboard-provisioning; ADR 0015).
  'self_monitoring.enabled': {
    kind: { type: 'bool' },
    default: true,
    doc: 'Store Pharos\' own metrics (what `/metrics` shows) in `self_monitoring.tenant` through the normal write path, labelled `job="pharos"`, `instance`, and `role` when a process runs some roles; the built-in "Pharos overview" dashboard is provisioned there. See docs/dashboards.md.',
    env: 'PHAROS_SELF_MONITORING',
  },
  'self_monitoring.tenant': {
    kind: { type: 'string', pattern: /^[a-zA-Z0-9_.-]{1,150}$/, patternDoc: 'a tenant id (letters, digits, _ . -)' },
    default: 'default',
    doc: 'Tenant that holds Pharos\' own metrics and the "Pharos overview" dashboard.',
    env: 'PHAROS_SELF_MONITORING_TENANT',
  },
  'self_monitoring.interval': {
    kind: { type: 'duration' },
    default: 15_000,
    doc: 'How often each process writes its own metrics (at least 1s).',
  },
  'dashboards.provisioning.path': {
    kind: { type: 'string' },
    default: '',
    doc: 'Folder of dashboard files (`*.json`: the Pharos export form or Grafana dashboard JSON) kept in the metadata store by the query-api role, as Grafana\'s file provisioning; empty turns it off. See docs/dashboards.md.',
    env: 'PHAROS_DASHBOARDS_PROVISIONING_PATH',
  },
  'dashboards.provisioning.interval': {
    kind: { type: 'duration' },
    default: 30_000,
    doc: 'How often the folder is read again so that changed files update their dashboards; 0 reads it only at start.',
  },
  'dashboards.provisioning.allow_removal': {
    kind: { type: 'bool' },
    default: false,
    doc: 'Delete a provisioned dashboard when its file goes away (Grafana\'s `disableDeletion: false`); when false it stays.',
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
