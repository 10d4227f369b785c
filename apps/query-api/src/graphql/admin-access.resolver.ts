import { Inject, Optional, UseFilters } from '@nestjs/common';
import { Args, Context, Mutation, Query, Resolver } from '@nestjs/graphql';
import { IDENTITY, TENANT_SETTINGS, type IdentityServices } from '#apps/common';
import type { TenantLimitsApplier } from '#pharos/identity';
import { apiKeyOf, roleValue, userOf } from './admin-mapping.js';
import { AdminRunner } from './admin-runner.js';
import { ApiKeyType, CreateApiKeyInput, CreatedApiKeyType, InviteMemberInput, InvitedMemberType, RoleValue, TenantMemberType } from './admin-types.js';
import { CodedErrorsFilter } from './coded-errors.filter.js';
import type { GraphqlContext } from './context.js';

/**
 * Who may use a tenant: members (invite, change role, remove) and API keys (create, list,
 * revoke), with the REST identity API's rules (`/api/tenants/:t/users|keys`) through the shared
 * `IdentityAdministration`: tenant admins manage their tenant, server admins every tenant,
 * nobody grants a role above their own. A key's secret and a generated temporary password are
 * in the creating mutation's payload only.
 */
@Resolver()
@UseFilters(CodedErrorsFilter)
export class AdminAccessResolver {
  private readonly runner: AdminRunner;

  constructor(@Optional() @Inject(IDENTITY) identity: IdentityServices | undefined, @Optional() @Inject(TENANT_SETTINGS) limits: TenantLimitsApplier | undefined) {
    this.runner = new AdminRunner(identity, limits);
  }

  @Query(() => [TenantMemberType], { description: 'Members of a tenant with their roles; tenant admins and server admins.' })
  tenantMembers(@Context() ctx: GraphqlContext, @Args('tenant', { type: () => String }) tenant: string): Promise<TenantMemberType[]> {
    return this.runner.run(ctx, async (admin, principal) => (await admin.listMembers(principal, tenant)).map((m) => ({ user: userOf(m.user), role: roleValue(m.role) })));
  }

  @Mutation(() => InvitedMemberType, {
    description: 'Adds a login to the tenant: an existing account gets the role; a new one is created with a temporary password (generated and returned once unless given).',
  })
  inviteMember(
    @Context() ctx: GraphqlContext,
    @Args('tenant', { type: () => String }) tenant: string,
    @Args('input', { type: () => InviteMemberInput }) input: InviteMemberInput,
  ): Promise<InvitedMemberType> {
    return this.runner.run(ctx, async (admin, principal) => {
      const added = await admin.addMember(principal, tenant, {
        login: input.login,
        role: input.role,
        ...(input.name !== undefined && input.name !== null ? { name: input.name } : {}),
        ...(input.email !== undefined && input.email !== null ? { email: input.email } : {}),
        ...(input.password !== undefined && input.password !== null ? { password: input.password } : {}),
      });
      return { member: { user: userOf(added.user), role: roleValue(added.role) }, temporaryPassword: added.temporaryPassword ?? null };
    });
  }

  @Mutation(() => TenantMemberType)
  changeMemberRole(
    @Context() ctx: GraphqlContext,
    @Args('tenant', { type: () => String }) tenant: string,
    @Args('userId', { type: () => String }) userId: string,
    @Args('role', { type: () => RoleValue }) role: RoleValue,
  ): Promise<TenantMemberType> {
    return this.runner.run(ctx, async (admin, principal, identity) => {
      const m = await admin.changeMemberRole(principal, tenant, userId, role);
      const user = await identity.store.users.getById(m.userId);
      // The membership references the account, which therefore exists.
      if (user === undefined) throw new Error(`user "${m.userId}" vanished while changing its role`);
      return { user: userOf(user), role: roleValue(m.role) };
    });
  }

  @Mutation(() => Boolean, { description: 'True once removed; NOT_FOUND when the user is not a member.' })
  removeMember(@Context() ctx: GraphqlContext, @Args('tenant', { type: () => String }) tenant: string, @Args('userId', { type: () => String }) userId: string): Promise<boolean> {
    return this.runner.run(ctx, async (admin, principal) => {
      await admin.removeMember(principal, tenant, userId);
      return true;
    });
  }

  @Query(() => [ApiKeyType], { description: 'The tenant\'s keys, revoked ones included; never their secrets.' })
  apiKeys(@Context() ctx: GraphqlContext, @Args('tenant', { type: () => String }) tenant: string): Promise<ApiKeyType[]> {
    return this.runner.run(ctx, async (admin, principal) => (await admin.listApiKeys(principal, tenant)).map(apiKeyOf));
  }

  @Mutation(() => CreatedApiKeyType, { description: 'The secret is in this payload only: it cannot be recovered later.' })
  createApiKey(
    @Context() ctx: GraphqlContext,
    @Args('tenant', { type: () => String }) tenant: string,
    @Args('input', { type: () => CreateApiKeyInput }) input: CreateApiKeyInput,
  ): Promise<CreatedApiKeyType> {
    return this.runner.run(ctx, async (admin, principal) => {
      const issued = await admin.createApiKey(principal, tenant, {
        name: input.name,
        role: input.role,
        expiresAt: input.expiresAt ?? null,
        ...(input.tenants !== undefined && input.tenants !== null ? { tenants: input.tenants } : {}),
      });
      return { apiKey: apiKeyOf(issued.record), secret: issued.key };
    });
  }

  @Mutation(() => ApiKeyType, { description: 'Effective at once in this process, within the key cache TTL in others.' })
  revokeApiKey(@Context() ctx: GraphqlContext, @Args('tenant', { type: () => String }) tenant: string, @Args('id', { type: () => String }) id: string): Promise<ApiKeyType> {
    return this.runner.run(ctx, async (admin, principal) => apiKeyOf(await admin.revokeApiKey(principal, tenant, id)));
  }
}
