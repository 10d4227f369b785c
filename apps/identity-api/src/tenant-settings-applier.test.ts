import { describe, expect, it } from 'vitest';
import { loadConfig } from '#pharos/config';
import { InvalidTenantSettings, TenantSettingsApplier } from './tenant-settings-applier.js';

describe('TenantSettingsApplier', () => {
  it('layers stored settings over YAML tenant limits over defaults, and undoes them', () => {
    const config = loadConfig({ yamlText: 'limits:\n  ingestion_rate: 100\n  tenants:\n    a:\n      ingestion_rate: 200\n      max_active_series: 7\n' });
    const retention = new Map<string, number>();
    const applier = new TenantSettingsApplier(config, { setRetention: (t, ms) => void retention.set(t, ms) });

    applier.apply('a', { limits: { ingestion_rate: 5 }, retentionMs: 3_600_000 });
    expect(config.limits.tenants['a']).toMatchObject({ ingestionRate: 5, maxActiveSeries: 7, retentionMs: 3_600_000 });
    expect(retention.get('a')).toBe(3_600_000);
    applier.apply('new', { limits: { query_timeout: 1500 }, retentionMs: null });
    expect(config.limits.tenants['new']).toMatchObject({ ingestionRate: 100, queryTimeout: 1500, retentionMs: config.limits.defaults.retentionMs });

    applier.apply('a', undefined);
    expect(config.limits.tenants['a']).toMatchObject({ ingestionRate: 200, maxActiveSeries: 7, retentionMs: config.limits.defaults.retentionMs });
    applier.apply('new', undefined);
    expect(config.limits.tenants['new']).toBeUndefined();
  });

  it('refuses unknown limits and bad values, naming each', () => {
    const applier = new TenantSettingsApplier(loadConfig(), undefined);
    expect(() => applier.effective('a', { limits: { max_series: 1, ingestion_rate: -1 }, retentionMs: null })).toThrow(InvalidTenantSettings);
    try {
      applier.effective('a', { limits: { max_series: 1, ingestion_rate: -1 }, retentionMs: null });
    } catch (err) {
      expect((err as InvalidTenantSettings).problems).toEqual([expect.stringMatching(/^limits\.max_series: unknown key/), expect.stringMatching(/^limits\.ingestion_rate: expected/)]);
    }
  });
});
