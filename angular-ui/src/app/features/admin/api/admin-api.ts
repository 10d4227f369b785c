import { Injectable, inject } from '@angular/core';
import { ApiFetch } from '../../../core/api-fetch';
import { GraphqlClient } from '../../../core/graphql-client';
import * as doc from './admin-documents';
import type { Account, ApiKey, Me, Member, Role, Tenant, TenantSettings, User } from './admin-documents';

/**
 * The admin pages' one way to the backend: the GraphQL gateway's admin operations, which run
 * the identity API's rules. Errors are `GraphqlError`s with the gateway's codes.
 */
@Injectable({ providedIn: 'root' })
export class AdminApi {
  private readonly gql = new GraphqlClient(inject(ApiFetch));

  async me(): Promise<Me> {
    return (await this.gql.query<{ me: Me }>(doc.ME)).me;
  }

  async tenants(): Promise<Tenant[]> {
    return (await this.gql.query<{ tenants: Tenant[] }>(doc.TENANTS)).tenants;
  }

  async createTenant(input: { id: string; name?: string }): Promise<Tenant> {
    return (await this.gql.query<{ createTenant: Tenant }>(doc.CREATE_TENANT, { input })).createTenant;
  }

  async updateTenant(id: string, patch: { name?: string; disabled?: boolean }): Promise<Tenant> {
    return (await this.gql.query<{ updateTenant: Tenant }>(doc.UPDATE_TENANT, { id, patch })).updateTenant;
  }

  async members(tenant: string): Promise<Member[]> {
    return (await this.gql.query<{ tenantMembers: Member[] }>(doc.MEMBERS, { tenant })).tenantMembers;
  }

  async invite(tenant: string, input: { login: string; role: Role; name?: string; email?: string; password?: string }): Promise<{ member: Member; temporaryPassword: string | null }> {
    return (await this.gql.query<{ inviteMember: { member: Member; temporaryPassword: string | null } }>(doc.INVITE_MEMBER, { tenant, input })).inviteMember;
  }

  async changeRole(tenant: string, userId: string, role: Role): Promise<Member> {
    return (await this.gql.query<{ changeMemberRole: Member }>(doc.CHANGE_ROLE, { tenant, userId, role })).changeMemberRole;
  }

  async removeMember(tenant: string, userId: string): Promise<void> {
    await this.gql.query(doc.REMOVE_MEMBER, { tenant, userId });
  }

  async apiKeys(tenant: string): Promise<ApiKey[]> {
    return (await this.gql.query<{ apiKeys: ApiKey[] }>(doc.API_KEYS, { tenant })).apiKeys;
  }

  async createKey(tenant: string, input: { name: string; role: Role; expiresAt: number | null; tenants: string[] }): Promise<{ apiKey: ApiKey; secret: string }> {
    return (await this.gql.query<{ createApiKey: { apiKey: ApiKey; secret: string } }>(doc.CREATE_KEY, { tenant, input })).createApiKey;
  }

  async revokeKey(tenant: string, id: string): Promise<ApiKey> {
    return (await this.gql.query<{ revokeApiKey: ApiKey }>(doc.REVOKE_KEY, { tenant, id })).revokeApiKey;
  }

  async settings(tenant: string): Promise<TenantSettings> {
    return (await this.gql.query<{ tenantSettings: TenantSettings }>(doc.SETTINGS, { tenant })).tenantSettings;
  }

  async updateSettings(tenant: string, input: { limits: { name: string; value: number }[]; retentionMs: number | null; version: number }): Promise<TenantSettings> {
    return (await this.gql.query<{ updateTenantSettings: TenantSettings }>(doc.UPDATE_SETTINGS, { tenant, input })).updateTenantSettings;
  }

  async resetSettings(tenant: string): Promise<TenantSettings> {
    return (await this.gql.query<{ resetTenantSettings: TenantSettings }>(doc.RESET_SETTINGS, { tenant })).resetTenantSettings;
  }

  async users(limit = 1000, offset = 0): Promise<Account[]> {
    return (await this.gql.query<{ users: Account[] }>(doc.USERS, { limit, offset })).users;
  }

  async updateUser(id: string, patch: { disabled?: boolean; serverAdmin?: boolean }): Promise<User> {
    return (await this.gql.query<{ updateUser: User }>(doc.UPDATE_USER, { id, patch })).updateUser;
  }

  async resetPassword(id: string): Promise<{ user: User; temporaryPassword: string }> {
    return (await this.gql.query<{ resetUserPassword: { user: User; temporaryPassword: string } }>(doc.RESET_PASSWORD, { id })).resetUserPassword;
  }
}
