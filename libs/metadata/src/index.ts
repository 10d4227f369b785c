export { MetadataStore } from './metadata-store.js';
export type { MetadataStoreOptions } from './metadata-store.js';
export { parseMetadataUrl, redactMetadataUrl } from './metadata-url.js';
export type { MetadataLocation } from './metadata-url.js';
export { createMetadataDataSource, runMetadataMigrations, MIGRATIONS_TABLE } from './data-source.js';
export type { DataSourceOptions } from './data-source.js';
export { METADATA_MIGRATIONS } from './migrations/index.js';
export {
  MetadataError,
  DuplicateRecordError,
  RecordNotFoundError,
  VersionConflictError,
  InvalidRecordError,
} from './errors.js';
export { ROLES } from './records.js';
export type {
  Role,
  TenantRecord,
  UserRecord,
  MembershipRecord,
  ApiKeyRecord,
  SessionRecord,
  TenantSettingsRecord,
  FolderRecord,
  DashboardRecord,
  DashboardSummary,
} from './records.js';
export type {
  TenantRepository,
  UserRepository,
  NewUser,
  UserPatch,
  MembershipRepository,
  ApiKeyRepository,
  NewApiKey,
  SessionRepository,
  NewSession,
  TenantSettingsRepository,
  TenantSettingsInput,
  FolderRepository,
  DashboardRepository,
  NewDashboard,
  DashboardPatch,
  DashboardSearch,
} from './ports.js';
export { TENANT_ID_PATTERN, UID_PATTERN, normalizeLogin } from './validation.js';
