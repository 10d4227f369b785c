import { Inject, Optional, UseFilters } from '@nestjs/common';
import { Args, Context, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { IDENTITY, TENANT_SETTINGS, type IdentityServices } from '#apps/common';
import type { TenantLimitsApplier } from '#pharos/identity';
import { adminError, limitsRecord, meOf, roleValue, settingsOf, tenantOf, userOf } from './admin-mapping.js';
import { AdminRunner } from './admin-runner.js';
import {
  AccountType,
  CreateTenantInput,
  MeType,
  PasswordResetType,
  TenantPatchInput,
  TenantSettingsInput,
  TenantSettingsType,
  TenantType,
  UserPatchInput,
  UserType,
} from './admin-types.js';
import { CodedErrorsFilter } from './coded-errors.filter.js';
import type { GraphqlContext } from './context.js';
import { gatewayError } from './errors.js';

const MAX_USERS_PAGE = 1_000;

/**
 * The caller (`me`), tenants and their limits, and accounts across tenants: the same
 * operations and rules as the REST identity API (`/api/tenants`, `/api/users`), through the
 * shared `IdentityAdministration`. Tenant admins manage their tenant's limits; server admins
 * manage tenants and accounts.
 */
@Resolver()
@UseFilters(CodedErrorsFilter)
export class AdminTenantsResolver {
  private readonly runner: AdminRunner;

  constructor(@Optional() @Inject(IDENTITY) identity: IdentityServices | undefined, @Optional() @Inject(TENANT_SETTINGS) limits: TenantLimitsApplier | undefined) {
    this.runner = new AdminRunner(identity, limits);
  }

  @Query(() => MeType, { description: 'Who the request runs as; with auth off, the local user (kind "local").' })
  async me(@Context() ctx: GraphqlContext): Promise<MeType> {
    const principal = ctx.caller.principal;
    try {
      const names = new Map<string, string>();
      const store = this.runner.identity?.store;
      if (store !== undefined && principal.kind !== 'local') for (const t of await store.tenants.list()) names.set(t.id, t.name);
      return meOf(principal, names);
    } catch (err) {
      throw adminError(err);
    }
  }

  @Query(() => [TenantType], { description: 'Every tenant for a server admin; the caller\'s own tenants for anyone else.' })
  tenants(@Context() ctx: GraphqlContext): Promise<TenantType[]> {
    return this.runner.run(ctx, async (admin, principal) => (await admin.listTenants(principal)).map((t) => tenantOf(t.tenant, t.role)));
  }

  @Query(() => TenantType, { description: 'FORBIDDEN unless the caller is a member or a server admin.' })
  tenant(@Context() ctx: GraphqlContext, @Args('id', { type: () => String }) id: string): Promise<TenantType> {
    return this.runner.run(ctx, async (admin, principal) => {
      const found = await admin.getTenant(principal, id);
      return tenantOf(found.tenant, found.role);
    });
  }

  @Mutation(() => TenantType, { description: 'Server admins only.' })
  createTenant(@Context() ctx: GraphqlContext, @Args('input', { type: () => CreateTenantInput }) input: CreateTenantInput): Promise<TenantType> {
    return this.runner.run(ctx, async (admin, principal) =>
      tenantOf(await admin.createTenant(principal, { id: input.id, ...(input.name !== undefined && input.name !== null ? { name: input.name } : {}) }), null),
    );
  }

  @Mutation(() => TenantType, { description: 'Server admins only. A disabled tenant\'s keys and sessions stop working at once.' })
  updateTenant(
    @Context() ctx: GraphqlContext,
    @Args('id', { type: () => String }) id: string,
    @Args('patch', { type: () => TenantPatchInput }) patch: TenantPatchInput,
  ): Promise<TenantType> {
    return this.runner.run(ctx, async (admin, principal, identity) => {
      const updated = await admin.updateTenant(principal, id, {
        ...(patch.name !== undefined && patch.name !== null ? { name: patch.name } : {}),
        ...(patch.disabled !== undefined && patch.disabled !== null ? { disabled: patch.disabled } : {}),
      });
      return tenantOf(updated, identity.authorizer.roleIn(principal, id) ?? null);
    });
  }

  @Query(() => TenantSettingsType, { description: 'Tenant admins and server admins.' })
  tenantSettings(@Context() ctx: GraphqlContext, @Args('tenant', { type: () => String }) tenant: string): Promise<TenantSettingsType> {
    return this.runner.run(ctx, async (admin, principal) => settingsOf(await admin.tenantSettings(principal, tenant)));
  }

  @Mutation(() => TenantSettingsType, { description: 'Stores and applies the limits at once; VERSION_CONFLICT when `version` is stale.' })
  updateTenantSettings(
    @Context() ctx: GraphqlContext,
    @Args('tenant', { type: () => String }) tenant: string,
    @Args('input', { type: () => TenantSettingsInput }) input: TenantSettingsInput,
  ): Promise<TenantSettingsType> {
    return this.runner.run(ctx, async (admin, principal) =>
      settingsOf(
        await admin.updateTenantSettings(principal, tenant, {
          limits: limitsRecord(input.limits),
          retentionMs: input.retentionMs ?? null,
          ...(input.version !== undefined && input.version !== null ? { expectedVersion: input.version } : {}),
        }),
      ),
    );
  }

  @Mutation(() => TenantSettingsType, { description: 'Back to the configured limits and retention.' })
  resetTenantSettings(@Context() ctx: GraphqlContext, @Args('tenant', { type: () => String }) tenant: string): Promise<TenantSettingsType> {
    return this.runner.run(ctx, async (admin, principal) => settingsOf(await admin.resetTenantSettings(principal, tenant)));
  }

  @Query(() => [AccountType], { description: 'Accounts across tenants, by login; server admins only.' })
  users(
    @Context() ctx: GraphqlContext,
    @Args('limit', { type: () => Int, nullable: true }) limit: number | null | undefined,
    @Args('offset', { type: () => Int, nullable: true }) offset: number | null | undefined,
  ): Promise<AccountType[]> {
    return this.runner.run(ctx, async (admin, principal, identity) => {
      const page = { limit: limit ?? 100, offset: offset ?? 0 };
      if (page.limit < 1 || page.limit > MAX_USERS_PAGE) throw gatewayError('BAD_INPUT', `limit must be between 1 and ${MAX_USERS_PAGE}, got ${page.limit}`);
      if (page.offset < 0) throw gatewayError('BAD_INPUT', `offset must not be negative, got ${page.offset}`);
      const accounts = await admin.listUsers(principal, page);
      const names = new Map((await identity.store.tenants.list()).map((t) => [t.id, t.name]));
      return accounts.map((a) => ({
        user: userOf(a.user),
        tenants: a.memberships.map((m) => ({ tenantId: m.tenantId, tenantName: names.get(m.tenantId) ?? null, role: roleValue(m.role) })),
      }));
    });
  }

  @Mutation(() => UserType, { description: 'Server admins only; disabling ends the user\'s sessions. Nobody disables or demotes themselves.' })
  updateUser(@Context() ctx: GraphqlContext, @Args('id', { type: () => String }) id: string, @Args('patch', { type: () => UserPatchInput }) patch: UserPatchInput): Promise<UserType> {
    return this.runner.run(ctx, async (admin, principal) =>
      userOf(
        await admin.updateUser(principal, id, {
          ...(patch.name !== undefined && patch.name !== null ? { name: patch.name } : {}),
          ...(patch.email !== undefined && patch.email !== null ? { email: patch.email } : {}),
          ...(patch.disabled !== undefined && patch.disabled !== null ? { disabled: patch.disabled } : {}),
          ...(patch.serverAdmin !== undefined && patch.serverAdmin !== null ? { serverAdmin: patch.serverAdmin } : {}),
        }),
      ),
    );
  }

  @Mutation(() => PasswordResetType, {
    description: 'Server admins only: a temporary password (generated unless given, then returned this once) to change at the next login; the user\'s sessions end.',
  })
  resetUserPassword(
    @Context() ctx: GraphqlContext,
    @Args('id', { type: () => String }) id: string,
    @Args('temporaryPassword', { type: () => String, nullable: true }) temporaryPassword: string | null | undefined,
  ): Promise<PasswordResetType> {
    return this.runner.run(ctx, async (admin, principal) => {
      const reset = await admin.resetUserPassword(principal, id, temporaryPassword ?? undefined);
      return { user: userOf(reset.user), temporaryPassword: temporaryPassword ? null : reset.temporaryPassword };
    });
  }
}
