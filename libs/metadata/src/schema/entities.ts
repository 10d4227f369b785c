/**
 * Table mappings (TypeORM EntitySchema, so the libs need no decorators or reflect-metadata).
 * The tables themselves are created by the migrations, never by `synchronize`; the conformance
 * suite checks that these mappings and the migrated schema agree (TypeORM's schema diff is
 * empty on both databases). Constraint names are explicit for the same reason.
 */
import { EntitySchema, type ValueTransformer } from 'typeorm';

/** `bigint` comes back from node-postgres as a string (it may exceed 2^53); ours are epoch ms. */
export const epochMs: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | number | null) => (v === null || v === undefined ? null : Number(v)),
};

const ms = (name: string, nullable = false) =>
  ({ name, type: 'bigint', nullable, transformer: epochMs }) as const;

export interface TenantRow {
  id: string;
  name: string;
  disabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export const TenantEntity = new EntitySchema<TenantRow>({
  name: 'Tenant',
  tableName: 'tenants',
  columns: {
    id: { type: 'varchar', length: 150, primary: true, primaryKeyConstraintName: 'pk_tenants' },
    name: { type: 'varchar', length: 200 },
    disabled: { type: 'boolean' },
    createdAt: ms('created_at'),
    updatedAt: ms('updated_at'),
  },
});

export interface UserRow {
  id: string;
  login: string;
  email: string | null;
  name: string;
  passwordHash: string | null;
  serverAdmin: boolean;
  mustChangePassword: boolean;
  disabled: boolean;
  failedLoginCount: number;
  lockedUntil: number | null;
  passwordChangedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export const UserEntity = new EntitySchema<UserRow>({
  name: 'User',
  tableName: 'users',
  columns: {
    id: { type: 'varchar', length: 36, primary: true, primaryKeyConstraintName: 'pk_users' },
    login: { type: 'varchar', length: 100 },
    email: { type: 'varchar', length: 320, nullable: true },
    name: { type: 'varchar', length: 200 },
    passwordHash: { name: 'password_hash', type: 'varchar', length: 255, nullable: true },
    serverAdmin: { name: 'server_admin', type: 'boolean' },
    mustChangePassword: { name: 'must_change_password', type: 'boolean' },
    disabled: { type: 'boolean' },
    failedLoginCount: { name: 'failed_login_count', type: 'integer' },
    lockedUntil: ms('locked_until', true),
    passwordChangedAt: ms('password_changed_at', true),
    createdAt: ms('created_at'),
    updatedAt: ms('updated_at'),
  },
  uniques: [{ name: 'uq_users_login', columns: ['login'] }],
});

export interface MembershipRow {
  userId: string;
  tenantId: string;
  role: string;
  createdAt: number;
}

export const MembershipEntity = new EntitySchema<MembershipRow>({
  name: 'Membership',
  tableName: 'memberships',
  columns: {
    userId: { name: 'user_id', type: 'varchar', length: 36, primary: true, primaryKeyConstraintName: 'pk_memberships' },
    tenantId: { name: 'tenant_id', type: 'varchar', length: 150, primary: true, primaryKeyConstraintName: 'pk_memberships' },
    role: { type: 'varchar', length: 16 },
    createdAt: ms('created_at'),
  },
  indices: [{ name: 'ix_memberships_tenant', columns: ['tenantId'] }],
  foreignKeys: [
    { name: 'fk_memberships_user', target: 'User', columnNames: ['user_id'], referencedColumnNames: ['id'], onDelete: 'CASCADE' },
    { name: 'fk_memberships_tenant', target: 'Tenant', columnNames: ['tenant_id'], referencedColumnNames: ['id'], onDelete: 'CASCADE' },
  ],
  checks: [{ name: 'ck_memberships_role', expression: `"role" IN ('viewer', 'editor', 'admin')` }],
});

export interface ApiKeyRow {
  id: string;
  ownerTenantId: string;
  prefix: string;
  secretHash: string;
  name: string;
  role: string;
  createdBy: string | null;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export const ApiKeyEntity = new EntitySchema<ApiKeyRow>({
  name: 'ApiKey',
  tableName: 'api_keys',
  columns: {
    id: { type: 'varchar', length: 36, primary: true, primaryKeyConstraintName: 'pk_api_keys' },
    ownerTenantId: { name: 'owner_tenant_id', type: 'varchar', length: 150 },
    prefix: { type: 'varchar', length: 32 },
    secretHash: { name: 'secret_hash', type: 'varchar', length: 64 },
    name: { type: 'varchar', length: 200 },
    role: { type: 'varchar', length: 16 },
    createdBy: { name: 'created_by', type: 'varchar', length: 36, nullable: true },
    createdAt: ms('created_at'),
    expiresAt: ms('expires_at', true),
    lastUsedAt: ms('last_used_at', true),
    revokedAt: ms('revoked_at', true),
  },
  uniques: [{ name: 'uq_api_keys_prefix', columns: ['prefix'] }],
  indices: [{ name: 'ix_api_keys_owner', columns: ['ownerTenantId'] }],
  foreignKeys: [
    { name: 'fk_api_keys_owner', target: 'Tenant', columnNames: ['owner_tenant_id'], referencedColumnNames: ['id'], onDelete: 'CASCADE' },
    { name: 'fk_api_keys_creator', target: 'User', columnNames: ['created_by'], referencedColumnNames: ['id'], onDelete: 'SET NULL' },
  ],
  checks: [{ name: 'ck_api_keys_role', expression: `"role" IN ('viewer', 'editor', 'admin')` }],
});

export interface ApiKeyTenantRow {
  keyId: string;
  tenantId: string;
  position: number;
}

/** The tenants a key may act for: a table rather than a list column, so tenants are foreign keys. */
export const ApiKeyTenantEntity = new EntitySchema<ApiKeyTenantRow>({
  name: 'ApiKeyTenant',
  tableName: 'api_key_tenants',
  columns: {
    keyId: { name: 'key_id', type: 'varchar', length: 36, primary: true, primaryKeyConstraintName: 'pk_api_key_tenants' },
    tenantId: { name: 'tenant_id', type: 'varchar', length: 150, primary: true, primaryKeyConstraintName: 'pk_api_key_tenants' },
    position: { type: 'integer' },
  },
  indices: [{ name: 'ix_api_key_tenants_tenant', columns: ['tenantId'] }],
  foreignKeys: [
    { name: 'fk_api_key_tenants_key', target: 'ApiKey', columnNames: ['key_id'], referencedColumnNames: ['id'], onDelete: 'CASCADE' },
    { name: 'fk_api_key_tenants_tenant', target: 'Tenant', columnNames: ['tenant_id'], referencedColumnNames: ['id'], onDelete: 'CASCADE' },
  ],
});

export interface SessionRow {
  id: string;
  tokenHash: string;
  userId: string;
  csrfHash: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  revokedAt: number | null;
  userAgent: string | null;
  ip: string | null;
}

export const SessionEntity = new EntitySchema<SessionRow>({
  name: 'Session',
  tableName: 'sessions',
  columns: {
    id: { type: 'varchar', length: 36, primary: true, primaryKeyConstraintName: 'pk_sessions' },
    tokenHash: { name: 'token_hash', type: 'varchar', length: 64 },
    userId: { name: 'user_id', type: 'varchar', length: 36 },
    csrfHash: { name: 'csrf_hash', type: 'varchar', length: 64 },
    createdAt: ms('created_at'),
    lastSeenAt: ms('last_seen_at'),
    expiresAt: ms('expires_at'),
    revokedAt: ms('revoked_at', true),
    userAgent: { name: 'user_agent', type: 'varchar', length: 512, nullable: true },
    ip: { type: 'varchar', length: 64, nullable: true },
  },
  uniques: [{ name: 'uq_sessions_token_hash', columns: ['tokenHash'] }],
  indices: [
    { name: 'ix_sessions_user', columns: ['userId'] },
    { name: 'ix_sessions_expires', columns: ['expiresAt'] },
  ],
  foreignKeys: [
    { name: 'fk_sessions_user', target: 'User', columnNames: ['user_id'], referencedColumnNames: ['id'], onDelete: 'CASCADE' },
  ],
});

export interface TenantSettingsRow {
  tenantId: string;
  limits: string;
  retentionMs: number | null;
  version: number;
  updatedAt: number;
  updatedBy: string | null;
}

export const TenantSettingsEntity = new EntitySchema<TenantSettingsRow>({
  name: 'TenantSettings',
  tableName: 'tenant_settings',
  columns: {
    tenantId: { name: 'tenant_id', type: 'varchar', length: 150, primary: true, primaryKeyConstraintName: 'pk_tenant_settings' },
    limits: { type: 'text' },
    retentionMs: ms('retention_ms', true),
    version: { type: 'integer' },
    updatedAt: ms('updated_at'),
    updatedBy: { name: 'updated_by', type: 'varchar', length: 36, nullable: true },
  },
  foreignKeys: [
    { name: 'fk_tenant_settings_tenant', target: 'Tenant', columnNames: ['tenant_id'], referencedColumnNames: ['id'], onDelete: 'CASCADE' },
  ],
});

export interface FolderRow {
  id: string;
  tenantId: string;
  uid: string;
  title: string;
  version: number;
  createdAt: number;
  updatedAt: number;
}

export const FolderEntity = new EntitySchema<FolderRow>({
  name: 'Folder',
  tableName: 'folders',
  columns: {
    id: { type: 'varchar', length: 36, primary: true, primaryKeyConstraintName: 'pk_folders' },
    tenantId: { name: 'tenant_id', type: 'varchar', length: 150 },
    uid: { type: 'varchar', length: 40 },
    title: { type: 'varchar', length: 255 },
    version: { type: 'integer' },
    createdAt: ms('created_at'),
    updatedAt: ms('updated_at'),
  },
  uniques: [
    { name: 'uq_folders_tenant_uid', columns: ['tenantId', 'uid'] },
    { name: 'uq_folders_tenant_title', columns: ['tenantId', 'title'] },
    // The target of the dashboards' (tenant_id, folder_id) foreign key.
    { name: 'uq_folders_tenant_id', columns: ['tenantId', 'id'] },
  ],
  foreignKeys: [
    { name: 'fk_folders_tenant', target: 'Tenant', columnNames: ['tenant_id'], referencedColumnNames: ['id'], onDelete: 'CASCADE' },
  ],
});

export interface DashboardRow {
  id: string;
  tenantId: string;
  uid: string;
  title: string;
  titleLower: string;
  model: string;
  version: number;
  folderId: string | null;
  createdBy: string | null;
  updatedBy: string | null;
  createdAt: number;
  updatedAt: number;
}

export const DashboardEntity = new EntitySchema<DashboardRow>({
  name: 'Dashboard',
  tableName: 'dashboards',
  columns: {
    id: { type: 'varchar', length: 36, primary: true, primaryKeyConstraintName: 'pk_dashboards' },
    tenantId: { name: 'tenant_id', type: 'varchar', length: 150 },
    uid: { type: 'varchar', length: 40 },
    title: { type: 'varchar', length: 255 },
    // Searched with LIKE: lower-cased here because LIKE is case-sensitive in PostgreSQL only.
    titleLower: { name: 'title_lower', type: 'varchar', length: 255 },
    model: { type: 'text' },
    version: { type: 'integer' },
    folderId: { name: 'folder_id', type: 'varchar', length: 36, nullable: true },
    createdBy: { name: 'created_by', type: 'varchar', length: 36, nullable: true },
    updatedBy: { name: 'updated_by', type: 'varchar', length: 36, nullable: true },
    createdAt: ms('created_at'),
    updatedAt: ms('updated_at'),
  },
  uniques: [{ name: 'uq_dashboards_tenant_uid', columns: ['tenantId', 'uid'] }],
  indices: [{ name: 'ix_dashboards_tenant_folder', columns: ['tenantId', 'folderId'] }],
  foreignKeys: [
    { name: 'fk_dashboards_tenant', target: 'Tenant', columnNames: ['tenant_id'], referencedColumnNames: ['id'], onDelete: 'CASCADE' },
    // Composite, so a dashboard can only sit in a folder of its own tenant.
    { name: 'fk_dashboards_folder', target: 'Folder', columnNames: ['tenant_id', 'folder_id'], referencedColumnNames: ['tenant_id', 'id'] },
  ],
});

export interface DashboardTagRow {
  dashboardId: string;
  tag: string;
  tenantId: string;
}

export const DashboardTagEntity = new EntitySchema<DashboardTagRow>({
  name: 'DashboardTag',
  tableName: 'dashboard_tags',
  columns: {
    dashboardId: { name: 'dashboard_id', type: 'varchar', length: 36, primary: true, primaryKeyConstraintName: 'pk_dashboard_tags' },
    tag: { type: 'varchar', length: 100, primary: true, primaryKeyConstraintName: 'pk_dashboard_tags' },
    tenantId: { name: 'tenant_id', type: 'varchar', length: 150 },
  },
  indices: [{ name: 'ix_dashboard_tags_tenant_tag', columns: ['tenantId', 'tag'] }],
  foreignKeys: [
    { name: 'fk_dashboard_tags_dashboard', target: 'Dashboard', columnNames: ['dashboard_id'], referencedColumnNames: ['id'], onDelete: 'CASCADE' },
  ],
});

export const METADATA_ENTITIES = [
  TenantEntity,
  UserEntity,
  MembershipEntity,
  ApiKeyEntity,
  ApiKeyTenantEntity,
  SessionEntity,
  TenantSettingsEntity,
  FolderEntity,
  DashboardEntity,
  DashboardTagEntity,
];
