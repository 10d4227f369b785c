import { Field, Float, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

/**
 * The administration part of the schema: the caller, tenants, members, API keys, tenant
 * limits and accounts. Secrets (an API key, a generated temporary password) appear only in the
 * payload of the mutation that created them, never in a type a query can reach.
 */

export enum RoleValue {
  viewer = 'viewer',
  editor = 'editor',
  admin = 'admin',
}
registerEnumType(RoleValue, {
  name: 'Role',
  description: 'A role in one tenant, weakest first: viewer reads; editor also writes data, dashboards and rules; admin also manages members, keys and limits.',
});

@ObjectType('TenantRole')
export class TenantRoleType {
  @Field(() => String)
  tenantId!: string;
  @Field(() => String, { nullable: true, description: 'The tenant\'s display name; null when no tenant row exists (YAML keys).' })
  tenantName!: string | null;
  @Field(() => RoleValue)
  role!: RoleValue;
}

@ObjectType('Me', { description: 'Who the request runs as.' })
export class MeType {
  @Field(() => String, { description: '"user" (a login session), "api_key", or "local" (auth is off: there is nothing to administer).' })
  kind!: 'user' | 'api_key' | 'local';
  @Field(() => Boolean)
  authEnabled!: boolean;
  @Field(() => String, { nullable: true, description: 'User id or API key id.' })
  id!: string | null;
  @Field(() => String, { nullable: true, description: 'The login (users) or key name (API keys).' })
  login!: string | null;
  @Field(() => Boolean)
  serverAdmin!: boolean;
  @Field(() => Boolean)
  mustChangePassword!: boolean;
  @Field(() => [TenantRoleType], { description: 'Tenants the caller holds a role in.' })
  tenants!: TenantRoleType[];
  @Field(() => Boolean, { description: 'A server admin, or an admin of at least one tenant: may use the admin operations.' })
  canAdminister!: boolean;
}

@ObjectType('Tenant')
export class TenantType {
  @Field(() => String)
  id!: string;
  @Field(() => String)
  name!: string;
  @Field(() => Boolean, { description: 'A disabled tenant\'s keys and sessions stop working; its data stays.' })
  disabled!: boolean;
  @Field(() => Float, { description: 'Milliseconds since the epoch.' })
  createdAt!: number;
  @Field(() => RoleValue, { nullable: true, description: 'The caller\'s role here; null for a server admin who is not a member.' })
  role!: RoleValue | null;
}

@ObjectType('User', { description: 'An account, never with its password hash.' })
export class UserType {
  @Field(() => String)
  id!: string;
  @Field(() => String)
  login!: string;
  @Field(() => String)
  name!: string;
  @Field(() => String, { nullable: true })
  email!: string | null;
  @Field(() => Boolean)
  serverAdmin!: boolean;
  @Field(() => Boolean)
  mustChangePassword!: boolean;
  @Field(() => Boolean)
  disabled!: boolean;
  @Field(() => Float, { nullable: true, description: 'Locked after repeated failed logins until then (ms since the epoch).' })
  lockedUntil!: number | null;
  @Field(() => Float)
  createdAt!: number;
}

@ObjectType('TenantMember')
export class TenantMemberType {
  @Field(() => UserType)
  user!: UserType;
  @Field(() => RoleValue)
  role!: RoleValue;
}

@ObjectType('InvitedMember')
export class InvitedMemberType {
  @Field(() => TenantMemberType)
  member!: TenantMemberType;
  @Field(() => String, { nullable: true, description: 'For a new account without a given password: the generated temporary password, shown this once.' })
  temporaryPassword!: string | null;
}

@ObjectType('Account', { description: 'An account with its memberships, as server admins list them.' })
export class AccountType {
  @Field(() => UserType)
  user!: UserType;
  @Field(() => [TenantRoleType])
  tenants!: TenantRoleType[];
}

@ObjectType('PasswordReset')
export class PasswordResetType {
  @Field(() => UserType)
  user!: UserType;
  @Field(() => String, { nullable: true, description: 'The generated temporary password, shown this once; null when the admin chose it.' })
  temporaryPassword!: string | null;
}

@ObjectType('ApiKey', { description: 'An API key as listed: never its secret or digest.' })
export class ApiKeyType {
  @Field(() => String)
  id!: string;
  @Field(() => String)
  name!: string;
  @Field(() => String, { description: 'The public part of the key (phk_<prefix>_…), to recognise it.' })
  prefix!: string;
  @Field(() => RoleValue)
  role!: RoleValue;
  @Field(() => [String], { description: 'Tenants the key acts for; the first is its default.' })
  tenants!: readonly string[];
  @Field(() => String)
  ownerTenantId!: string;
  @Field(() => String, { nullable: true, description: 'User id of who created it.' })
  createdBy!: string | null;
  @Field(() => Float)
  createdAt!: number;
  @Field(() => Float, { nullable: true })
  expiresAt!: number | null;
  @Field(() => Float, { nullable: true, description: 'Recorded in batches: may lag a minute behind.' })
  lastUsedAt!: number | null;
  @Field(() => Float, { nullable: true })
  revokedAt!: number | null;
}

@ObjectType('CreatedApiKey')
export class CreatedApiKeyType {
  @Field(() => ApiKeyType)
  apiKey!: ApiKeyType;
  @Field(() => String, { description: 'The key to give the client, shown this once: only its hash is stored.' })
  secret!: string;
}

@ObjectType('LimitValue')
export class LimitValueType {
  @Field(() => String, { description: 'snake_case, as under limits.tenants.<id> in YAML.' })
  name!: string;
  @Field(() => Float, { description: 'Durations in ms, sizes in bytes.' })
  value!: number;
}

@ObjectType('TenantSettings', { description: 'Run-time limits and retention of a tenant, over the configured ones.' })
export class TenantSettingsType {
  @Field(() => String)
  tenantId!: string;
  @Field(() => [LimitValueType], { description: 'The stored overrides.' })
  limits!: LimitValueType[];
  @Field(() => Float, { nullable: true, description: 'Stored retention override (ms); null: the configured one.' })
  retentionMs!: number | null;
  @Field(() => Int, { description: 'Give it back to update (0: nothing stored yet).' })
  version!: number;
  @Field(() => Float, { nullable: true })
  updatedAt!: number | null;
  @Field(() => [LimitValueType], { description: 'Every limit as it applies now (stored over YAML over defaults).' })
  effective!: LimitValueType[];
  @Field(() => Float)
  effectiveRetentionMs!: number;
}

@InputType('CreateTenantInput')
export class CreateTenantInput {
  @Field(() => String)
  id!: string;
  @Field(() => String, { nullable: true })
  name?: string | null;
}

@InputType('TenantPatchInput', { description: 'Fields left out are kept.' })
export class TenantPatchInput {
  @Field(() => String, { nullable: true })
  name?: string | null;
  @Field(() => Boolean, { nullable: true })
  disabled?: boolean | null;
}

@InputType('InviteMemberInput')
export class InviteMemberInput {
  @Field(() => String)
  login!: string;
  @Field(() => RoleValue)
  role!: RoleValue;
  @Field(() => String, { nullable: true })
  name?: string | null;
  @Field(() => String, { nullable: true })
  email?: string | null;
  @Field(() => String, { nullable: true, description: 'Temporary password for a new account; default: generated and returned once.' })
  password?: string | null;
}

@InputType('CreateApiKeyInput')
export class CreateApiKeyInput {
  @Field(() => String)
  name!: string;
  @Field(() => RoleValue)
  role!: RoleValue;
  @Field(() => Float, { nullable: true, description: 'Expiry (ms since the epoch); null: none, where the configuration allows it.' })
  expiresAt?: number | null;
  @Field(() => [String], { nullable: true, description: 'Tenants the key acts for (must include the owning one); default: the owning one.' })
  tenants?: string[] | null;
}

@InputType('LimitInput')
export class LimitInput {
  @Field(() => String)
  name!: string;
  @Field(() => Float)
  value!: number;
}

@InputType('TenantSettingsInput')
export class TenantSettingsInput {
  @Field(() => [LimitInput], { description: 'The overrides to store; limits left out use the configured values.' })
  limits!: LimitInput[];
  @Field(() => Float, { nullable: true, description: 'Retention (ms); null: the configured one.' })
  retentionMs?: number | null;
  @Field(() => Int, { nullable: true, description: 'The version edited; VERSION_CONFLICT if someone saved since (0: only if nothing is stored).' })
  version?: number | null;
}

@InputType('UserPatchInput', { description: 'Fields left out are kept.' })
export class UserPatchInput {
  @Field(() => String, { nullable: true })
  name?: string | null;
  @Field(() => String, { nullable: true })
  email?: string | null;
  @Field(() => Boolean, { nullable: true })
  disabled?: boolean | null;
  @Field(() => Boolean, { nullable: true })
  serverAdmin?: boolean | null;
}
