import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Put, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { IDENTITY, identityAdministrationOf, type IdentityServices } from '#apps/common';
import type { IdentityAdministration, TenantSettingsView } from '#pharos/identity';
import type { TenantRecord } from '#pharos/metadata';
import { fail, objectBody, optionalString, requirePrincipal, requiredString, translated } from './http.js';
import { TENANT_SETTINGS } from './identity-api.tokens.js';
import type { TenantSettingsApplier } from './tenant-settings-applier.js';

/**
 * Tenants (server admins create, rename and disable them) and each tenant's run-time limits
 * and retention (its admins edit them; applied to the running limiters and store at once).
 * The rules are `IdentityAdministration`'s, shared with the GraphQL gateway.
 */
@Controller('/api/tenants')
export class TenantsController {
  private readonly admin: IdentityAdministration;

  constructor(@Inject(IDENTITY) identity: IdentityServices, @Inject(TENANT_SETTINGS) settings: TenantSettingsApplier) {
    this.admin = identityAdministrationOf(identity, settings);
  }

  /** Every tenant for a server admin; the caller's own tenants for anyone else. */
  @Get()
  async list(@Req() req: FastifyRequest): Promise<Record<string, unknown>[]> {
    const { principal } = requirePrincipal(req);
    return (await this.admin.listTenants(principal)).map((t) => ({ ...tenantView(t.tenant), role: t.role }));
  }

  /** Body `{ id, name? }`. */
  @Post()
  @HttpCode(201)
  async create(@Req() req: FastifyRequest, @Body() raw: unknown): Promise<Record<string, unknown>> {
    const who = requirePrincipal(req);
    const body = objectBody(raw);
    const id = requiredString(body, 'id', 150);
    const name = optionalString(body, 'name', 200);
    return tenantView(await translated(() => this.admin.createTenant(who.principal, { id, ...(name !== undefined ? { name } : {}) })));
  }

  /** Body `{ name?, disabled? }`: a disabled tenant's keys and sessions stop working at once here. */
  @Patch(':tenant')
  async update(@Req() req: FastifyRequest, @Param('tenant') tenant: string, @Body() raw: unknown): Promise<Record<string, unknown>> {
    const who = requirePrincipal(req);
    const body = objectBody(raw);
    const name = optionalString(body, 'name', 200);
    const disabled = body['disabled'];
    if (disabled !== undefined && typeof disabled !== 'boolean') fail(400, '"disabled" must be true or false');
    const patch = { ...(name !== undefined ? { name } : {}), ...(disabled !== undefined ? { disabled } : {}) };
    return tenantView(await translated(() => this.admin.updateTenant(who.principal, tenant, patch)));
  }

  @Get(':tenant/settings')
  async getSettings(@Req() req: FastifyRequest, @Param('tenant') tenant: string): Promise<Record<string, unknown>> {
    const who = requirePrincipal(req);
    return settingsView(await translated(() => this.admin.tenantSettings(who.principal, tenant)));
  }

  /**
   * Body `{ limits: { <snake_case limit>: number }, retention?: ms | null, version? }`, as under
   * `limits.tenants.<id>` in YAML (durations in ms, sizes in bytes). With `version` the write
   * happens only if nobody saved in between (409 otherwise; 0: only if none is stored).
   */
  @Put(':tenant/settings')
  async putSettings(@Req() req: FastifyRequest, @Param('tenant') tenant: string, @Body() raw: unknown): Promise<Record<string, unknown>> {
    const who = requirePrincipal(req);
    const body = objectBody(raw);
    const limits = body['limits'] ?? {};
    if (limits === null || typeof limits !== 'object' || Array.isArray(limits)) fail(400, '"limits" must be an object of limit name to number');
    for (const [k, v] of Object.entries(limits)) {
      if (typeof v !== 'number') fail(400, `limits.${k} must be a number (durations in ms, sizes in bytes)`);
    }
    const retention = body['retention'] ?? null;
    if (retention !== null && typeof retention !== 'number') fail(400, '"retention" must be a positive number of milliseconds, or null for the default');
    const version = body['version'];
    if (version !== undefined && typeof version !== 'number') fail(400, '"version" must be an integer');
    const input = { limits: limits as Record<string, number>, retentionMs: retention, ...(version !== undefined ? { expectedVersion: version } : {}) };
    return settingsView(await translated(() => this.admin.updateTenantSettings(who.principal, tenant, input)));
  }

  /** Back to the configured limits and retention. */
  @Delete(':tenant/settings')
  @HttpCode(204)
  async resetSettings(@Req() req: FastifyRequest, @Param('tenant') tenant: string): Promise<void> {
    const who = requirePrincipal(req);
    await translated(() => this.admin.resetTenantSettings(who.principal, tenant));
  }
}

function tenantView(t: TenantRecord): Record<string, unknown> {
  return { id: t.id, name: t.name, disabled: t.disabled, createdAt: t.createdAt };
}

function settingsView(view: TenantSettingsView): Record<string, unknown> {
  const stored = view.stored;
  return {
    tenant: view.tenantId,
    limits: stored?.limits ?? {},
    retention: stored?.retentionMs ?? null,
    version: stored?.version ?? 0,
    updatedAt: stored?.updatedAt ?? null,
    effective: view.effective,
  };
}
