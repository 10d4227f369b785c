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
  };
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
    };
  };
  readonly limits: {
    readonly defaults: TenantLimits;
    /** Overrides per tenant id, already merged over the defaults. */
    readonly tenants: Readonly<Record<string, TenantLimits>>;
  };
  readonly auth: {
    readonly enabled: boolean;
    readonly keys: readonly ApiKeyConfig[];
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
