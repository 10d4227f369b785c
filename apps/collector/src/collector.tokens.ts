export const METRIC_INGESTOR = Symbol('MetricIngestor');
