import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { ApiKeyConfig, PharosConfig, TenantLimits } from './config.js';
import { CONFIG_FIELDS, TENANT_LIMIT_KEYS } from './fields.js';
import { parseValue } from './schema.js';

/** A configuration problem: which key, what was expected, what was found. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

export interface ConfigSources {
  /** Path of the YAML file; absent means defaults only. */
  readonly file?: string;
  /** Raw YAML text (tests); used instead of reading `file`. */
  readonly yamlText?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Flag name (without `--`) → raw value. */
  readonly flags?: Readonly<Record<string, string | boolean | undefined>>;
}

const TENANT_ID = /^[a-zA-Z0-9_.-]{1,150}$/;
const TENANT_OVERRIDE_KEYS = [...TENANT_LIMIT_KEYS, 'retention'];

/**
 * Loads configuration: defaults, then the YAML file, then environment, then flags. Every
 * problem is collected and reported at once, each naming its key and the expected form.
 */
export function loadConfig(sources: ConfigSources = {}): PharosConfig {
  const problems: string[] = [];
  const where = sources.file ?? 'config';
  const doc = readDocument(sources, problems);
  const values = new Map<string, unknown>();

  for (const [path, spec] of Object.entries(CONFIG_FIELDS)) {
    values.set(path, spec.default);
    const fromFile = getPath(doc, path);
    if (fromFile !== undefined) setParsed(values, path, fromFile, `${where}: ${path}`, problems);
    const fromEnv = spec.env ? sources.env?.[spec.env] : undefined;
    if (fromEnv !== undefined && fromEnv !== '') setParsed(values, path, fromEnv, `environment ${spec.env}`, problems);
    const fromFlag = spec.flag ? sources.flags?.[spec.flag] : undefined;
    if (fromFlag !== undefined) setParsed(values, path, fromFlag, `flag --${spec.flag}`, problems);
  }
  checkUnknownKeys(doc, '', problems, where);

  const get = <T>(path: string): T => values.get(path) as T;
  const defaults: TenantLimits = {
    ingestionRate: get('limits.ingestion_rate'),
    ingestionBurst: get('limits.ingestion_burst'),
    maxActiveSeries: get('limits.max_active_series'),
    maxLabelsPerSeries: get('limits.max_labels_per_series'),
    maxLabelNameLength: get('limits.max_label_name_length'),
    maxLabelValueLength: get('limits.max_label_value_length'),
    maxRequestSize: get('limits.max_request_size'),
    retentionMs: get('storage.metrics.retention'),
    queryMaxSamples: get('limits.query_max_samples'),
    queryTimeout: get('limits.query_timeout'),
    queryMaxSeries: get('limits.query_max_series'),
    queryMaxRange: get('limits.query_max_range'),
  };
  const tenants = readTenantLimits(getPath(doc, 'limits.tenants'), defaults, where, problems);
  const keys = readApiKeys(getPath(doc, 'auth.keys'), where, problems);
  if (get<number>('scrape.timeout') > get<number>('scrape.interval')) {
    problems.push(`${where}: scrape.timeout: global scrape timeout greater than scrape interval`);
  }
  checkGraphqlRefresh(get<number>('graphql.min_refresh'), get<number>('graphql.max_refresh'), where, problems);
  if (get<number>('self_monitoring.interval') < 1000) {
    problems.push(`${where}: self_monitoring.interval: expected at least 1s, got ${get<number>('self_monitoring.interval')}ms`);
  }
  const scrapeConfigs = doc['scrape_configs'];
  if (scrapeConfigs !== undefined && scrapeConfigs !== null && !Array.isArray(scrapeConfigs)) {
    problems.push(`${where}: scrape_configs: expected a list of scrape jobs`);
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    dataDir: get('data_dir'),
    server: {
      httpAddress: get('server.http_address'),
      httpPort: get('server.http_port'),
      shutdownTimeoutMs: get('server.shutdown_timeout'),
    },
    stream: {
      url: get('stream.url'),
      partitions: get('stream.partitions'),
      fsync: get('stream.fsync'),
      fsyncIntervalMs: get('stream.fsync_interval'),
      segmentBytes: get('stream.segment_size'),
      retentionBytes: get('stream.retention_size'),
      retentionMs: get('stream.retention_period'),
      maxLagBytes: get('stream.max_lag_size'),
    },
    collector: { decodeWorkers: get('collector.decode_workers'), maxVisibilityDelayMs: get('collector.max_visibility_delay') },
    otlp: {
      grpcPort: get('otlp.grpc_port'),
      httpPort: get('otlp.http_port'),
      translationStrategy: get('otlp.translation_strategy'),
      promoteResourceAttributes: get('otlp.promote_resource_attributes'),
      promoteAllResourceAttributes: get('otlp.promote_all_resource_attributes'),
      ignoreResourceAttributes: get('otlp.ignore_resource_attributes'),
      keepIdentifyingResourceAttributes: get('otlp.keep_identifying_resource_attributes'),
      convertHistogramsToNhcb: get('otlp.convert_histograms_to_nhcb'),
      promoteScopeMetadata: get('otlp.promote_scope_metadata'),
      labelNameUnderscoreSanitization: get('otlp.label_name_underscore_sanitization'),
      labelNamePreserveMultipleUnderscores: get('otlp.label_name_preserve_multiple_underscores'),
      deltaMaxSeries: get('otlp.delta_max_series'),
      deltaMaxStaleMs: get('otlp.delta_max_stale'),
    },
    scrape: { intervalMs: get('scrape.interval'), timeoutMs: get('scrape.timeout'), configs: scrapeConfigs ?? undefined },
    configFile: sources.file,
    processor: {
      batchMaxSamples: get('processor.batch_max_samples'),
      batchMaxWaitMs: get('processor.batch_max_wait'),
      flushIntervalMs: get('processor.flush_interval'),
    },
    storage: {
      metrics: {
        retentionMs: get('storage.metrics.retention'),
        outOfOrderWindowMs: get('storage.metrics.out_of_order_window'),
        futureToleranceMs: get('storage.metrics.future_tolerance'),
        thread: get('storage.metrics.thread'),
        memoryLimitBytes: get('storage.metrics.memory_limit'),
      },
    },
    query: {
      lookbackDeltaMs: get('query.lookback_delta'),
      defaultEvaluationIntervalMs: get('query.default_evaluation_interval'),
      slowQueryThresholdMs: get('query.slow_query_threshold'),
      maxSourceResolution: get('query.max_source_resolution'),
    },
    limits: { defaults, tenants },
    graphql: {
      maxDepth: get('graphql.max_depth'),
      maxCost: get('graphql.max_cost'),
      tenantConcurrency: get('graphql.tenant_concurrency'),
      subscriptionsPerConnection: get('graphql.subscriptions_per_connection'),
      minRefreshMs: get('graphql.min_refresh'),
      maxRefreshMs: get('graphql.max_refresh'),
    },
    metadata: { url: get('metadata.url'), poolSize: get('metadata.pool_size') },
    auth: {
      enabled: get('auth.enabled'),
      keys,
      sessionMaxLifetimeMs: get('auth.session_max_lifetime'),
      sessionIdleTimeoutMs: get('auth.session_idle_timeout'),
      loginMaxFailures: get('auth.login_max_failures'),
      loginFailureWindowMs: get('auth.login_failure_window'),
      lockoutThreshold: get('auth.lockout_threshold'),
      lockoutDurationMs: get('auth.lockout_duration'),
      passwordMinLength: get('auth.password_min_length'),
      apiKeyCacheTtlMs: get('auth.api_key_cache_ttl'),
      apiKeyMaxLifetimeMs: get('auth.api_key_max_lifetime'),
      initialAdminLogin: get('auth.initial_admin_login'),
      initialAdminPassword: get('auth.initial_admin_password'),
    },
    selfMonitoring: {
      enabled: get('self_monitoring.enabled'),
      tenant: get('self_monitoring.tenant'),
      intervalMs: get('self_monitoring.interval'),
    },
    dashboards: {
      provisioning: {
        path: get('dashboards.provisioning.path'),
        intervalMs: get('dashboards.provisioning.interval'),
        allowRemoval: get('dashboards.provisioning.allow_removal'),
      },
    },
    log: { level: get('log.level'), format: get('log.format') },
  };
}

/** Below this a live panel would re-evaluate its whole query faster than a dashboard can draw it. */
const MIN_GRAPHQL_REFRESH_MS = 100;

function checkGraphqlRefresh(minMs: number, maxMs: number, where: string, problems: string[]): void {
  if (minMs < MIN_GRAPHQL_REFRESH_MS) {
    problems.push(`${where}: graphql.min_refresh: expected at least ${MIN_GRAPHQL_REFRESH_MS}ms, got ${minMs}ms`);
  }
  if (maxMs < minMs) {
    problems.push(`${where}: graphql.max_refresh: expected at least graphql.min_refresh (${minMs}ms), got ${maxMs}ms`);
  }
}

function readDocument(sources: ConfigSources, problems: string[]): Record<string, unknown> {
  let text = sources.yamlText;
  if (text === undefined && sources.file !== undefined) {
    try {
      text = readFileSync(sources.file, 'utf8');
    } catch (err) {
      problems.push(`${sources.file}: cannot read the file: ${(err as Error).message}`);
      return {};
    }
  }
  if (text === undefined || text.trim() === '') return {};
  try {
    const doc: unknown = parseYaml(text);
    if (doc === null || doc === undefined) return {};
    if (typeof doc !== 'object' || Array.isArray(doc)) {
      problems.push(`${sources.file ?? 'config'}: expected a mapping at the top level`);
      return {};
    }
    return doc as Record<string, unknown>;
  } catch (err) {
    const detail = err instanceof YAMLParseError ? err.message : String(err);
    problems.push(`${sources.file ?? 'config'}: not valid YAML: ${detail}`);
    return {};
  }
}

function setParsed(values: Map<string, unknown>, path: string, raw: unknown, source: string, problems: string[]): void {
  const parsed = parseValue(CONFIG_FIELDS[path]!.kind, raw);
  if (parsed.ok) values.set(path, parsed.value);
  else problems.push(`${source}: expected ${parsed.expected}, got ${JSON.stringify(raw)}`);
}

function getPath(doc: Record<string, unknown>, path: string): unknown {
  let node: unknown = doc;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** Keys the file has that no field declares are errors: a typo must not be silently ignored. */
function checkUnknownKeys(node: Record<string, unknown>, prefix: string, problems: string[], where: string): void {
  for (const [key, value] of Object.entries(node)) {
    const path = prefix + key;
    if (path === 'limits.tenants' || path === 'auth.keys' || path === 'scrape_configs') continue;
    if (path in CONFIG_FIELDS) continue;
    const isSection = Object.keys(CONFIG_FIELDS).some((p) => p.startsWith(path + '.'));
    if (isSection && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      checkUnknownKeys(value as Record<string, unknown>, path + '.', problems, where);
    } else if (isSection) {
      problems.push(`${where}: ${path}: expected a mapping`);
    } else {
      problems.push(`${where}: ${path}: unknown key`);
    }
  }
}

function readTenantLimits(
  raw: unknown,
  defaults: TenantLimits,
  where: string,
  problems: string[],
): Record<string, TenantLimits> {
  const out: Record<string, TenantLimits> = {};
  if (raw === undefined || raw === null) return out;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push(`${where}: limits.tenants: expected a mapping of tenant id to limits`);
    return out;
  }
  for (const [tenant, overrides] of Object.entries(raw as Record<string, unknown>)) {
    const base = `${where}: limits.tenants.${tenant}`;
    if (!TENANT_ID.test(tenant)) problems.push(`${base}: tenant id must match ${TENANT_ID}`);
    if (overrides === null || typeof overrides !== 'object' || Array.isArray(overrides)) {
      problems.push(`${base}: expected a mapping of limits`);
      continue;
    }
    out[tenant] = mergeTenantLimits(defaults, overrides as Record<string, unknown>, base, problems);
  }
  return out;
}

/**
 * A tenant's limits: `overrides` (snake_case keys as under `limits.tenants.<id>`) merged over
 * `defaults`. Values are strings with units or numbers; a number means what it means in YAML
 * (durations in seconds), or with `numbers: 'resolved'` what `PharosConfig` holds (durations
 * in milliseconds; the form run-time settings are stored in). Problems are appended, each
 * naming `where.<key>`; keys with problems keep the default.
 */
export function mergeTenantLimits(
  defaults: TenantLimits,
  overrides: Readonly<Record<string, unknown>>,
  where: string,
  problems: string[],
  numbers: 'yaml' | 'resolved' = 'yaml',
): TenantLimits {
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(overrides)) {
    if (!TENANT_OVERRIDE_KEYS.includes(key)) {
      problems.push(`${where}.${key}: unknown key (expected one of ${TENANT_OVERRIDE_KEYS.join(', ')})`);
      continue;
    }
    const spec = key === 'retention' ? CONFIG_FIELDS['storage.metrics.retention']! : CONFIG_FIELDS[`limits.${key}`]!;
    const raw = numbers === 'resolved' && spec.kind.type === 'duration' && typeof value === 'number' ? `${value}ms` : value;
    const parsed = parseValue(spec.kind, raw);
    if (!parsed.ok) problems.push(`${where}.${key}: expected ${parsed.expected}, got ${JSON.stringify(value)}`);
    else merged[key === 'retention' ? 'retentionMs' : camel(key)] = parsed.value;
  }
  return merged as unknown as TenantLimits;
}

function readApiKeys(raw: unknown, where: string, problems: string[]): ApiKeyConfig[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    problems.push(`${where}: auth.keys: expected a list of keys`);
    return [];
  }
  const keys: ApiKeyConfig[] = [];
  raw.forEach((entry: unknown, i) => {
    const base = `${where}: auth.keys[${i}]`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      problems.push(`${base}: expected a mapping with name, tenants and token or token_sha256`);
      return;
    }
    const e = entry as Record<string, unknown>;
    for (const key of Object.keys(e)) {
      if (!['name', 'tenants', 'token', 'token_sha256'].includes(key)) problems.push(`${base}.${key}: unknown key`);
    }
    const name = typeof e.name === 'string' && e.name !== '' ? e.name : `key-${i}`;
    const tenants = e.tenants;
    if (!Array.isArray(tenants) || tenants.length === 0 || !tenants.every((t) => typeof t === 'string' && TENANT_ID.test(t))) {
      problems.push(`${base}.tenants: expected a non-empty list of tenant ids matching ${TENANT_ID}`);
      return;
    }
    let sha256: string | undefined;
    if (typeof e.token_sha256 === 'string' && /^[0-9a-f]{64}$/i.test(e.token_sha256)) sha256 = e.token_sha256.toLowerCase();
    else if (typeof e.token === 'string' && e.token.length >= 16) sha256 = createHash('sha256').update(e.token).digest('hex');
    if (!sha256) {
      problems.push(`${base}: expected token (at least 16 characters) or token_sha256 (64 hex digits)`);
      return;
    }
    keys.push({ name, sha256, tenants: tenants as string[] });
  });
  return keys;
}

function camel(snake: string): string {
  return snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}
