export type { TenantResolution } from './tenant-resolver.js';
export { TenantResolver, DEFAULT_TENANT, TENANT_HEADER } from './tenant-resolver.js';
export { IngestionRateLimiter } from './rate-limiter.js';
export { ActiveSeriesTable } from './active-series.js';
