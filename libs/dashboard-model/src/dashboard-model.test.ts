import { describe, expect, it } from 'vitest';
import { DashboardModelError, emptyDashboard, newPanel, parseDashboardModel, serializeDashboardModel } from './dashboard-model.js';

describe('parseDashboardModel', () => {
  it('reads {} and "" as an empty dashboard with defaults', () => {
    expect(parseDashboardModel('{}')).toEqual(emptyDashboard());
    expect(parseDashboardModel('')).toEqual(emptyDashboard());
  });

  it('round-trips a full model through serialize', () => {
    let model = emptyDashboard();
    model = { ...model, panels: [newPanel(model, 'timeseries')] };
    model = { ...model, panels: [...model.panels, newPanel(model, 'stat')] };
    model = {
      ...model,
      variables: [
        { kind: 'query', name: 'job', label: 'Job', multi: true, includeAll: true, allValue: null, current: ['a', 'b'], query: 'label_values(up, job)', regex: '', sort: 'alpha-asc', refresh: 'load' },
        { kind: 'interval', name: 'iv', label: '', multi: false, includeAll: false, allValue: null, current: ['1m'], options: ['1m', '5m'], auto: true, autoCount: 30, autoMin: '10s' },
      ],
    };
    expect(parseDashboardModel(serializeDashboardModel(model))).toEqual(model);
  });

  it('places new panels below the existing ones with fresh ids', () => {
    const a = newPanel(emptyDashboard(), 'timeseries');
    const model = { ...emptyDashboard(), panels: [a] };
    const b = newPanel(model, 'gauge');
    expect(b.id).toBe(2);
    expect(b.gridPos).toEqual({ x: 0, y: 8, w: 8, h: 5 });
    expect(newPanel(model, 'text').targets).toEqual([]);
  });

  it.each([
    ['not json', '{', '$'],
    ['wrong schema', '{"schemaVersion":2}', '$.schemaVersion'],
    ['panel wider than the grid', '{"panels":[{"id":1,"gridPos":{"x":20,"w":8}}]}', '$.panels[0].gridPos.w'],
    ['duplicate panel ids', '{"panels":[{"id":1},{"id":1}]}', '$.panels[1].id'],
    ['unknown panel type', '{"panels":[{"id":1,"type":"graph"}]}', '$.panels[0].type'],
    ['duplicate refIds', '{"panels":[{"id":1,"targets":[{"refId":"A"},{"refId":"A"}]}]}', '$.panels[0].targets[1].refId'],
    ['bad variable name', '{"variables":[{"name":"__x","kind":"custom"}]}', '$.variables[0].name'],
    ['query variable without query', '{"variables":[{"name":"x","kind":"query"}]}', '$.variables[0].query'],
    ['bad regex', '{"variables":[{"name":"x","kind":"query","query":"label_names()","regex":"("}]}', '$.variables[0].regex'],
    ['several values on a single-value variable', '{"variables":[{"name":"x","kind":"custom","current":["a","b"]}]}', '$.variables[0].current'],
    ['descending thresholds', '{"panels":[{"id":1,"fieldConfig":{"thresholds":[{"value":null,"color":"green"},{"value":5,"color":"red"},{"value":1,"color":"red"}]}}]}', '$.panels[0].fieldConfig.thresholds[2].value'],
    ['bad refresh', '{"refresh":"often"}', '$.refresh'],
    ['absolute range backwards', '{"time":{"kind":"absolute","fromMs":10,"toMs":5}}', '$.time'],
  ])('names the field of %s', (_, text, path) => {
    try {
      parseDashboardModel(text);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(DashboardModelError);
      expect((err as DashboardModelError).path).toBe(path);
    }
  });
});
