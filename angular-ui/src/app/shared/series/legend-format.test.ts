import { describe, expect, it } from 'vitest';
import { formatLegend, seriesSelector } from './legend-format';

describe('series names', () => {
  it('names a series by its selector, labels sorted, values escaped as PromQL strings', () => {
    expect(seriesSelector({ __name__: 'up', job: 'api', instance: 'a:1' })).toBe('up{instance="a:1", job="api"}');
    expect(seriesSelector({ __name__: 'up' })).toBe('up');
    expect(seriesSelector({ path: 'C:\\x "q"\n' })).toBe('{path="C:\\\\x \\"q\\"\\n"}');
    expect(seriesSelector({})).toBe('{}');
  });

  it('applies a legend format, missing labels becoming empty', () => {
    const labels = { __name__: 'http_requests_total', instance: 'a:1', job: 'api' };
    expect(formatLegend('{{instance}}', labels)).toBe('a:1');
    expect(formatLegend('{{ job }} on {{instance}} ({{zone}})', labels)).toBe('api on a:1 ()');
    expect(formatLegend('{{__name__}}', labels)).toBe('http_requests_total');
    expect(formatLegend('  ', labels)).toBe('http_requests_total{instance="a:1", job="api"}');
  });
});
