import { describe, expect, it } from 'vitest';
import { DEFAULT_STATE, fromQueryParams, toQueryParams, type ExploreState } from './explore-state';

const defined = (p: Record<string, string | null>): Record<string, string> =>
  Object.fromEntries(Object.entries(p).filter((e): e is [string, string] => e[1] !== null));

describe('Explore state in the URL', () => {
  it('leaves defaults out of the link', () => {
    expect(defined(toQueryParams({ ...DEFAULT_STATE, expr: 'up' }))).toEqual({ expr: 'up' });
  });

  it('round-trips every setting', () => {
    const states: ExploreState[] = [
      { expr: 'sum by (job) (rate(x[5m]))', view: 'table', range: { kind: 'relative', last: '7d' }, zone: 'utc', stepMs: 30_000, legend: '{{job}}' },
      { expr: 'up', view: 'graph', range: { kind: 'absolute', fromMs: Date.UTC(2026, 0, 1), toMs: Date.UTC(2026, 0, 2) }, zone: 'local', stepMs: null, legend: '' },
    ];
    for (const s of states) {
      const { state, problems } = fromQueryParams(defined(toQueryParams(s)));
      expect(problems).toEqual([]);
      expect(state).toEqual(s);
    }
  });

  it('keeps going on a bad link, reporting each parameter it ignored', () => {
    const { state, problems } = fromQueryParams({ expr: 'up', range: '2h', step: 'fast', tab: 'chart', tz: 'mars' });
    expect(state).toEqual({ ...DEFAULT_STATE, expr: 'up' });
    expect(problems).toEqual([
      'range "2h" is not one of 5m, 15m, 1h, 6h, 24h, 7d',
      'step: "fast" is not a duration (examples: 15s, 5m, 1h30m)',
      'tab "chart" is not graph or table',
      'tz "mars" is not utc or local',
    ]);
  });

  it('needs both ends of an absolute range, in order', () => {
    expect(fromQueryParams({ from: '2026-01-01T00:00:00Z' }).problems).toEqual(['from/to must both be ISO 8601 instants, got from=2026-01-01T00:00:00Z to=(none)']);
    expect(fromQueryParams({ from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' }).problems).toEqual([
      'from (2026-01-02T00:00:00Z) must be before to (2026-01-01T00:00:00Z)',
    ]);
  });
});
