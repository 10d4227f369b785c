export type {
  MetricStore,
  MetricStoreCapabilities,
  AppendResult,
  SelectQuery,
  SeriesSamples,
  RollupQuery,
  RollupField,
  SeriesRollups,
  CounterRollupQuery,
  SeriesCounterRollups,
  SeriesQuery,
  LabelNamesQuery,
  LabelValuesQuery,
  DeleteQuery,
  ExemplarQuery,
  StoredExemplar,
  SeriesExemplars,
  MetadataQuery,
  MetricStoreStats,
  LoopDelay,
  StoreMemory,
  RecordsAppendResult,
} from './metrics/port.js';
export { UnsupportedQueryError } from './metrics/port.js';
export { counterRollupsOf, runningTotals, COUNTER_SOURCE_FIELDS } from './metrics/rollup-counter.js';
export { WriteLog } from './metrics/write-log.js';
export type { TenantWriteLog } from './metrics/write-log.js';
export { WriteTrackingStore, writeLogOf } from './metrics/write-tracking-store.js';
export type { WriteLoggingStore } from './metrics/write-tracking-store.js';
export { DuckDBMetricStore } from './metrics/duckdb/duckdb-metric-store.js';
export type { DuckDBMetricStoreOptions } from './metrics/duckdb/duckdb-metric-store.js';
export { encodeHistogram, decodeHistogram } from './metrics/duckdb/histogram-codec.js';
export { StoreHost, type RecordAppender } from './metrics/thread/store-host.js';
export { ThreadedMetricStore } from './metrics/thread/threaded-metric-store.js';
export type { MessageEndpoint, StoreRequest, StoreResponse } from './metrics/thread/messages.js';
export { serializeError } from './metrics/thread/store-host.js';
