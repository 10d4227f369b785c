import { mergeTenantLimits, type PharosConfig, type TenantLimits } from '#pharos/config';
import { InvalidRecordError, type TenantSettingsRecord } from '#pharos/metadata';
import type { TenantLimitsApplier } from '#pharos/identity';
import type { MetricStore } from '#pharos/storage';

/**
 * Applies per-tenant limits and retention edited at run time. Precedence: the stored settings
 * over the YAML `limits.tenants.<id>` over the defaults. The collector, the query engine and the
 * ingestor look a tenant's limits up in `config.limits.tenants` on every request, so replacing
 * the tenant's entry there takes effect on the next request; retention is handed to the metric
 * store (when this process runs it).
 */
export class TenantSettingsApplier implements TenantLimitsApplier {
  private readonly fromFile: Readonly<Record<string, TenantLimits>>;

  constructor(
    private readonly config: PharosConfig,
    private readonly store: Pick<MetricStore, 'setRetention'> | undefined,
  ) {
    this.fromFile = { ...config.limits.tenants };
  }

  /** The limits the settings would give the tenant; throws naming every bad entry. */
  effective(tenantId: string, settings: Pick<TenantSettingsRecord, 'limits' | 'retentionMs'> | undefined): TenantLimits {
    const base = this.fromFile[tenantId] ?? this.config.limits.defaults;
    if (settings === undefined) return base;
    const problems: string[] = [];
    const overrides: Record<string, unknown> = { ...settings.limits };
    if (settings.retentionMs !== null) overrides['retention'] = settings.retentionMs;
    const merged = mergeTenantLimits(base, overrides, 'limits', problems, 'resolved');
    if (problems.length > 0) throw new InvalidTenantSettings(problems);
    return merged;
  }

  apply(tenantId: string, settings: Pick<TenantSettingsRecord, 'limits' | 'retentionMs'> | undefined): TenantLimits {
    const limits = this.effective(tenantId, settings);
    // The one writer of the table: the config type is read-only for every reader.
    const table = this.config.limits.tenants as Record<string, TenantLimits>;
    if (settings === undefined && this.fromFile[tenantId] === undefined) delete table[tenantId];
    else table[tenantId] = limits;
    this.store?.setRetention(tenantId, limits.retentionMs);
    return limits;
  }
}

/** Bad limits or retention: an `InvalidRecordError`, so every door answers it as bad input. */
export class InvalidTenantSettings extends InvalidRecordError {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('; '));
  }
}
