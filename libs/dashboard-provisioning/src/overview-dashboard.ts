import {
  DASHBOARD_SCHEMA_VERSION,
  DEFAULT_FIELD_CONFIG,
  DEFAULT_PANEL_OPTIONS,
  type DashboardModel,
  type FieldConfig,
  type GridPos,
  type PanelTarget,
  type StatPanel,
  type Threshold,
  type TimeseriesPanel,
} from '#pharos/dashboard-model';

/**
 * The built-in "Pharos overview" dashboard over Pharos' own metrics (written by
 * self-monitoring, libs/self-monitoring): stats at the top, time series below, on the
 * 24-column grid. A typed constant rather than a JSON file, so the compiler checks it against
 * the model and the build needs no asset copying; `parseDashboardModel` accepts it (tested).
 *
 * Every expression selects `job="pharos"` and the `$instance` variable, so one dashboard
 * covers one process or a scaled deployment; rates use a fixed 5m window (20 samples at the
 * default 15s interval) rather than a console built-in, so each expression is plain PromQL.
 */

const GREEN = '#56a64b';
const ORANGE = '#ff9830';
const RED = '#e02f44';

/** Selector of a self-metric on the chosen instances. */
function sel(metric: string, extra = ''): string {
  return `${metric}{job="pharos",instance=~"$instance"${extra === '' ? '' : `,${extra}`}}`;
}

function target(refId: string, expr: string, legendFormat = '', instant = false): PanelTarget {
  return { refId, expr, legendFormat, instant, hide: false };
}

function fields(unit: string, thresholds: readonly Threshold[] = [], extra: Partial<FieldConfig> = {}): FieldConfig {
  return { ...DEFAULT_FIELD_CONFIG, unit, thresholds, ...extra };
}

function stat(id: number, title: string, description: string, x: number, expr: string, fieldConfig: FieldConfig): StatPanel {
  const gridPos: GridPos = { x, y: 0, w: 4, h: 4 };
  return {
    id,
    type: 'stat',
    title,
    description,
    gridPos,
    targets: [target('A', expr)],
    fieldConfig,
    options: { ...DEFAULT_PANEL_OPTIONS.stat, reducer: 'last', colorMode: 'value', sparkline: true },
    interval: '',
  };
}

function series(
  id: number,
  title: string,
  description: string,
  gridPos: GridPos,
  targets: readonly PanelTarget[],
  fieldConfig: FieldConfig,
  stacking: 'none' | 'normal' = 'none',
): TimeseriesPanel {
  return {
    id,
    type: 'timeseries',
    title,
    description,
    gridPos,
    targets,
    fieldConfig,
    options: { ...DEFAULT_PANEL_OPTIONS.timeseries, stacking, drawStyle: stacking === 'none' ? 'line' : 'area' },
    interval: '',
  };
}

const left = (y: number): GridPos => ({ x: 0, y, w: 12, h: 8 });
const right = (y: number): GridPos => ({ x: 12, y, w: 12, h: 8 });

const rate = (metric: string, extra = ''): string => `rate(${sel(metric, extra)}[5m])`;
const quantile = (q: number, histogram: string): string => `histogram_quantile(${q}, sum by (le) (${rate(`${histogram}_bucket`)}))`;

const model: DashboardModel = {
  schemaVersion: DASHBOARD_SCHEMA_VERSION,
  time: { kind: 'relative', last: '1h' },
  refresh: '30s',
  live: false,
  timezone: 'local',
  variables: [
    {
      kind: 'query',
      name: 'instance',
      label: 'Instance',
      query: 'label_values(pharos_build_info{job="pharos"}, instance)',
      regex: '',
      sort: 'alpha-asc',
      refresh: 'time-range',
      multi: true,
      includeAll: true,
      allValue: '.*',
      current: ['$__all'],
    },
  ],
  panels: [
    stat(1, 'Samples ingested / s', 'Samples accepted and durably written to the stream, every intake together.', 0, `sum(${rate('pharos_ingest_samples_total')})`, fields('short')),
    stat(
      2,
      'Rejected samples / s',
      'Samples refused at ingestion (limits, malformed input), every intake together.',
      4,
      `sum(${rate('pharos_ingest_rejected_samples_total')}) or vector(0)`,
      fields('short', [
        { value: null, color: GREEN },
        { value: 0.001, color: RED },
      ]),
    ),
    stat(
      3,
      'Stream lag',
      'Records produced but not yet committed by the metric store consumer group.',
      8,
      `sum(${sel('pharos_stream_lag_records')})`,
      fields('short', [
        { value: null, color: GREEN },
        { value: 10_000, color: ORANGE },
        { value: 100_000, color: RED },
      ]),
    ),
    stat(4, 'Series', 'Series known to the metric store.', 12, `sum(${sel('pharos_store_series')})`, fields('short')),
    stat(5, 'Store on disk', 'Bytes of the metric store on disk.', 16, `sum(${sel('pharos_store_bytes_on_disk')})`, fields('bytes')),
    stat(
      6,
      'Query latency p99',
      '99th percentile of Prometheus API query time over 5 minutes.',
      20,
      quantile(0.99, 'pharos_query_duration_seconds'),
      fields('s', [
        { value: null, color: GREEN },
        { value: 1, color: ORANGE },
        { value: 5, color: RED },
      ]),
    ),

    series(
      7,
      'Samples ingested / s by intake',
      'remote_write, OTLP, scraping, InfluxDB line protocol and self-monitoring; and what the processor appended to the store.',
      left(4),
      [
        target('A', `sum by (protocol) (${rate('pharos_ingest_samples_total')})`, '{{protocol}}'),
        target('B', `sum(${rate('pharos_processor_appended_samples_total')})`, 'appended to the store'),
      ],
      fields('short', [], { min: 0 }),
    ),
    series(
      8,
      'Rejections / s by reason',
      'Samples and whole requests refused at ingestion, by intake and reason.',
      right(4),
      [
        target('A', `sum by (protocol, reason) (${rate('pharos_ingest_rejected_samples_total')})`, '{{protocol}} samples: {{reason}}'),
        target('B', `sum by (protocol, reason) (${rate('pharos_ingest_rejected_requests_total')})`, '{{protocol}} requests: {{reason}}'),
      ],
      fields('short', [], { min: 0 }),
    ),

    series(
      9,
      'Stream lag (records behind)',
      'Records produced but not yet committed, per consumer group; ingestion answers 503 past stream.max_lag_size.',
      left(12),
      [target('A', `sum by (group) (${sel('pharos_stream_lag_records')})`, '{{group}}')],
      fields('short', [], { min: 0 }),
    ),
    series(
      10,
      'Stream on disk',
      'Bytes of embedded stream segments per topic.',
      right(12),
      [target('A', `sum by (topic) (${sel('pharos_stream_bytes_on_disk')})`, '{{topic}}')],
      fields('bytes', [], { min: 0 }),
    ),

    series(
      11,
      'Store size on disk',
      'Bytes of the metric store on disk, per instance.',
      left(20),
      [target('A', `sum by (instance) (${sel('pharos_store_bytes_on_disk')})`, '{{instance}}')],
      fields('bytes', [], { min: 0 }),
    ),
    series(
      12,
      'Series in the store',
      'Series known to the metric store, and active series per tenant at the collectors.',
      right(20),
      [
        target('A', `sum by (instance) (${sel('pharos_store_series')})`, 'store {{instance}}'),
        target('B', `sum by (tenant) (${sel('pharos_ingest_active_series')})`, 'active: {{tenant}}'),
      ],
      fields('short', [], { min: 0 }),
    ),

    series(
      13,
      'Query latency',
      'Median and 99th percentile of Prometheus API query time (pharos_query_duration_seconds).',
      left(28),
      [
        target('A', quantile(0.5, 'pharos_query_duration_seconds'), 'p50'),
        target('B', quantile(0.99, 'pharos_query_duration_seconds'), 'p99'),
      ],
      fields('s', [], { min: 0 }),
    ),
    series(
      14,
      'Queries / s',
      'Prometheus API requests by endpoint and outcome.',
      right(28),
      [target('A', `sum by (endpoint, outcome) (${rate('pharos_query_requests_total')})`, '{{endpoint}} {{outcome}}')],
      fields('reqps', [], { min: 0 }),
    ),

    series(
      15,
      'GraphQL operations / s',
      'Operations of the GraphQL gateway by type and outcome.',
      left(36),
      [target('A', `sum by (operation_type, outcome) (${rate('pharos_graphql_operations_total')})`, '{{operation_type}} {{outcome}}')],
      fields('reqps', [], { min: 0 }),
    ),
    series(
      16,
      'Active GraphQL subscriptions',
      'Live panels open over WebSocket.',
      right(36),
      [target('A', `sum by (instance) (${sel('pharos_graphql_subscriptions_active')})`, '{{instance}}')],
      fields('short', [], { min: 0, decimals: 0 }),
    ),

    series(
      17,
      'Scrapes / s by result',
      'Scrapes of configured targets by job and result: failures are targets down.',
      left(44),
      [target('A', `sum by (exported_job, result) (${rate('pharos_scrape_scrapes_total')})`, '{{exported_job}} {{result}}')],
      fields('reqps', [], { min: 0 }),
    ),
    series(
      18,
      'Scrape targets',
      'Targets per job: active (scraped) and dropped by relabeling.',
      right(44),
      [target('A', `sum by (exported_job, state) (${sel('pharos_scrape_targets')})`, '{{exported_job}} {{state}}')],
      fields('short', [], { min: 0, decimals: 0 }),
    ),

    series(
      19,
      'CPU',
      'CPU time used per second of each Pharos process (1 = one core).',
      left(52),
      [target('A', `sum by (instance) (${rate('pharos_process_cpu_seconds_total')})`, '{{instance}}')],
      fields('percentunit', [], { min: 0 }),
    ),
    series(
      20,
      'Resident memory',
      'Resident set size of each Pharos process.',
      right(52),
      [target('A', `sum by (instance) (${sel('pharos_process_resident_memory_bytes')})`, '{{instance}}')],
      fields('bytes', [], { min: 0 }),
    ),
  ],
};

/** uid, title and tags of the built-in overview (the uid is stable: links and provenance use it). */
export const PHAROS_OVERVIEW_UID = 'pharos-overview';

export interface BuiltInDashboard {
  readonly uid: string;
  readonly title: string;
  readonly tags: readonly string[];
  readonly model: DashboardModel;
}

export const PHAROS_OVERVIEW: BuiltInDashboard = {
  uid: PHAROS_OVERVIEW_UID,
  title: 'Pharos overview',
  tags: ['pharos'],
  model,
};
