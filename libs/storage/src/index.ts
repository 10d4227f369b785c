export type {
  MetricStore,
  MetricStoreCapabilities,
  AppendResult,
  SelectQuery,
  SeriesSamples,
  RollupQuery,
  SeriesRollups,
  SeriesQuery,
  LabelNamesQuery,
  LabelValuesQuery,
  DeleteQuery,
  ExemplarQuery,
  StoredExemplar,
  SeriesExemplars,
  MetadataQuery,
  MetricStoreStats,
} from './metrics/port.js';
export { UnsupportedQueryError } from './metrics/port.js';
export { DuckDBMetricStore } from './metrics/duckdb/duckdb-metric-store.js';
export type { DuckDBMetricStoreOptions } from './metrics/duckdb/duckdb-metric-store.js';
export { encodeHistogram, decodeHistogram } from './metrics/duckdb/histogram-codec.js';
