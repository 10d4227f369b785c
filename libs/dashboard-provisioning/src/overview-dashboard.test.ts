import { describe, expect, it } from 'vitest';
import { GRID_COLUMNS, parseDashboardModel } from '#pharos/dashboard-model';
import { PHAROS_OVERVIEW } from '#pharos/dashboard-provisioning';

describe('the Pharos overview dashboard', () => {
  const model = parseDashboardModel(JSON.parse(JSON.stringify(PHAROS_OVERVIEW.model)));

  it('is accepted by parseDashboardModel unchanged', () => {
    expect(model).toEqual(PHAROS_OVERVIEW.model);
    expect(PHAROS_OVERVIEW).toMatchObject({ uid: 'pharos-overview', title: 'Pharos overview', tags: ['pharos'] });
  });

  it('has stats on top, time series below, and no two panels overlapping on the 24-column grid', () => {
    const stats = model.panels.filter((p) => p.type === 'stat');
    const series = model.panels.filter((p) => p.type === 'timeseries');
    expect(stats.length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...stats.map((p) => p.gridPos.y + p.gridPos.h))).toBeLessThanOrEqual(Math.min(...series.map((p) => p.gridPos.y)));
    const cells = new Set<string>();
    for (const p of model.panels) {
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(GRID_COLUMNS);
      for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++) {
        for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
          expect(cells.has(`${x},${y}`), `panel ${p.id} overlaps at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
    // The top row is filled edge to edge.
    expect(stats.reduce((w, p) => w + p.gridPos.w, 0)).toBe(GRID_COLUMNS);
  });

  it('covers the self-metrics the issue names, each filtered by the instance variable', () => {
    const exprs = model.panels.flatMap((p) => p.targets.map((t) => t.expr));
    for (const metric of [
      'pharos_ingest_samples_total',
      'pharos_ingest_rejected_samples_total',
      'pharos_ingest_rejected_requests_total',
      'pharos_stream_lag_records',
      'pharos_store_bytes_on_disk',
      'pharos_store_series',
      'pharos_query_duration_seconds_bucket',
      'pharos_query_requests_total',
      'pharos_graphql_operations_total',
      'pharos_process_cpu_seconds_total',
      'pharos_process_resident_memory_bytes',
      'pharos_scrape_scrapes_total',
      'pharos_scrape_targets',
    ]) {
      expect(exprs.some((e) => e.includes(`${metric}{`)), metric).toBe(true);
    }
    for (const e of exprs) expect(e).toContain('instance=~"$instance"');
    expect(model.variables).toEqual([expect.objectContaining({ kind: 'query', name: 'instance', query: 'label_values(pharos_build_info{job="pharos"}, instance)' })]);
    const units = new Set(model.panels.map((p) => p.fieldConfig.unit));
    for (const unit of ['bytes', 's', 'short', 'reqps', 'percentunit']) expect(units).toContain(unit);
  });
});
