/**
 * The records of the metadata store, as the rest of Pharos sees them: plain readonly data.
 * Times are milliseconds since the Unix epoch (UTC) in every database, so both dialects
 * compare and sort them the same way.
 */

/** Roles a user or API key holds in one tenant, weakest first. */
export const ROLES = ['viewer', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface TenantRecord {
  /** The id requests carry (`X-Scope-OrgID`, the store's series key). */
  readonly id: string;
  readonly name: string;
  /** A disabled tenant's keys and sessions stop working; its data stays. */
  readonly disabled: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface UserRecord {
  readonly id: string;
  /** Unique, compared case-insensitively (stored lower-case). */
  readonly login: string;
  readonly email: string | null;
  readonly name: string;
  /** PHC string of the password hash; null for a user who cannot log in with a password. */
  readonly passwordHash: string | null;
  /** Manages tenants and every tenant's users (Grafana's server admin). */
  readonly serverAdmin: boolean;
  readonly mustChangePassword: boolean;
  readonly disabled: boolean;
  /** Consecutive failed logins since the last success (drives the lockout). */
  readonly failedLoginCount: number;
  readonly lockedUntil: number | null;
  readonly passwordChangedAt: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface MembershipRecord {
  readonly userId: string;
  readonly tenantId: string;
  readonly role: Role;
  readonly createdAt: number;
}

export interface ApiKeyRecord {
  readonly id: string;
  /** The tenant whose admins manage the key (always one of `tenants`). */
  readonly ownerTenantId: string;
  /** Public part of the key, unique: the lookup handle (`phk_<prefix>_<secret>`). */
  readonly prefix: string;
  /** SHA-256 (hex) of the whole key; the key itself is never stored. */
  readonly secretHash: string;
  readonly name: string;
  readonly role: Role;
  /** Tenants the key may act for, in order: the first is used when a request names none. */
  readonly tenants: readonly string[];
  readonly createdBy: string | null;
  readonly createdAt: number;
  readonly expiresAt: number | null;
  readonly lastUsedAt: number | null;
  readonly revokedAt: number | null;
}

export interface SessionRecord {
  /** Public id, for listing and revoking sessions; not a credential. */
  readonly id: string;
  /** SHA-256 (hex) of the session token; the token itself is never stored. */
  readonly tokenHash: string;
  readonly userId: string;
  /** SHA-256 (hex) of the session's CSRF token. */
  readonly csrfHash: string;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  readonly expiresAt: number;
  readonly revokedAt: number | null;
  readonly userAgent: string | null;
  readonly ip: string | null;
}

/** Run-time overrides of a tenant's limits and retention, edited by admins. */
export interface TenantSettingsRecord {
  readonly tenantId: string;
  /** Limit name (snake_case, as under `limits.tenants.<id>` in YAML) → value. */
  readonly limits: Readonly<Record<string, number>>;
  /** Metric retention override; null uses the configured default. */
  readonly retentionMs: number | null;
  /** Optimistic concurrency: incremented by every write. */
  readonly version: number;
  readonly updatedAt: number;
  readonly updatedBy: string | null;
}

export interface FolderRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly uid: string;
  readonly title: string;
  readonly version: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface DashboardRecord {
  readonly id: string;
  readonly tenantId: string;
  /** Stable id in URLs and imports, unique per tenant (Grafana's `uid`). */
  readonly uid: string;
  readonly title: string;
  readonly tags: readonly string[];
  /** The dashboard's JSON model, as text: stored byte-exact for export. */
  readonly model: string;
  /** Optimistic concurrency: incremented by every update. */
  readonly version: number;
  /** Folder id, or null for the tenant's root. */
  readonly folderId: string | null;
  readonly createdBy: string | null;
  readonly updatedBy: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A dashboard without its model: what lists and searches return. */
export type DashboardSummary = Omit<DashboardRecord, 'model'>;
