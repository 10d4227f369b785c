import { EqlRegex, EqlSingle, Neq, NeqRegex } from '@prometheus-io/lezer-promql';
import { describe, expect, it } from 'vitest';
import { CatalogCompletionClient, selectorOf } from './completion-client';
import type { MetricCatalog } from './metric-catalog';

describe('autocomplete selectors', () => {
  it('turns the editor matchers into a selector for the catalog', () => {
    const matchers = [
      { type: EqlSingle, name: 'job', value: 'api' },
      { type: Neq, name: 'env', value: 'dev' },
      { type: EqlRegex, name: 'path', value: '/v1/.*' },
      { type: NeqRegex, name: 'code', value: '5..' },
      { type: EqlSingle, name: 'instance', value: '' },
    ];
    expect(selectorOf('http_requests_total', matchers, 'code')).toBe('{__name__="http_requests_total",job="api",env!="dev",path=~"/v1/.*"}');
    expect(selectorOf(undefined, [])).toBeUndefined();
    expect(() => selectorOf('x', [{ type: -1, name: 'a', value: 'b' }])).toThrow('unknown label matcher type -1');
  });

  it('asks the catalog with the selector and a lookback, and maps series to Maps', async () => {
    const calls: unknown[][] = [];
    const catalog = {
      labelNames: async (...a: unknown[]) => (calls.push(['labelNames', ...a]), ['job']),
      labelValues: async (...a: unknown[]) => (calls.push(['labelValues', ...a]), ['api']),
      series: async (...a: unknown[]) => (calls.push(['series', ...a]), [{ __name__: 'up', job: 'api' }]),
      metadata: async () => ({}),
    } as unknown as MetricCatalog;
    const client = new CatalogCompletionClient(catalog);
    const before = Date.now();
    expect(await client.labelValues('job', 'up', [{ type: EqlSingle, name: 'job', value: 'x' } as never])).toEqual(['api']);
    expect(await client.metricNames()).toEqual(['api']);
    expect(await client.series('up')).toEqual([new Map([['__name__', 'up'], ['job', 'api']])]);
    expect(calls[0]!.slice(0, 3)).toEqual(['labelValues', 'job', ['{__name__="up"}']]);
    expect(calls[1]!.slice(0, 3)).toEqual(['labelValues', '__name__', []]);
    expect(calls[2]!.slice(0, 2)).toEqual(['series', ['{__name__="up"}']]);
    const since = calls[0]![3] as number;
    expect(before - since).toBeGreaterThanOrEqual(12 * 3_600_000 - 5);
    expect(before - since).toBeLessThan(12 * 3_600_000 + 1000);
  });

  it('keeps the metric-name list for 30 s, and forgets a failed lookup at once', async () => {
    let t = 1_000_000;
    let asked = 0;
    let fail = true;
    const catalog = {
      labelValues: async () => {
        asked++;
        if (fail) throw new Error('unavailable');
        return ['up'];
      },
    } as unknown as MetricCatalog;
    const client = new CatalogCompletionClient(catalog, () => t);
    await expect(client.metricNames()).rejects.toThrow('unavailable');
    fail = false;
    expect(await client.metricNames()).toEqual(['up']);
    t += 29_000;
    expect(await client.metricNames()).toEqual(['up']);
    expect(asked).toBe(2);
    t += 2_000;
    await client.metricNames();
    expect(asked).toBe(3);
  });
});
