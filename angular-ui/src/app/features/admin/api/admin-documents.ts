/**
 * The GraphQL operations of the admin pages and the shapes of their answers
 * (docs/graphql/README.md, "Administration"). Plain data, so a unit test validates every
 * document against docs/graphql/schema.graphql.
 */

export type Role = 'viewer' | 'editor' | 'admin';
export const ROLES: readonly Role[] = ['viewer', 'editor', 'admin'];

export interface TenantRole {
  readonly tenantId: string;
  readonly tenantName: string | null;
  readonly role: Role;
}

export interface Me {
  readonly kind: 'user' | 'api_key' | 'local';
  readonly authEnabled: boolean;
  readonly id: string | null;
  readonly login: string | null;
  readonly serverAdmin: boolean;
  readonly mustChangePassword: boolean;
  readonly canAdminister: boolean;
  readonly tenants: readonly TenantRole[];
}

export interface Tenant {
  readonly id: string;
  readonly name: string;
  readonly disabled: boolean;
  readonly createdAt: number;
  readonly role: Role | null;
}

export interface User {
  readonly id: string;
  readonly login: string;
  readonly name: string;
  readonly email: string | null;
  readonly serverAdmin: boolean;
  readonly mustChangePassword: boolean;
  readonly disabled: boolean;
  readonly lockedUntil: number | null;
  readonly createdAt: number;
}

export interface Member {
  readonly role: Role;
  readonly user: User;
}

export interface Account {
  readonly user: User;
  readonly tenants: readonly TenantRole[];
}

export interface ApiKey {
  readonly id: string;
  readonly name: string;
  readonly prefix: string;
  readonly role: Role;
  readonly tenants: readonly string[];
  readonly ownerTenantId: string;
  readonly createdAt: number;
  readonly expiresAt: number | null;
  readonly lastUsedAt: number | null;
  readonly revokedAt: number | null;
}

export interface LimitValue {
  readonly name: string;
  readonly value: number;
}

export interface TenantSettings {
  readonly tenantId: string;
  readonly limits: readonly LimitValue[];
  readonly retentionMs: number | null;
  readonly version: number;
  readonly updatedAt: number | null;
  readonly effective: readonly LimitValue[];
  readonly effectiveRetentionMs: number;
}

const USER_FIELDS = 'id login name email serverAdmin mustChangePassword disabled lockedUntil createdAt';
const TENANT_FIELDS = 'id name disabled createdAt role';
const KEY_FIELDS = 'id name prefix role tenants ownerTenantId createdAt expiresAt lastUsedAt revokedAt';
const SETTINGS_FIELDS = 'tenantId limits { name value } retentionMs version updatedAt effective { name value } effectiveRetentionMs';

export const ME = `query AdminMe { me { kind authEnabled id login serverAdmin mustChangePassword canAdminister tenants { tenantId tenantName role } } }`;

export const TENANTS = `query AdminTenants { tenants { ${TENANT_FIELDS} } }`;
export const CREATE_TENANT = `mutation AdminCreateTenant($input: CreateTenantInput!) { createTenant(input: $input) { ${TENANT_FIELDS} } }`;
export const UPDATE_TENANT = `mutation AdminUpdateTenant($id: String!, $patch: TenantPatchInput!) { updateTenant(id: $id, patch: $patch) { ${TENANT_FIELDS} } }`;

export const MEMBERS = `query AdminMembers($tenant: String!) { tenantMembers(tenant: $tenant) { role user { ${USER_FIELDS} } } }`;
export const INVITE_MEMBER = `mutation AdminInvite($tenant: String!, $input: InviteMemberInput!) {
  inviteMember(tenant: $tenant, input: $input) { temporaryPassword member { role user { ${USER_FIELDS} } } }
}`;
export const CHANGE_ROLE = `mutation AdminChangeRole($tenant: String!, $userId: String!, $role: Role!) {
  changeMemberRole(tenant: $tenant, userId: $userId, role: $role) { role user { ${USER_FIELDS} } }
}`;
export const REMOVE_MEMBER = `mutation AdminRemoveMember($tenant: String!, $userId: String!) { removeMember(tenant: $tenant, userId: $userId) }`;

export const API_KEYS = `query AdminKeys($tenant: String!) { apiKeys(tenant: $tenant) { ${KEY_FIELDS} } }`;
export const CREATE_KEY = `mutation AdminCreateKey($tenant: String!, $input: CreateApiKeyInput!) {
  createApiKey(tenant: $tenant, input: $input) { secret apiKey { ${KEY_FIELDS} } }
}`;
export const REVOKE_KEY = `mutation AdminRevokeKey($tenant: String!, $id: String!) { revokeApiKey(tenant: $tenant, id: $id) { ${KEY_FIELDS} } }`;

export const SETTINGS = `query AdminSettings($tenant: String!) { tenantSettings(tenant: $tenant) { ${SETTINGS_FIELDS} } }`;
export const UPDATE_SETTINGS = `mutation AdminUpdateSettings($tenant: String!, $input: TenantSettingsInput!) {
  updateTenantSettings(tenant: $tenant, input: $input) { ${SETTINGS_FIELDS} }
}`;
export const RESET_SETTINGS = `mutation AdminResetSettings($tenant: String!) { resetTenantSettings(tenant: $tenant) { ${SETTINGS_FIELDS} } }`;

export const USERS = `query AdminUsers($limit: Int, $offset: Int) { users(limit: $limit, offset: $offset) { user { ${USER_FIELDS} } tenants { tenantId tenantName role } } }`;
export const UPDATE_USER = `mutation AdminUpdateUser($id: String!, $patch: UserPatchInput!) { updateUser(id: $id, patch: $patch) { ${USER_FIELDS} } }`;
export const RESET_PASSWORD = `mutation AdminResetPassword($id: String!) { resetUserPassword(id: $id) { temporaryPassword user { ${USER_FIELDS} } } }`;

/** Every document, for the schema test. */
export const ADMIN_DOCUMENTS: Readonly<Record<string, string>> = {
  ME,
  TENANTS,
  CREATE_TENANT,
  UPDATE_TENANT,
  MEMBERS,
  INVITE_MEMBER,
  CHANGE_ROLE,
  REMOVE_MEMBER,
  API_KEYS,
  CREATE_KEY,
  REVOKE_KEY,
  SETTINGS,
  UPDATE_SETTINGS,
  RESET_SETTINGS,
  USERS,
  UPDATE_USER,
  RESET_PASSWORD,
};
