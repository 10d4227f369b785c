export const METRIC_INGESTOR = Symbol('MetricIngestor');
export const DECODE_POOL = Symbol('IngestDecodePool');
