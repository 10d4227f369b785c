/**
 * Injection tokens of the infrastructure the platform builds before NestJS starts (see
 * apps/pharos/src/platform.ts) and that role modules inject. Symbols, not classes, keep
 * libs free of NestJS.
 */
export const CONFIG = Symbol('PharosConfig');
export const LOGGER = Symbol('Logger');
export const SELF_METRICS = Symbol('SelfMetrics');
export const STREAM = Symbol('Stream');
export const METRIC_STORE = Symbol('MetricStore');
export const TENANT_RESOLVER = Symbol('TenantResolver');
export const READINESS = Symbol('Readiness');
