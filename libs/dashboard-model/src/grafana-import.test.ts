import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDashboardModel, serializeDashboardModel, type Panel } from './dashboard-model.js';
import { convertGrafanaDashboard, GrafanaImportError, type GrafanaImport } from './grafana-import.js';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8'));

function warningAt(r: GrafanaImport, path: string): string[] {
  return r.warnings.filter((w) => w.path === path).map((w) => w.message);
}

function panel(r: GrafanaImport, title: string): Panel {
  const p = r.model.panels.find((x) => x.title === title);
  if (p === undefined) throw new Error(`no panel "${title}" in ${r.model.panels.map((x) => x.title).join(', ')}`);
  return p;
}

/** The model a converter returns must survive storage: serialize, parse, identical. */
function expectStorable(r: GrafanaImport): void {
  expect(parseDashboardModel(serializeDashboardModel(r.model))).toEqual(r.model);
}

describe('grafana-small.json (the e2e fixture)', () => {
  const r = convertGrafanaDashboard(fixture('grafana-small'));

  it('keeps title, tags, uid, time, refresh and every panel without warnings', () => {
    expect(r).toMatchObject({ title: 'Pharos small example', tags: ['pharos', 'example'], uid: 'pharos-small' });
    expect(r.model.time).toEqual({ kind: 'relative', last: '1h' });
    expect(r.model.refresh).toBe('30s');
    expect(r.model.timezone).toBe('local');
    expect(r.model.panels.map((p) => [p.id, p.type, p.title])).toEqual([
      [1, 'stat', 'Targets up'],
      [2, 'timeseries', 'Up by target ($env)'],
      [3, 'text', 'About'],
    ]);
    expect(r.warnings).toEqual([]);
    expectStorable(r);
  });

  it('maps stat, time series and text options', () => {
    const stat = panel(r, 'Targets up');
    expect(stat.options).toEqual({ reducer: 'last', colorMode: 'background', sparkline: false });
    expect(stat.fieldConfig).toEqual({ unit: 'none', decimals: null, min: null, max: null, thresholds: [{ value: null, color: '#F2495C' }, { value: 1, color: '#73BF69' }] });
    expect(stat.targets).toEqual([{ refId: 'A', expr: 'sum(up{job=~"$job"})', legendFormat: '', instant: true, hide: false }]);
    const ts = panel(r, 'Up by target ($env)');
    expect(ts.options).toEqual({ drawStyle: 'area', stacking: 'none', lineWidth: 2, showThresholds: false, legend: 'bottom' });
    expect(ts.fieldConfig).toMatchObject({ min: 0, max: 1 });
    expect(ts.targets[0]!.legendFormat).toBe('{{job}} {{instance}}');
    expect(panel(r, 'About').options).toEqual({ mode: 'markdown', content: '**up** is 1 when the last scrape of a target succeeded.' });
  });

  it('maps the query variable in object form with All, and the custom variable', () => {
    expect(r.model.variables).toEqual([
      { kind: 'query', name: 'job', label: 'Job', multi: true, includeAll: true, allValue: null, current: ['$__all'], query: 'label_values(up, job)', regex: '', sort: 'alpha-asc', refresh: 'load' },
      { kind: 'custom', name: 'env', label: 'Environment', multi: false, includeAll: false, allValue: null, current: ['prod'], options: ['prod', 'staging', 'dev'] },
    ]);
  });
});

describe('grafana-node-exporter.json (schema 22, __inputs, rows, graph, singlestat)', () => {
  const r = convertGrafanaDashboard(fixture('grafana-node-exporter'));

  it('removes the row panels and moves the panels below them up', () => {
    expect(r.model.panels.map((p) => [p.id, p.gridPos])).toEqual([
      [20, { x: 0, y: 0, w: 3, h: 4 }],
      [15, { x: 3, y: 0, w: 4, h: 2 }],
      [77, { x: 0, y: 4, w: 12, h: 7 }],
      [74, { x: 12, y: 4, w: 12, h: 7 }],
    ]);
    expect(warningAt(r, '$.panels[0]')[0]).toContain('row "Quick CPU / Mem / Disk" is not kept');
    expectStorable(r);
  });

  it('resolves ${DS_PROMETHEUS} through __inputs and keeps the queries', () => {
    expect(panel(r, 'CPU Basic').targets.map((t) => t.refId)).toEqual(['A', 'B']);
    expect(r.warnings.some((w) => w.path.endsWith('.datasource'))).toBe(false);
  });

  it('turns a singlestat with gauge.show into a gauge, with thresholds from the colour list', () => {
    const g = panel(r, 'CPU Busy');
    expect(g.type).toBe('gauge');
    expect(g.options).toEqual({ reducer: 'last' });
    expect(g.fieldConfig).toEqual({
      unit: 'percent',
      decimals: 1,
      min: 0,
      max: 100,
      thresholds: [
        { value: null, color: 'rgba(50, 172, 45, 0.97)' },
        { value: 85, color: 'rgba(237, 129, 40, 0.89)' },
        { value: 95, color: 'rgba(245, 54, 54, 0.9)' },
      ],
    });
  });

  it('maps a singlestat to a stat and reports what it cannot keep', () => {
    const s = panel(r, 'Uptime');
    expect(s.type).toBe('stat');
    expect(s.options).toEqual({ reducer: 'last', colorMode: 'none', sparkline: true });
    expect(s.fieldConfig).toMatchObject({ unit: 's', decimals: 0, thresholds: [] });
    expect(warningAt(r, '$.panels[2].valueName')).toEqual(['value "delta" is not supported; the last value is shown']);
    expect(warningAt(r, '$.panels[2]')).toEqual(['prefix and postfix text are not supported']);
    expect(warningAt(r, '$.panels[2].targets[0].intervalFactor')).toHaveLength(1);
  });

  it('maps graph panels: fill, stack percent, y-axis unit and range, legend, thresholds, min interval', () => {
    const cpu = panel(r, 'CPU Basic');
    expect(cpu.type).toBe('timeseries');
    expect(cpu.options).toEqual({ drawStyle: 'area', stacking: 'percent', lineWidth: 1, showThresholds: false, legend: 'bottom' });
    expect(cpu.fieldConfig).toEqual({ unit: 'short', decimals: 2, min: 0, max: 100, thresholds: [] });
    expect(warningAt(r, '$.panels[4].seriesOverrides')[0]).toContain('1 series override(s)');
    expect(warningAt(r, '$.panels[4].aliasColors')).toHaveLength(1);
    const net = panel(r, 'Network Traffic Basic');
    expect(net.options).toEqual({ drawStyle: 'line', stacking: 'none', lineWidth: 2, showThresholds: true, legend: 'right' });
    expect(net.interval).toBe('30s');
    expect(net.targets[0]!.refId).toBe('O');
    expect(net.fieldConfig.unit).toBe('bps');
    expect(net.fieldConfig.thresholds).toEqual([
      { value: null, color: 'transparent' },
      { value: 800000000, color: '#FF9830' },
      { value: 950000000, color: '#F2495C' },
    ]);
    expect(warningAt(r, '$.panels[5].thresholds[2]')[0]).toContain('"below 1000"');
  });

  it('maps chained query variables, natural sort, refresh on time range, and a constant', () => {
    const [job, node, disks] = r.model.variables;
    expect(job).toMatchObject({ kind: 'query', name: 'job', query: 'label_values(node_uname_info, job)', current: ['node'], sort: 'alpha-asc', refresh: 'load' });
    expect(node).toMatchObject({ kind: 'query', name: 'node', label: 'Host:', query: 'label_values(node_uname_info{job="$job"}, instance)', regex: '/([^:]+):.*/', sort: 'numeric-asc', refresh: 'time-range' });
    expect(warningAt(r, '$.templating.list[1].sort')[0]).toContain('natural sort');
    expect(disks).toEqual({ kind: 'custom', name: 'diskdevices', label: '', multi: false, includeAll: false, allValue: null, options: ['[a-z]+|nvme[0-9]+n[0-9]+'], current: ['[a-z]+|nvme[0-9]+n[0-9]+'] });
    // A constant is hidden in Grafana by nature: no warning about hiding it.
    expect(warningAt(r, '$.templating.list[2].hide')).toEqual([]);
  });
});

describe('grafana-legacy-rows.json (schema 14)', () => {
  const r = convertGrafanaDashboard(fixture('grafana-legacy-rows'));

  it('lays rows out as Grafana migrates them: span × 2 columns, pixel heights in 38 px rows, wrapping', () => {
    expect(r.model.panels.map((p) => [p.id, p.title, p.gridPos])).toEqual([
      [1, 'Requests per second', { x: 0, y: 0, w: 16, h: 7 }],
      [2, 'Error ratio', { x: 16, y: 0, w: 8, h: 7 }],
      [3, 'Notes', { x: 0, y: 7, w: 12, h: 4 }],
      [6, 'Latency p99', { x: 12, y: 7, w: 12, h: 8 }],
      [5, 'Sessions', { x: 0, y: 15, w: 24, h: 8 }],
    ]);
    expect(warningAt(r, '$.rows[1]')).toEqual(['row "Details" is not kept (Pharos has no rows); its 3 panel(s) follow in order, expanded']);
    expect(warningAt(r, '$.rows[0]')).toEqual([]);
    expectStorable(r);
  });

  it('renumbers a duplicate panel id', () => {
    expect(new Set(r.model.panels.map((p) => p.id)).size).toBe(5);
    expect(panel(r, 'Notes').id).toBe(3);
    expect(panel(r, 'Latency p99').id).toBe(6);
  });

  it('converts HTML text to plain text with a warning', () => {
    expect(panel(r, 'Notes').options).toEqual({ mode: 'plain', content: 'Runbook\nPage the on-call when errors > 5%.' });
    expect(warningAt(r, '$.rows[1].panels[0].mode')).toEqual(['HTML content is shown as plain text (tags removed)']);
  });

  it('maps legacy singlestat (avg, background) and graph (points, hidden legend)', () => {
    expect(panel(r, 'Error ratio').options).toEqual({ reducer: 'mean', colorMode: 'background', sparkline: true });
    expect(panel(r, 'Error ratio').fieldConfig.thresholds.map((t) => t.value)).toEqual([null, 0.01, 0.05]);
    expect(panel(r, 'Latency p99').options).toMatchObject({ drawStyle: 'points' });
    expect(panel(r, 'Requests per second').options).toMatchObject({ drawStyle: 'area', legend: 'hidden' });
    expect(panel(r, 'Requests per second').fieldConfig).toMatchObject({ unit: 'reqps', min: 0, max: null });
  });

  it('shows an unknown panel type with queries as a time series, with a warning', () => {
    expect(panel(r, 'Sessions').type).toBe('timeseries');
    expect(warningAt(r, '$.rows[1].panels[2].type')[0]).toContain('"grafana-worldmap-panel" is not supported');
  });

  it('maps today (now/d) to the last day with a warning, timezone utc, refresh false', () => {
    expect(r.model.time).toEqual({ kind: 'relative', last: '1d' });
    expect(warningAt(r, '$.time')[0]).toContain('rounding to calendar units');
    expect(r.model.timezone).toBe('utc');
    expect(r.model.refresh).toBe('');
    expect(r.uid).toBeNull();
  });

  it('keeps a custom allValue and a multi-value current', () => {
    expect(r.model.variables[0]).toMatchObject({ multi: true, includeAll: true, allValue: '.*', current: ['api', 'web'], sort: 'numeric-asc' });
  });
});

describe('grafana-modern-api.json (schema 39, {dashboard, meta} wrapper)', () => {
  const r = convertGrafanaDashboard(fixture('grafana-modern-api'));
  const P = '$.dashboard.panels';

  it('unwraps the API export and names paths under $.dashboard', () => {
    expect(r).toMatchObject({ title: 'Checkout service', uid: 'checkout-svc', tags: ['checkout', 'slo'] });
    expect(r.warnings.every((w) => w.path.startsWith('$.dashboard'))).toBe(true);
    expectStorable(r);
  });

  it('flattens a collapsed row: its panels take its place and the panels below move down', () => {
    expect(r.model.panels.map((p) => [p.title, p.gridPos.y, p.gridPos.h])).toEqual([
      ['Latency', 0, 8],
      ['Requests by code', 0, 8],
      ['Error ratio', 8, 4],
      ['CPU', 8, 4],
      ['Memory by pod', 8, 4],
      ['Requests by method', 8, 4],
      ['Latency distribution', 12, 9],
      ['Pods', 12, 9],
      ['Error logs', 21, 8],
      ['Owner', 21, 8],
      ['Target state', 21, 8],
    ]);
    expect(warningAt(r, `${P}[6]`)[0]).toContain('row "Details"');
    expect(warningAt(r, `${P}[7]`)[0]).toContain('row "Logs and notes"');
  });

  it('keeps unique ids and renumbers duplicates and missing ones', () => {
    expect(r.model.panels.map((p) => p.id)).toEqual([2, 34, 35, 4, 5, 6, 21, 22, 31, 32, 33]);
  });

  it('maps timeseries field config: percentage thresholds through min/max, stacking, legend, overrides warning', () => {
    const lat = panel(r, 'Latency');
    expect(lat.fieldConfig).toEqual({
      unit: 's',
      decimals: null,
      min: 0,
      max: 2,
      thresholds: [
        { value: null, color: '#73BF69' },
        { value: 1, color: '#FF780A' },
        { value: 1.5, color: '#C4162A' },
      ],
    });
    expect(lat.options).toEqual({ drawStyle: 'line', stacking: 'normal', lineWidth: 1, showThresholds: true, legend: 'right' });
    expect(lat.targets.map((t) => t.refId)).toEqual(['A', 'B']);
    expect(lat.interval).toBe('');
    expect(warningAt(r, `${P}[0].targets[1].refId`)).toEqual(['"A" is used twice; renamed "B"']);
    expect(warningAt(r, `${P}[0].interval`)).toEqual(['min interval "$min_step" is not a fixed duration; the panel uses the automatic step']);
    expect(warningAt(r, `${P}[0].fieldConfig.overrides`)[0]).toContain('1 field override(s)');
    expect(warningAt(r, `${P}[0].fieldConfig.defaults.thresholds.mode`)[0]).toContain('using min 0 and max 2');
    expect(warningAt(r, `${P}[0].fieldConfig.defaults.custom.thresholdsStyle`)).toHaveLength(1);
    expect(warningAt(r, `${P}[0].fieldConfig.defaults.custom.lineInterpolation`)).toHaveLength(1);
  });

  it('maps bars over time to lines with a warning and a hidden legend', () => {
    const p = panel(r, 'Requests by code');
    expect(p.options).toMatchObject({ drawStyle: 'area', legend: 'hidden' });
    expect(warningAt(r, `${P}[1].fieldConfig.defaults.custom.drawStyle`)[0]).toContain('bars over time');
  });

  it('maps stat, gauge, bargauge and piechart reducers and options', () => {
    expect(panel(r, 'Error ratio').options).toEqual({ reducer: 'mean', colorMode: 'background', sparkline: true });
    expect(warningAt(r, `${P}[2].options.reduceOptions.calcs`)).toEqual(['only the first calculation (mean) is used']);
    expect(panel(r, 'Error ratio').fieldConfig.thresholds[1]).toEqual({ value: 0.01, color: '#EAB839' });
    expect(panel(r, 'CPU')).toMatchObject({ type: 'gauge', options: { reducer: 'max' }, fieldConfig: { unit: 'percent', min: 0, max: 100 } });
    expect(panel(r, 'Memory by pod')).toMatchObject({ type: 'bar', options: { reducer: 'last', orientation: 'vertical' } });
    expect(panel(r, 'Memory by pod').targets[0]!.instant).toBe(true);
    expect(panel(r, 'Requests by method')).toMatchObject({ type: 'pie', options: { reducer: 'last', donut: true } });
    expect(warningAt(r, `${P}[5].options.reduceOptions.calcs`)).toEqual(['calculation "stdDev" is not supported; the last value is shown']);
  });

  it('maps heatmap from buckets, table with a transformation warning (disabled ones skipped)', () => {
    expect(panel(r, 'Latency distribution')).toMatchObject({ type: 'heatmap', options: { source: 'buckets' } });
    expect(panel(r, 'Pods')).toMatchObject({ type: 'table', options: { columns: [] } });
    expect(warningAt(r, `${P}[6].panels[1].transformations[0]`)[0]).toContain('"organize"');
    expect(warningAt(r, `${P}[6].panels[1].transformations[1]`)).toEqual([]);
  });

  it('replaces a Loki logs panel by a note, drops Loki queries from mixed panels, strips HTML', () => {
    expect(panel(r, 'Error logs')).toMatchObject({ type: 'text', targets: [], options: { mode: 'plain' } });
    expect(warningAt(r, `${P}[8].datasource`)).toEqual(['data source "loki" is not Prometheus; its queries are dropped']);
    expect(warningAt(r, `${P}[8].type`)[0]).toContain('"logs" is not supported; a note takes its place');
    const state = panel(r, 'Target state');
    expect(state.targets.map((t) => t.expr)).toEqual(['up{service="checkout"}']);
    expect(warningAt(r, `${P}[10].targets[1].datasource`)).toEqual(['data source "loki" is not Prometheus; the query is dropped']);
    expect(panel(r, 'Owner').options).toEqual({ mode: 'plain', content: 'Owner: payments\nSLO 99.9%' });
  });

  it('maps variables: object query with named-group regex, interval with auto, custom pairs, textbox, and drops the rest', () => {
    const L = '$.dashboard.templating.list';
    expect(r.model.variables.map((v) => v.name)).toEqual(['instance', 'interval', 'region', 'min_step']);
    expect(r.model.variables[0]).toMatchObject({ kind: 'query', query: 'label_values(up{service="checkout"}, instance)', regex: '/(?<text>[^:]+):(?<value>.*)/', refresh: 'time-range', sort: 'alpha-asc', current: ['10.0.0.1:8080', '10.0.0.2:8080'] });
    expect(warningAt(r, `${L}[1].sort`)[0]).toContain('case-insensitive');
    expect(r.model.variables[1]).toEqual({ kind: 'interval', name: 'interval', label: '', multi: false, includeAll: false, allValue: null, options: ['1m', '5m', '10m', '30m', '1h'], auto: true, autoCount: 50, autoMin: '30s', current: ['auto'] });
    expect(warningAt(r, `${L}[2].query`)).toEqual(['"1M" is not a duration; dropped']);
    expect(r.model.variables[2]).toMatchObject({ kind: 'custom', options: ['eu', 'us', 'ap,south'], current: ['eu'] });
    expect(warningAt(r, `${L}[3].query`)[0]).toContain('"text : value"');
    expect(r.model.variables[3]).toMatchObject({ kind: 'custom', options: ['5m'], current: ['5m'] });
    expect(warningAt(r, `${L}[4]`)[0]).toContain('text box');
    expect(warningAt(r, `${L}[0]`)[0]).toContain('data source variables are not supported');
    expect(warningAt(r, `${L}[5]`)[0]).toContain('ad hoc filters');
    expect(warningAt(r, `${L}[6].datasource`)[0]).toContain('"loki"');
  });

  it('keeps the absolute time range, reports time zone, annotations and links', () => {
    expect(r.model.time).toEqual({ kind: 'absolute', fromMs: Date.UTC(2024, 4, 1), toMs: Date.UTC(2024, 4, 2) });
    expect(r.model.timezone).toBe('local');
    expect(warningAt(r, '$.dashboard.timezone')[0]).toContain('"Europe/Berlin"');
    expect(warningAt(r, '$.dashboard.annotations')).toEqual(['1 annotation query is not imported']);
    expect(warningAt(r, '$.dashboard.links')).toEqual(['dashboard links are not imported']);
  });
});

describe('convertGrafanaDashboard: edge cases', () => {
  const minimal = (extra: Record<string, unknown>) => ({ schemaVersion: 39, title: 't', panels: [], ...extra });

  it.each([
    ['now-7d', 'now', { kind: 'relative', last: '7d' }, null],
    ['now-30m', 'now', { kind: 'relative', last: '30m' }, null],
    ['now-2d', 'now-1d', { kind: 'relative', last: '2d' }, 'ends before now'],
    ['now-1d/d', 'now-1d/d', { kind: 'relative', last: '2d' }, 'rounding'],
    ['now-3M', 'now', { kind: 'relative', last: '90d' }, 'months'],
    ['1714521600000', '1714608000000', { kind: 'absolute', fromMs: 1714521600000, toMs: 1714608000000 }, null],
    ['tomorrow', 'now', { kind: 'relative', last: '6h' }, 'not a range'],
  ])('time %s to %s', (from, to, expected, warning) => {
    const r = convertGrafanaDashboard(minimal({ time: { from, to } }));
    expect(r.model.time).toEqual(expected);
    if (warning === null) expect(warningAt(r, '$.time')).toEqual([]);
    else expect(warningAt(r, '$.time')[0]).toContain(warning);
  });

  it('refuses what is not a Grafana dashboard, naming the path', () => {
    const cases: [unknown, string][] = [
      ['{', '$'],
      [[1], '$'],
      [{ hello: 'world' }, '$'],
      [{ dashboard: { hello: 1 }, meta: {} }, '$.dashboard'],
      [{ panels: {} }, '$.panels'],
      [{ apiVersion: 'dashboard.grafana.app/v2beta1', kind: 'Dashboard', spec: {} }, '$.apiVersion'],
    ];
    for (const [input, path] of cases) {
      try {
        convertGrafanaDashboard(input);
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(GrafanaImportError);
        expect((err as GrafanaImportError).path).toBe(path);
      }
    }
  });

  it('reports a missing or too new schemaVersion, bad refresh and keeps going', () => {
    expect(warningAt(convertGrafanaDashboard({ title: 'x', panels: [] }), '$.schemaVersion')[0]).toContain('missing');
    expect(warningAt(convertGrafanaDashboard(minimal({ schemaVersion: 45 })), '$.schemaVersion')[0]).toContain('newer');
    const r = convertGrafanaDashboard(minimal({ refresh: 'often' }));
    expect(r.model.refresh).toBe('');
    expect(warningAt(r, '$.refresh')[0]).toContain('"often"');
    expect(r.title).toBe('t');
    expect(convertGrafanaDashboard({ schemaVersion: 39 }).title).toBe('Imported dashboard');
  });

  it('fits panels to the grid, places panels without gridPos below, and renumbers bad ids', () => {
    const r = convertGrafanaDashboard(
      minimal({
        panels: [
          { id: 0, type: 'timeseries', title: 'wide', gridPos: { x: 20, y: 0, w: 8, h: 1 }, targets: [{ expr: 'up' }] },
          { id: -3, type: 'stat', title: 'nowhere', targets: [{ expr: 'up', refId: 'bad ref!' }] },
          { id: 7, type: 'gauge', title: 'seven', gridPos: { x: 0, y: 0, w: 4, h: 4 } },
        ],
      }),
    );
    expect(r.model.panels.map((p) => [p.title, p.id, p.gridPos])).toEqual([
      ['seven', 7, { x: 0, y: 0, w: 4, h: 4 }],
      ['wide', 8, { x: 20, y: 0, w: 4, h: 2 }],
      ['nowhere', 9, { x: 0, y: 4, w: 12, h: 8 }],
    ]);
    expect(warningAt(r, '$.panels[0].gridPos')[0]).toContain('does not fit');
    expect(warningAt(r, '$.panels[0].gridPos.h')[0]).toContain('below the minimum');
    expect(warningAt(r, '$.panels[1].gridPos')[0]).toContain('missing');
    expect(warningAt(r, '$.panels[1].targets[0].refId')).toEqual(['"bad ref!" is not a valid refId; renamed "A"']);
    expectStorable(r);
  });

  it('reports panel-level features it cannot keep', () => {
    const r = convertGrafanaDashboard(
      minimal({
        panels: [
          { id: 1, type: 'graph', gridPos: { x: 0, y: 0, w: 12, h: 8 }, repeat: 'instance', timeFrom: '1h', timeShift: '1d', links: [{ url: 'x' }], alert: { name: 'a' }, xaxis: { mode: 'series' }, steppedLine: true, targets: [{ expr: 'up', refId: 'A', intervalFactor: 3, instant: true, range: true }] },
          { id: 2, type: 'dashlist', gridPos: { x: 12, y: 0, w: 12, h: 8 } },
          { id: 3, type: 'heatmap', dataFormat: 'timeseries', gridPos: { x: 0, y: 8, w: 12, h: 8 }, targets: [{ expr: 'rate(x[5m])', refId: 'A' }] },
          { id: 4, libraryPanel: { uid: 'lib1', name: 'Shared CPU' }, gridPos: { x: 12, y: 8, w: 12, h: 8 } },
          { id: 5, type: 'text', mode: 'code', content: 'x = 1', gridPos: { x: 0, y: 16, w: 12, h: 4 } },
          { id: 6, type: 'barchart', gridPos: { x: 12, y: 16, w: 12, h: 4 }, targets: [{ expr: 'up', refId: 'A' }] },
        ],
      }),
    );
    const at = (p: string) => warningAt(r, `$.panels[0].${p}`);
    expect(at('repeat')[0]).toContain('$instance');
    expect(at('timeFrom')).toHaveLength(1);
    expect(at('timeShift')).toHaveLength(1);
    expect(at('links')).toHaveLength(1);
    expect(at('alert')).toHaveLength(1);
    expect(at('xaxis.mode')).toHaveLength(1);
    expect(at('steppedLine')).toHaveLength(1);
    expect(at('targets[0].intervalFactor')[0]).toContain('1/3');
    expect(at('targets[0].instant')[0]).toContain('both as range and instant');
    expect(r.model.panels[1]).toMatchObject({ type: 'text', options: { mode: 'plain', content: 'Grafana panel type "dashlist" is not supported by Pharos.' } });
    expect(r.model.panels[2]).toMatchObject({ type: 'heatmap', options: { source: 'series' } });
    expect(warningAt(r, '$.panels[2].dataFormat')[0]).toContain('one row per series');
    expect(r.model.panels[3]).toMatchObject({ type: 'text', options: { content: 'Library panel "Shared CPU" was not imported.' } });
    expect(warningAt(r, '$.panels[3].libraryPanel')[0]).toContain('"Shared CPU"');
    expect(r.model.panels[4]).toMatchObject({ type: 'text', options: { mode: 'plain', content: 'x = 1' } });
    expect(warningAt(r, '$.panels[4].mode')[0]).toContain('"code"');
    expect(r.model.panels[5]).toMatchObject({ type: 'bar', options: { reducer: 'last' } });
    expect(warningAt(r, '$.panels[5].type')[0]).toContain('barchart');
  });

  it('resolves data sources: default, named, $variable, mixed, Grafana', () => {
    const r = convertGrafanaDashboard(
      minimal({
        templating: { list: [{ type: 'datasource', name: 'ds', query: 'prometheus' }, { type: 'datasource', name: 'logs', query: 'loki' }] },
        panels: [
          { id: 1, type: 'timeseries', datasource: 'My Prometheus', gridPos: { x: 0, y: 0, w: 6, h: 4 }, targets: [{ expr: 'a', refId: 'A' }] },
          { id: 2, type: 'timeseries', datasource: '$ds', gridPos: { x: 6, y: 0, w: 6, h: 4 }, targets: [{ expr: 'b', refId: 'A' }] },
          { id: 3, type: 'timeseries', datasource: '${logs}', gridPos: { x: 12, y: 0, w: 6, h: 4 }, targets: [{ expr: '{a="b"}', refId: 'A' }] },
          { id: 4, type: 'timeseries', datasource: '-- Mixed --', gridPos: { x: 18, y: 0, w: 6, h: 4 }, targets: [{ expr: 'c', refId: 'A', datasource: { type: 'prometheus', uid: 'p' } }, { refId: 'B', datasource: { type: 'testdata', uid: 't' }, scenarioId: 'random_walk' }] },
          { id: 5, type: 'timeseries', datasource: '-- Grafana --', gridPos: { x: 0, y: 4, w: 6, h: 4 }, targets: [{ refId: 'A', queryType: 'randomWalk' }] },
        ],
      }),
    );
    expect(r.model.panels.map((p) => p.targets.length)).toEqual([1, 1, 0, 1, 0]);
    expect(warningAt(r, '$.panels[2].datasource')).toEqual(['data source "loki" is not Prometheus; its queries are dropped']);
    expect(warningAt(r, '$.panels[3].targets[1].datasource')).toEqual(['data source "testdata" is not Prometheus; the query is dropped']);
    expect(warningAt(r, '$.panels[4].datasource')[0]).toContain('"grafana"');
  });

  it('maps variable edge cases: sort numbers, refresh never, hidden, bad names, duplicates, single value from an array', () => {
    const r = convertGrafanaDashboard(
      minimal({
        templating: {
          list: [
            { type: 'query', name: 'a', query: 'label_values(x)', sort: 4, refresh: 0, hide: 2, current: { value: ['p', 'q'] } },
            { type: 'query', name: 'a', query: 'label_values(y)' },
            { type: 'query', name: 'my-var', query: 'label_values(y)' },
            { type: 'query', name: 'e', query: '' },
            { type: 'query', name: 'r', query: 'label_values(y)', regex: '([' },
            { type: 'custom', name: 'c', query: 'x', includeAll: true, current: { value: '$__all' } },
            { type: 'switch', name: 's' },
          ],
        },
      }),
    );
    const L = '$.templating.list';
    expect(r.model.variables.map((v) => v.name)).toEqual(['a', 'r', 'c']);
    expect(r.model.variables[0]).toMatchObject({ sort: 'numeric-desc', refresh: 'load', current: ['p'] });
    expect(warningAt(r, `${L}[0].refresh`)[0]).toContain('"never"');
    expect(warningAt(r, `${L}[0].hide`)[0]).toContain('hidden variables');
    expect(warningAt(r, `${L}[0].current`)[0]).toContain('single-value');
    expect(warningAt(r, `${L}[1].name`)[0]).toContain('defined twice');
    expect(warningAt(r, `${L}[2].name`)[0]).toContain('"my-var"');
    expect(warningAt(r, `${L}[3].query`)[0]).toContain('empty');
    expect(r.model.variables[1]).toMatchObject({ regex: '' });
    expect(warningAt(r, `${L}[4].regex`)[0]).toContain('not a valid regular expression');
    expect(r.model.variables[2]).toMatchObject({ current: ['$__all'], includeAll: true });
    expect(warningAt(r, `${L}[6].type`)[0]).toContain('"switch"');
  });
});
