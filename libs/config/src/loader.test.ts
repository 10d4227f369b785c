import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, mergeTenantLimits } from '#pharos/config';

function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives the documented defaults with no file', () => {
    const c = loadConfig();
    expect(c.server.httpPort).toBe(9900);
    expect(c.dataDir).toBe('./data');
    expect(c.stream.url).toBe('embedded');
    expect(c.stream.fsync).toBe('group');
    expect(c.storage.metrics.retentionMs).toBe(15 * 86_400_000);
    expect(c.limits.defaults.maxActiveSeries).toBe(5_000_000);
    expect(c.limits.defaults.ingestionRate).toBe(0);
    expect(c.auth.enabled).toBe(false);
  });

  it('reads query.max_source_resolution as ms, raw as 0 and auto as auto (default 0s: raw samples)', () => {
    expect(loadConfig().query.maxSourceResolution).toBe(0);
    const at = (v: string): number | 'auto' => loadConfig({ yamlText: `query:\n  max_source_resolution: ${v}\n` }).query.maxSourceResolution;
    expect(at('5m')).toBe(300_000);
    expect(at('1h')).toBe(3_600_000);
    expect(at('0s')).toBe(0);
    expect(at('raw')).toBe(0);
    expect(at('auto')).toBe('auto');
    expect(loadConfig({ env: { PHAROS_QUERY_MAX_SOURCE_RESOLUTION: 'auto' } }).query.maxSourceResolution).toBe('auto');
    expect(problemsOf(() => at('fast'))).toEqual(['config: query.max_source_resolution: expected a duration such as 5m or 1h, raw (0s) or auto, got "fast"']);
    expect(problemsOf(() => at('-5m'))[0]).toMatch(/^config: query.max_source_resolution: expected a duration/);
  });

  it('layers file < environment < flags', () => {
    const yamlText = 'server:\n  http_port: 1000\ndata_dir: /from/file\n';
    expect(loadConfig({ yamlText }).server.httpPort).toBe(1000);
    expect(loadConfig({ yamlText, env: { PHAROS_HTTP_PORT: '2000' } }).server.httpPort).toBe(2000);
    const c = loadConfig({ yamlText, env: { PHAROS_HTTP_PORT: '2000' }, flags: { 'http-port': '3000', 'data-dir': '/flag' } });
    expect(c.server.httpPort).toBe(3000);
    expect(c.dataDir).toBe('/flag');
  });

  it('parses durations and sizes', () => {
    const c = loadConfig({ yamlText: 'storage:\n  metrics:\n    retention: 30d\nstream:\n  segment_size: 8MiB\n  fsync_interval: 250ms\n' });
    expect(c.storage.metrics.retentionMs).toBe(30 * 86_400_000);
    expect(c.stream.segmentBytes).toBe(8 * 1024 * 1024);
    expect(c.stream.fsyncIntervalMs).toBe(250);
  });

  it('names the key and the expected form of every problem at once', () => {
    const problems = problemsOf(() =>
      loadConfig({
        file: 'pharos.yaml',
        yamlText: 'server:\n  http_port: seventy\n  htp_port: 1\nstream:\n  fsync: sometimes\n  url: redis://x\n',
      }),
    );
    expect(problems).toContain('pharos.yaml: server.http_port: expected an integer >= 0 <= 65535, got "seventy"');
    expect(problems).toContain('pharos.yaml: server.htp_port: unknown key');
    expect(problems).toContain('pharos.yaml: stream.fsync: expected one of "group", "interval", "none", got "sometimes"');
    expect(problems.some((p) => p.startsWith('pharos.yaml: stream.url: expected "embedded" or kafka://'))).toBe(true);
  });

  it('reports bad environment values with the variable name', () => {
    expect(problemsOf(() => loadConfig({ env: { PHAROS_HTTP_PORT: '70000' } }))).toEqual([
      'environment PHAROS_HTTP_PORT: expected an integer >= 0 <= 65535, got "70000"',
    ]);
  });

  it('reports YAML syntax errors', () => {
    expect(problemsOf(() => loadConfig({ yamlText: 'server: [\n' }))[0]).toMatch(/not valid YAML/);
  });

  it('merges run-time overrides over the defaults, naming bad keys and values', () => {
    const { limits } = loadConfig();
    const problems: string[] = [];
    const merged = mergeTenantLimits(limits.defaults, { ingestion_rate: 50, retention: '2d', max_series: 1, max_active_series: 'many' }, 'tenant t', problems);
    expect(merged).toMatchObject({ ingestionRate: 50, retentionMs: 2 * 86_400_000, maxActiveSeries: limits.defaults.maxActiveSeries });
    expect(problems).toEqual([expect.stringMatching(/^tenant t\.max_series: unknown key/), expect.stringMatching(/^tenant t\.max_active_series: expected/)]);
    // Stored run-time settings hold resolved numbers: durations in ms, as PharosConfig does.
    expect(mergeTenantLimits(limits.defaults, { retention: 86_400_000, query_timeout: 1500 }, 't', problems, 'resolved')).toMatchObject({ retentionMs: 86_400_000, queryTimeout: 1500 });
  });

  it('merges per-tenant limit overrides over the defaults', () => {
    const c = loadConfig({ yamlText: 'limits:\n  ingestion_rate: 500\n  tenants:\n    team-a:\n      max_active_series: 10\n      retention: 2d\n' });
    expect(c.limits.tenants['team-a']).toMatchObject({ maxActiveSeries: 10, ingestionRate: 500, retentionMs: 2 * 86_400_000 });
    expect(problemsOf(() => loadConfig({ yamlText: 'limits:\n  tenants:\n    a:\n      max_series: 1\n' }))[0]).toMatch(
      /limits\.tenants\.a\.max_series: unknown key/,
    );
  });

  it('reads the GraphQL gateway limits, with the code defaults when absent', () => {
    expect(loadConfig().graphql).toEqual({
      maxDepth: 8,
      maxCost: 2_000,
      tenantConcurrency: 8,
      subscriptionsPerConnection: 32,
      minRefreshMs: 1_000,
      maxRefreshMs: 3_600_000,
    });
    const c = loadConfig({
      yamlText: 'graphql:\n  max_depth: 12\n  max_cost: 500\n  tenant_concurrency: 2\n  subscriptions_per_connection: 4\n  min_refresh: 250ms\n  max_refresh: 10m\n',
    });
    expect(c.graphql).toEqual({ maxDepth: 12, maxCost: 500, tenantConcurrency: 2, subscriptionsPerConnection: 4, minRefreshMs: 250, maxRefreshMs: 600_000 });
  });

  it('names each bad GraphQL limit and the form it needs', () => {
    const problems = problemsOf(() =>
      loadConfig({
        file: 'p.yaml',
        yamlText: 'graphql:\n  max_depth: 0\n  max_cost: lots\n  tenant_concurrency: 1.5\n  subscriptions_per_connection: -1\n  min_refresh: soon\n  max_depht: 3\n',
      }),
    );
    expect(problems).toEqual([
      'p.yaml: graphql.max_depth: expected an integer >= 1 <= 64, got 0',
      'p.yaml: graphql.max_cost: expected an integer >= 1, got "lots"',
      'p.yaml: graphql.tenant_concurrency: expected an integer >= 1 <= 1024, got 1.5',
      'p.yaml: graphql.subscriptions_per_connection: expected an integer >= 1 <= 10000, got -1',
      'p.yaml: graphql.min_refresh: expected a duration such as 500ms, 30s, 15d or 1h30m, got "soon"',
      'p.yaml: graphql.max_depht: unknown key',
    ]);
    expect(problemsOf(() => loadConfig({ yamlText: 'graphql:\n  min_refresh: 50ms\n' }))).toEqual(['config: graphql.min_refresh: expected at least 100ms, got 50ms']);
    expect(problemsOf(() => loadConfig({ yamlText: 'graphql:\n  min_refresh: 10s\n  max_refresh: 5s\n' }))).toEqual([
      'config: graphql.max_refresh: expected at least graphql.min_refresh (10000ms), got 5000ms',
    ]);
    expect(problemsOf(() => loadConfig({ yamlText: 'graphql: 3\n' }))).toEqual(['config: graphql: expected a mapping']);
  });

  it('enables auth without YAML keys (the metadata store holds keys) and hashes plain tokens', () => {
    const stored = loadConfig({ env: { PHAROS_AUTH_ENABLED: 'true', PHAROS_ADMIN_PASSWORD: 'from-the-environment' } });
    expect(stored.auth).toMatchObject({ enabled: true, keys: [], initialAdminLogin: 'admin', initialAdminPassword: 'from-the-environment', apiKeyCacheTtlMs: 10_000 });
    expect(loadConfig({ env: { PHAROS_METADATA_URL: 'postgres://u:p@h:5432/d' } }).metadata).toEqual({ url: 'postgres://u:p@h:5432/d', poolSize: 10 });
    expect(problemsOf(() => loadConfig({ env: { PHAROS_METADATA_URL: 'mysql://h/d' } }))[0]).toMatch(/PHAROS_METADATA_URL: expected empty, sqlite/);
    const c = loadConfig({
      yamlText: 'auth:\n  enabled: true\n  keys:\n    - name: ci\n      tenants: [team-a]\n      token: 0123456789abcdef-secret\n',
    });
    expect(c.auth.keys[0]).toMatchObject({ name: 'ci', tenants: ['team-a'] });
    expect(c.auth.keys[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(problemsOf(() => loadConfig({ yamlText: 'auth:\n  keys:\n    - tenants: [a]\n      token: short\n' }))[0]).toMatch(
      /auth\.keys\[0\]: expected token \(at least 16 characters\)/,
    );
  });
});
