import { describe, expect, it } from 'vitest';
import { PromQLParseError, parseSeriesSelector } from '#pharos/promql';

describe('parseSeriesSelector', () => {
  it('parses a metric name and every matcher type', () => {
    expect(parseSeriesSelector('up{job="api",instance!="a",path=~"/v1/.*",code!~"5.."}')).toEqual([
      { name: '__name__', type: '=', value: 'up' },
      { name: 'job', type: '=', value: 'api' },
      { name: 'instance', type: '!=', value: 'a' },
      { name: 'path', type: '=~', value: '/v1/.*' },
      { name: 'code', type: '!~', value: '5..' },
    ]);
  });
  it('accepts Prometheus 3 quoted names and escapes', () => {
    expect(parseSeriesSelector('{"my.metric", "service.name"=\'a\\tb\'}')).toEqual([
      { name: '__name__', type: '=', value: 'my.metric' },
      { name: 'service.name', type: '=', value: 'a\tb' },
    ]);
  });
  it('refuses selectors that match everything, expressions and garbage', () => {
    expect(() => parseSeriesSelector('{job=""}')).toThrow(/at least one non-empty matcher/);
    expect(() => parseSeriesSelector('{job=~".*"}')).toThrow(PromQLParseError);
    expect(() => parseSeriesSelector('rate(up[5m])')).toThrow(/expected a series selector/);
    expect(() => parseSeriesSelector('up{job=')).toThrow(/parse error/);
    expect(() => parseSeriesSelector('up{job=~"("}')).toThrow(/error parsing regexp/);
  });
});
