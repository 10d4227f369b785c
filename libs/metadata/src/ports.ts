/**
 * The repositories of the metadata store: small ports, one per record kind, implemented over
 * TypeORM for SQLite and PostgreSQL (`libs/metadata/conformance` checks both).
 *
 * Contract for every implementation:
 * - A method that takes a `tenantId` MUST read and write only that tenant's rows: asking for
 *   another tenant's uid or id behaves exactly as if the row did not exist.
 * - Writes are durable when the returned promise resolves (the database committed).
 * - Unique keys are enforced by the database: a clash throws `DuplicateRecordError`, even
 *   between concurrent writers. A missing row on update/delete throws `RecordNotFoundError`;
 *   input breaking a rule throws `InvalidRecordError` naming the field.
 * - Returned records are fresh objects the caller owns.
 */
import type {
  ApiKeyRecord,
  DashboardRecord,
  DashboardSummary,
  FolderRecord,
  MembershipRecord,
  Role,
  SessionRecord,
  TenantRecord,
  TenantSettingsRecord,
  UserRecord,
} from './records.js';

export interface TenantRepository {
  create(input: { readonly id: string; readonly name?: string }): Promise<TenantRecord>;
  get(id: string): Promise<TenantRecord | undefined>;
  list(): Promise<TenantRecord[]>;
  update(id: string, patch: { readonly name?: string; readonly disabled?: boolean }): Promise<TenantRecord>;
  /** Deletes the tenant's metadata (members, keys, settings, dashboards); its metric data stays. */
  delete(id: string): Promise<void>;
}

export interface NewUser {
  readonly login: string;
  readonly name?: string;
  readonly email?: string | null;
  readonly passwordHash: string | null;
  readonly serverAdmin?: boolean;
  readonly mustChangePassword?: boolean;
}

export interface UserPatch {
  readonly name?: string;
  readonly email?: string | null;
  readonly passwordHash?: string | null;
  readonly passwordChangedAt?: number | null;
  readonly serverAdmin?: boolean;
  readonly mustChangePassword?: boolean;
  readonly disabled?: boolean;
}

export interface UserRepository {
  create(input: NewUser): Promise<UserRecord>;
  getById(id: string): Promise<UserRecord | undefined>;
  /** Case-insensitive. */
  getByLogin(login: string): Promise<UserRecord | undefined>;
  list(page?: { readonly limit?: number; readonly offset?: number }): Promise<UserRecord[]>;
  count(): Promise<number>;
  update(id: string, patch: UserPatch): Promise<UserRecord>;
  /**
   * Counts a failed login atomically (concurrent failures all count) and, when the count
   * reaches `lockAfter`, locks the user until `now + lockForMs`.
   */
  recordLoginFailure(id: string, policy: { readonly lockAfter: number; readonly lockForMs: number; readonly now: number }): Promise<UserRecord>;
  /** Clears the failure count and any lock. */
  recordLoginSuccess(id: string): Promise<void>;
  delete(id: string): Promise<void>;
}

export interface MembershipRepository {
  /** Grants `role` in the tenant, replacing an earlier role. Unknown user or tenant: InvalidRecordError. */
  set(userId: string, tenantId: string, role: Role): Promise<MembershipRecord>;
  get(userId: string, tenantId: string): Promise<MembershipRecord | undefined>;
  listForUser(userId: string): Promise<MembershipRecord[]>;
  listForTenant(tenantId: string): Promise<MembershipRecord[]>;
  /** Returns whether a membership was removed. */
  remove(userId: string, tenantId: string): Promise<boolean>;
}

export interface NewApiKey {
  readonly ownerTenantId: string;
  readonly prefix: string;
  readonly secretHash: string;
  readonly name: string;
  readonly role: Role;
  /** Must include `ownerTenantId`; the first is the default tenant of requests. */
  readonly tenants: readonly string[];
  readonly createdBy: string | null;
  readonly expiresAt: number | null;
}

export interface ApiKeyRepository {
  create(input: NewApiKey): Promise<ApiKeyRecord>;
  /** The verification lookup; not tenant-scoped because the key decides the tenant. */
  findByPrefix(prefix: string): Promise<ApiKeyRecord | undefined>;
  get(tenantId: string, id: string): Promise<ApiKeyRecord | undefined>;
  /** Keys owned by the tenant, revoked ones included, newest first. */
  listForTenant(tenantId: string): Promise<ApiKeyRecord[]>;
  revoke(tenantId: string, id: string, at: number): Promise<ApiKeyRecord>;
  /** Stores last-used times gathered in memory (one write per key, not per request). */
  recordUsage(lastUsed: ReadonlyMap<string, number>): Promise<void>;
  delete(tenantId: string, id: string): Promise<void>;
}

export interface NewSession {
  readonly tokenHash: string;
  readonly userId: string;
  readonly csrfHash: string;
  readonly expiresAt: number;
  readonly userAgent?: string | null;
  readonly ip?: string | null;
}

export interface SessionRepository {
  create(input: NewSession): Promise<SessionRecord>;
  findByTokenHash(tokenHash: string): Promise<SessionRecord | undefined>;
  get(id: string): Promise<SessionRecord | undefined>;
  /** Sessions of the user that are neither revoked nor expired at `now`. */
  listActiveForUser(userId: string, now: number): Promise<SessionRecord[]>;
  touch(id: string, lastSeenAt: number): Promise<void>;
  /** Returns whether a live session was revoked. */
  revoke(id: string, at: number): Promise<boolean>;
  /** Revokes every live session of the user but `exceptId`; returns how many. */
  revokeAllForUser(userId: string, at: number, exceptId?: string): Promise<number>;
  /** Deletes sessions that expired or were revoked before `before`; returns how many. */
  deleteEndedBefore(before: number): Promise<number>;
}

export interface TenantSettingsInput {
  readonly limits: Readonly<Record<string, number>>;
  readonly retentionMs: number | null;
}

export interface TenantSettingsRepository {
  get(tenantId: string): Promise<TenantSettingsRecord | undefined>;
  list(): Promise<TenantSettingsRecord[]>;
  /**
   * Replaces the tenant's overrides. With `expectedVersion`, the write happens only if the
   * stored version matches (0: only if none is stored), else VersionConflictError.
   */
  put(
    tenantId: string,
    input: TenantSettingsInput,
    options?: { readonly expectedVersion?: number; readonly updatedBy?: string | null },
  ): Promise<TenantSettingsRecord>;
  delete(tenantId: string): Promise<void>;
}

export interface FolderRepository {
  /** `uid` defaults to a random one. */
  create(tenantId: string, input: { readonly uid?: string; readonly title: string }): Promise<FolderRecord>;
  get(tenantId: string, uid: string): Promise<FolderRecord | undefined>;
  list(tenantId: string): Promise<FolderRecord[]>;
  update(tenantId: string, uid: string, patch: { readonly title: string }, expectedVersion: number): Promise<FolderRecord>;
  /** Refuses (InvalidRecordError) while dashboards are in the folder. */
  delete(tenantId: string, uid: string): Promise<void>;
}

export interface NewDashboard {
  readonly uid?: string;
  readonly title: string;
  readonly tags?: readonly string[];
  readonly model: string;
  /** Folder uid in the same tenant; absent or null for the root. */
  readonly folderUid?: string | null;
  readonly createdBy?: string | null;
}

export interface DashboardPatch {
  readonly title?: string;
  readonly tags?: readonly string[];
  readonly model?: string;
  /** null moves the dashboard to the root. */
  readonly folderUid?: string | null;
  readonly updatedBy?: string | null;
}

export interface DashboardSearch {
  /** Case-insensitive substring of the title. */
  readonly query?: string;
  /** Dashboards carrying every one of these tags. */
  readonly tags?: readonly string[];
  /** Folder uid; null for the root only; absent for all folders. */
  readonly folderUid?: string | null;
  readonly limit?: number;
  readonly offset?: number;
}

export interface DashboardRepository {
  create(tenantId: string, input: NewDashboard): Promise<DashboardRecord>;
  get(tenantId: string, uid: string): Promise<DashboardRecord | undefined>;
  /** Sorted by title, then uid. */
  search(tenantId: string, search?: DashboardSearch): Promise<DashboardSummary[]>;
  /**
   * Saves a new version if `expectedVersion` is the stored one; otherwise VersionConflictError
   * carrying the current version (the client reloads or overwrites knowingly).
   */
  update(tenantId: string, uid: string, patch: DashboardPatch, expectedVersion: number): Promise<DashboardRecord>;
  delete(tenantId: string, uid: string): Promise<void>;
  /** Tags in use in the tenant, with how many dashboards carry each, sorted by tag. */
  tags(tenantId: string): Promise<Array<{ readonly tag: string; readonly count: number }>>;
}
