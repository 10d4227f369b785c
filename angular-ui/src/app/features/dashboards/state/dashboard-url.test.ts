import { describe, expect, it } from 'vitest';
import { emptyDashboard, type DashboardModel } from '@pharos/dashboard-model';
import { viewFromQueryParams, viewToQueryParams } from './dashboard-url';

const model: DashboardModel = {
  ...emptyDashboard(),
  refresh: '1m',
  variables: [
    { kind: 'custom', name: 'env', label: '', multi: false, includeAll: false, allValue: null, current: ['prod'], options: ['prod', 'dev'] },
    { kind: 'custom', name: 'job', label: '', multi: true, includeAll: true, allValue: null, current: ['$__all'], options: ['a', 'b'] },
  ],
};

describe('dashboard URL state', () => {
  it('falls back to the saved model', () => {
    const v = viewFromQueryParams({}, model);
    expect(v.time).toEqual({ kind: 'relative', last: '1h' });
    expect(v.refresh).toBe('1m');
    expect(v.selections.get('env')).toEqual(['prod']);
  });

  it('reads Grafana-style parameters and round-trips them', () => {
    const params = { from: 'now-6h', to: 'now', refresh: '30s', tz: 'utc', 'var-env': 'dev', 'var-job': ['a', 'b'] };
    const v = viewFromQueryParams(params, model);
    expect(v.time).toEqual({ kind: 'relative', last: '6h' });
    expect(v.timezone).toBe('utc');
    expect(v.selections.get('job')).toEqual(['a', 'b']);
    expect(viewToQueryParams(v)).toEqual({ ...params, 'var-env': ['dev'] });
    expect(viewFromQueryParams({ from: '1000', to: '5000' }, model).time).toEqual({ kind: 'absolute', fromMs: 1000, toMs: 5000 });
  });

  it('ignores parts it cannot read, and keeps one value for single-value variables', () => {
    const v = viewFromQueryParams({ from: 'yesterday', refresh: 'often', 'var-env': ['dev', 'prod'] }, model);
    expect(v.time).toEqual(model.time);
    expect(v.refresh).toBe('1m');
    expect(v.selections.get('env')).toEqual(['dev']);
    expect(viewFromQueryParams({ refresh: 'off' }, model).refresh).toBe('');
  });
});
