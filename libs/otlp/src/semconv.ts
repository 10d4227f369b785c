/**
 * Names with a meaning fixed outside Pharos: OpenTelemetry semantic-convention attributes and
 * the Prometheus labels and suffixes the OTLP translation produces (Prometheus 3
 * `storage/remote/otlptranslator`, OpenTelemetry `compatibility/prometheus_and_openmetrics.md`).
 */

/** Resource attributes that identify the producer; they become `job` and `instance`. */
export const SERVICE_NAME = 'service.name';
export const SERVICE_NAMESPACE = 'service.namespace';
export const SERVICE_INSTANCE_ID = 'service.instance.id';
export const IDENTIFYING_RESOURCE_ATTRIBUTES: readonly string[] = [SERVICE_NAMESPACE, SERVICE_NAME, SERVICE_INSTANCE_ID];

export const JOB_LABEL = 'job';
export const INSTANCE_LABEL = 'instance';
export const METRIC_NAME = '__name__';

/** The info metric carrying a resource's other attributes. */
export const TARGET_INFO = 'target_info';
export const TARGET_INFO_HELP = 'Target metadata';

export const SCOPE_NAME_LABEL = 'otel_scope_name';
export const SCOPE_VERSION_LABEL = 'otel_scope_version';
export const SCOPE_SCHEMA_URL_LABEL = 'otel_scope_schema_url';
/** Scope attributes become labels with this prefix (before sanitisation). */
export const SCOPE_ATTRIBUTE_PREFIX = 'otel_scope_';

export const EXEMPLAR_TRACE_ID = 'trace_id';
export const EXEMPLAR_SPAN_ID = 'span_id';
/** OpenMetrics' limit on an exemplar's label set (names and values), in runes. */
export const EXEMPLAR_MAX_RUNES = 128;

export const BUCKET_LABEL = 'le';
export const QUANTILE_LABEL = 'quantile';
export const SUFFIX_SUM = '_sum';
export const SUFFIX_COUNT = '_count';
export const SUFFIX_BUCKET = '_bucket';
export const PLUS_INF = '+Inf';

/** Native histograms from OTLP get this zero threshold (Prometheus ignores OTLP's `zero_threshold`). */
export const DEFAULT_ZERO_THRESHOLD = 1e-128;
/** Exponential schemas a native histogram may have; finer OTLP scales are downscaled. */
export const MIN_EXPONENTIAL_SCALE = -4;
export const MAX_EXPONENTIAL_SCALE = 8;

/** OTLP `DataPointFlags.FLAG_NO_RECORDED_VALUE`: the point marks the series as gone. */
export const FLAG_NO_RECORDED_VALUE = 1;

/** OTLP `AggregationTemporality`. */
export const TEMPORALITY_UNSPECIFIED = 0;
export const TEMPORALITY_DELTA = 1;
export const TEMPORALITY_CUMULATIVE = 2;
