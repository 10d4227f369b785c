export type { TenantResolution, Authentication, StoredCredentialVerifiers } from './tenant-resolver.js';
export { TenantResolver, DEFAULT_TENANT, TENANT_HEADER } from './tenant-resolver.js';
export type {
  TenantRole,
  DataAccess,
  CredentialGrant,
  CredentialCheck,
  CredentialVerifier,
  CredentialSource,
  PresentedCredential,
  RequestHeaders,
} from './credentials.js';
export { presentedCredential, cookieValue, SESSION_COOKIE, CSRF_HEADER } from './credentials.js';
export { IngestionRateLimiter } from './rate-limiter.js';
export { ActiveSeriesTable } from './active-series.js';
