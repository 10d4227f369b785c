/** The validated configuration, as the rest of Pharos sees it. Durations and sizes are numbers (ms, bytes). */
export interface PharosConfig {
  readonly dataDir: string;
  readonly server: {
    readonly httpAddress: string;
    readonly httpPort: number;
    readonly shutdownTimeoutMs: number;
  };
  readonly stream: {
    readonly url: string;
    readonly partitions: number;
    readonly fsync: 'group' | 'interval' | 'none';
    readonly fsyncIntervalMs: number;
    readonly segmentBytes: number;
    readonly retentionBytes: number;
    readonly retentionMs: number;
    readonly maxLagBytes: number;
  };
  readonly collector: {
    /** -1: one per core but one; 0: decode on the main thread. */
    readonly decodeWorkers: number;
    readonly maxVisibilityDelayMs: number;
  };
  /** The OTLP receivers (collector role) and Prometheus' `otlp:` translation settings. */
  readonly otlp: {
    /** -1: off; 0: a free port. */
    readonly grpcPort: number;
    readonly httpPort: number;
    readonly translationStrategy: 'UnderscoreEscapingWithSuffixes' | 'UnderscoreEscapingWithoutSuffixes' | 'NoUTF8EscapingWithSuffixes' | 'NoTranslation';
    readonly promoteResourceAttributes: readonly string[];
    readonly promoteAllResourceAttributes: boolean;
    readonly ignoreResourceAttributes: readonly string[];
    readonly keepIdentifyingResourceAttributes: boolean;
    readonly convertHistogramsToNhcb: boolean;
    readonly promoteScopeMetadata: boolean;
    readonly labelNameUnderscoreSanitization: boolean;
    readonly labelNamePreserveMultipleUnderscores: boolean;
    readonly deltaMaxSeries: number;
    readonly deltaMaxStaleMs: number;
  };
  /** Scraping (collector role): global defaults and the raw `scrape_configs` list, validated by libs/scrape. */
  readonly scrape: {
    readonly intervalMs: number;
    readonly timeoutMs: number;
    /** The `scrape_configs` value of the file as written (undefined when absent). */
    readonly configs: unknown;
  };
  /** The YAML file the configuration came from, re-read on reload (SIGHUP, POST /-/reload); undefined for defaults only. */
  readonly configFile: string | undefined;
  readonly processor: {
    readonly batchMaxSamples: number;
    readonly batchMaxWaitMs: number;
    readonly flushIntervalMs: number;
  };
  readonly storage: {
    readonly metrics: {
      readonly retentionMs: number;
      readonly outOfOrderWindowMs: number;
      readonly futureToleranceMs: number;
      /** The store on its own worker thread (ADR 0018). */
      readonly thread: boolean;
      /** DuckDB's `memory_limit` in bytes; 0: DuckDB's default. */
      readonly memoryLimitBytes: number;
    };
  };
  readonly query: {
    readonly lookbackDeltaMs: number;
    /** Step of a subquery written without one. */
    readonly defaultEvaluationIntervalMs: number;
    /** Queries slower than this are logged; 0 logs none. */
    readonly slowQueryThresholdMs: number;
    /**
     * `max_source_resolution` of a request that names none: ms (0 reads raw samples) or
     * `auto` (a fifth of the step). ADR 0017.
     */
    readonly maxSourceResolution: number | 'auto';
  };
  /** Limits of the GraphQL gateway at /graphql. */
  readonly graphql: {
    readonly maxDepth: number;
    readonly maxCost: number;
    /** Metric queries of one tenant evaluated at once across all GraphQL requests. */
    readonly tenantConcurrency: number;
    readonly subscriptionsPerConnection: number;
    readonly minRefreshMs: number;
    readonly maxRefreshMs: number;
  };
  readonly limits: {
    readonly defaults: TenantLimits;
    /** Overrides per tenant id, already merged over the defaults. */
    readonly tenants: Readonly<Record<string, TenantLimits>>;
  };
  /** The metadata store (users, tenants, API keys, sessions, dashboards; ADR 0008). */
  readonly metadata: {
    /** `sqlite://<path>`, `postgres://…`, or empty for `<dataDir>/metadata.db`. */
    readonly url: string;
    readonly poolSize: number;
  };
  readonly auth: {
    readonly enabled: boolean;
    /** Keys from the YAML file (deployments configured as code); the store holds the others. */
    readonly keys: readonly ApiKeyConfig[];
    readonly sessionMaxLifetimeMs: number;
    readonly sessionIdleTimeoutMs: number;
    readonly loginMaxFailures: number;
    readonly loginFailureWindowMs: number;
    readonly lockoutThreshold: number;
    readonly lockoutDurationMs: number;
    readonly passwordMinLength: number;
    readonly apiKeyCacheTtlMs: number;
    /** 0: keys may be created without expiry. */
    readonly apiKeyMaxLifetimeMs: number;
    readonly initialAdminLogin: string;
    /** Empty: generated and printed once. */
    readonly initialAdminPassword: string;
  };
  /** Pharos' own metrics written to a tenant of its own store (ADR 0015). */
  readonly selfMonitoring: {
    readonly enabled: boolean;
    readonly tenant: string;
    readonly intervalMs: number;
  };
  /** Dashboards provisioned from files (ADR 0015). */
  readonly dashboards: {
    readonly provisioning: {
      /** Empty: off. */
      readonly path: string;
      /** 0: read only at start. */
      readonly intervalMs: number;
      readonly allowRemoval: boolean;
    };
  };
  readonly log: {
    readonly level: 'debug' | 'info' | 'warn' | 'error';
    readonly format: 'json' | 'text';
  };
}

export interface TenantLimits {
  readonly ingestionRate: number;
  readonly ingestionBurst: number;
  readonly maxActiveSeries: number;
  readonly maxLabelsPerSeries: number;
  readonly maxLabelNameLength: number;
  readonly maxLabelValueLength: number;
  readonly maxRequestSize: number;
  readonly retentionMs: number;
  /** Most samples a query may hold at once. */
  readonly queryMaxSamples: number;
  /** ms. */
  readonly queryTimeout: number;
  /** Most series per selector; 0: unlimited. */
  readonly queryMaxSeries: number;
  /** ms; 0: unlimited. */
  readonly queryMaxRange: number;
}

/**
 * An API key from the YAML file. The key is stored as its SHA-256 (hex) so a config file in
 * a repository does not hold usable secrets; `token` (plain) is accepted for local setups.
 */
export interface ApiKeyConfig {
  readonly name: string;
  readonly sha256: string;
  /** Tenants the key may act for; the first is used when a request names none. */
  readonly tenants: readonly string[];
}
