import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '#pharos/config';

describe('self_monitoring and dashboards.provisioning keys', () => {
  it('default to self-monitoring on in tenant default every 15s, file provisioning off', () => {
    const c = loadConfig({});
    expect(c.selfMonitoring).toEqual({ enabled: true, tenant: 'default', intervalMs: 15_000 });
    expect(c.dashboards.provisioning).toEqual({ path: '', intervalMs: 30_000, allowRemoval: false });
  });

  it('read the file and the environment', () => {
    const c = loadConfig({
      yamlText: 'self_monitoring:\n  tenant: ops\n  interval: 5s\ndashboards:\n  provisioning:\n    path: /etc/pharos/dashboards\n    interval: 0\n    allow_removal: true\n',
      env: { PHAROS_SELF_MONITORING: 'false' },
    });
    expect(c.selfMonitoring).toEqual({ enabled: false, tenant: 'ops', intervalMs: 5_000 });
    expect(c.dashboards.provisioning).toEqual({ path: '/etc/pharos/dashboards', intervalMs: 0, allowRemoval: true });
  });

  it('refuse a bad tenant id and an interval under a second, naming the key', () => {
    const attempt = () => loadConfig({ yamlText: 'self_monitoring:\n  tenant: "a b"\n  interval: 100ms\n' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/self_monitoring\.tenant: expected a tenant id/);
    expect(attempt).toThrow(/self_monitoring\.interval: expected at least 1s, got 100ms/);
  });
});
