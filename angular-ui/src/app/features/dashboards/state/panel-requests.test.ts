import { describe, expect, it } from 'vitest';
import { emptyDashboard, newPanel, type Panel } from '@pharos/dashboard-model';
import { buildPanelBatch, panelStepMs, splitPanelResults } from './panel-requests';

function panel(id: number, targets: Partial<Panel['targets'][number]>[], extra: Partial<Panel> = {}): Panel {
  const base = newPanel(emptyDashboard(), 'timeseries');
  return {
    ...base,
    id,
    ...extra,
    targets: targets.map((t, i) => ({ refId: String.fromCharCode(65 + i), expr: '', legendFormat: '', instant: false, hide: false, ...t })),
  } as Panel;
}

const HOUR = 3_600_000;

describe('panel batch', () => {
  it('derives the step from the width, the minimum interval and the point limit', () => {
    expect(panelStepMs(HOUR, 1000, '')).toBe(15_000);
    expect(panelStepMs(HOUR, 100, '')).toBe(36_000);
    expect(panelStepMs(HOUR, 1000, '1m')).toBe(60_000);
    expect(panelStepMs(30 * 24 * HOUR, 100_000, '1s')).toBe(Math.ceil((30 * 24 * HOUR) / 11_000 / 1000) * 1000);
  });

  it('puts every visible target of every panel in one aliased document with aligned ranges', () => {
    const panels = [
      { panel: panel(1, [{ expr: 'up{job="$job"}' }, { expr: 'x', hide: true }, { expr: '  ' }]), widthPx: 240 },
      { panel: panel(2, [{ expr: 'sum(up)', instant: true }]), widthPx: 400 },
      { panel: { ...newPanel(emptyDashboard(), 'text'), id: 3 }, widthPx: 400 },
    ];
    const seen: number[] = [];
    const batch = buildPanelBatch(panels, { startMs: 1_000_000_123, endMs: 1_000_000_123 + HOUR }, (text, step) => {
      seen.push(step);
      return text.replace('$job', 'node');
    });
    expect(batch.targets.map((t) => [t.alias, t.panelId, t.refId, t.instant])).toEqual([
      ['q0', 1, 'A', false],
      ['q1', 2, 'A', true],
    ]);
    expect(batch.variables['q0e']).toBe('up{job="node"}');
    const plan = batch.plans.get(1)!;
    expect(plan.stepMs).toBe(15_000);
    expect(plan.startMs % plan.stepMs).toBe(0);
    expect(plan.endMs % plan.stepMs).toBe(0);
    expect(batch.document).toContain('q0: rangeQuery(query: $q0e, startMs: $q0s, endMs: $q0n, stepMs: $q0p)');
    expect(batch.document).toContain('q1: instantQuery(query: $q1e, timeMs: $q1t)');
    expect(batch.plans.has(3)).toBe(false);
    expect(seen).toEqual([15_000, 15_000]);
  });

  it('maps grid values onto typed arrays, numbers legend collisions, and routes errors to their panel', () => {
    const batch = buildPanelBatch(
      [
        { panel: panel(1, [{ expr: 'a', legendFormat: '{{job}}' }]), widthPx: 1000 },
        { panel: panel(2, [{ expr: 'bad(' }]), widthPx: 1000 },
        { panel: panel(3, [{ expr: 'c', instant: true }]), widthPx: 1000 },
      ],
      { startMs: 0, endMs: 60_000 },
      (t) => t,
    );
    const data = {
      q0: {
        warnings: ['w'],
        series: [
          { labels: { job: 'x', i: '1' }, gridValues: [1, null, 'NaN', '+Inf', 5] },
          { labels: { job: 'x', i: '2' }, gridValues: [2, 2, 2, 2, '-Inf'] },
        ],
      },
      q1: null,
      q2: { resultType: 'VECTOR', samples: [{ labels: { __name__: 'c' }, value: 7 }], scalar: null, warnings: [] },
    };
    const res = splitPanelResults(batch, data, [{ message: 'parse error at char 4', path: ['q1'], extensions: { code: 'BAD_QUERY' } }]);
    const p1 = res.get(1)!;
    expect(p1.data.grid).toEqual({ startMs: 0, endMs: 60_000, stepMs: 15_000, steps: 5 });
    expect(p1.data.series.map((s) => s.name)).toEqual(['x', 'x (2)']);
    expect(Array.from(p1.data.series[0]!.values)).toEqual([1, NaN, NaN, Infinity, 5]);
    expect(p1.data.series[1]!.values[4]).toBe(-Infinity);
    expect(p1.warnings).toEqual(['w']);
    expect(res.get(2)!.errors).toEqual(['A: parse error at char 4']);
    const p3 = res.get(3)!;
    expect(p3.data.grid.steps).toBe(1);
    expect(p3.data.series[0]!.name).toBe('c');
    expect(p3.data.series[0]!.values[0]).toBe(7);
  });
});
