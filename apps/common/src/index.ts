export { CONFIG, LOGGER, SELF_METRICS, STREAM, METRIC_STORE, TENANT_RESOLVER, READINESS } from './tokens.js';
export { Readiness } from './readiness.js';
export { sendPrometheusData, sendPrometheusError } from './prometheus-api-response.js';
export type { PrometheusErrorType } from './prometheus-api-response.js';
