export { MetricIngestor } from './metric-ingestor.js';
export type { IngestOutcome, MetricIngestorDeps } from './metric-ingestor.js';
export { IngestRefusedError } from './ingest-errors.js';
export { splitByPartition } from './partition-split.js';
export { StreamLagMonitor } from './lag-monitor.js';
