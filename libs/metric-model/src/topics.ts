/**
 * Stream names of the metrics write path, shared by the collector (producer) and the
 * processor (consumer). The topic carries `encodeMetricBatch` records keyed by tenant; the
 * version suffix changes if that encoding ever changes incompatibly.
 */
export const METRICS_TOPIC = 'pharos.metrics.v1';

/** Consumer group of the processor that appends to the metric store. */
export const METRIC_STORE_GROUP = 'pharos.metric-store';
