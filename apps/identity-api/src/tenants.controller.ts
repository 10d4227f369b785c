import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Put, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { IDENTITY, type IdentityServices } from '#apps/common';
import { TENANT_ID_PATTERN, type TenantRecord, type TenantSettingsRecord } from '#pharos/metadata';
import { authorize, fail, objectBody, optionalString, requirePrincipal, requiredString, translated } from './http.js';
import { TENANT_SETTINGS } from './identity-api.tokens.js';
import { InvalidTenantSettings, type TenantSettingsApplier } from './tenant-settings-applier.js';

/**
 * Tenants (server admins create, rename and disable them) and each tenant's run-time limits
 * and retention (its admins edit them; applied to the running limiters and store at once).
 */
@Controller('/api/tenants')
export class TenantsController {
  constructor(
    @Inject(IDENTITY) private readonly identity: IdentityServices,
    @Inject(TENANT_SETTINGS) private readonly settings: TenantSettingsApplier,
  ) {}

  /** Every tenant for a server admin; the caller's own tenants for anyone else. */
  @Get()
  async list(@Req() req: FastifyRequest): Promise<Record<string, unknown>[]> {
    const { principal } = requirePrincipal(req);
    const all = await this.identity.store.tenants.list();
    const visible = all.filter((t) => this.identity.authorizer.authorize(principal, t.id, 'tenants:manage').allowed || this.identity.authorizer.roleIn(principal, t.id) !== undefined);
    return visible.map((t) => ({ ...tenantView(t), role: this.identity.authorizer.roleIn(principal, t.id) ?? null }));
  }

  /** Body `{ id, name? }`. */
  @Post()
  @HttpCode(201)
  async create(@Req() req: FastifyRequest, @Body() raw: unknown): Promise<Record<string, unknown>> {
    const body = objectBody(raw);
    const id = requiredString(body, 'id', 150);
    authorize(this.identity.authorizer, requirePrincipal(req), id, 'tenants:manage');
    if (!TENANT_ID_PATTERN.test(id)) fail(400, `tenant id ${JSON.stringify(id)} must match ${TENANT_ID_PATTERN}`);
    const name = optionalString(body, 'name', 200);
    return tenantView(await translated(() => this.identity.store.tenants.create({ id, ...(name !== undefined ? { name } : {}) })));
  }

  /** Body `{ name?, disabled? }`: a disabled tenant's keys and sessions stop working at once here. */
  @Patch(':tenant')
  async update(@Req() req: FastifyRequest, @Param('tenant') tenant: string, @Body() raw: unknown): Promise<Record<string, unknown>> {
    authorize(this.identity.authorizer, requirePrincipal(req), tenant, 'tenants:manage');
    const body = objectBody(raw);
    const name = optionalString(body, 'name', 200);
    const disabled = body['disabled'];
    if (disabled !== undefined && typeof disabled !== 'boolean') fail(400, '"disabled" must be true or false');
    const updated = await translated(() =>
      this.identity.store.tenants.update(tenant, { ...(name !== undefined ? { name } : {}), ...(disabled !== undefined ? { disabled } : {}) }),
    );
    // Cached key verifications of this tenant must not outlive the change in this process.
    if (disabled !== undefined) for (const key of await this.identity.store.apiKeys.listForTenant(tenant)) this.identity.apiKeys.invalidate(key.id);
    return tenantView(updated);
  }

  @Get(':tenant/settings')
  async getSettings(@Req() req: FastifyRequest, @Param('tenant') tenant: string): Promise<Record<string, unknown>> {
    authorize(this.identity.authorizer, requirePrincipal(req), tenant, 'limits:manage');
    const stored = await this.identity.store.tenantSettings.get(tenant);
    return settingsView(tenant, stored, this.settings.effective(tenant, stored));
  }

  /**
   * Body `{ limits: { <snake_case limit>: number }, retention?: ms | null, version? }`, as under
   * `limits.tenants.<id>` in YAML (durations in ms, sizes in bytes). With `version` the write
   * happens only if nobody saved in between (409 otherwise; 0: only if none is stored).
   */
  @Put(':tenant/settings')
  async putSettings(@Req() req: FastifyRequest, @Param('tenant') tenant: string, @Body() raw: unknown): Promise<Record<string, unknown>> {
    const who = requirePrincipal(req);
    authorize(this.identity.authorizer, who, tenant, 'limits:manage');
    const body = objectBody(raw);
    const limits = body['limits'] ?? {};
    if (limits === null || typeof limits !== 'object' || Array.isArray(limits)) fail(400, '"limits" must be an object of limit name to number');
    for (const [k, v] of Object.entries(limits)) {
      if (typeof v !== 'number' || !Number.isFinite(v)) fail(400, `limits.${k} must be a number (durations in ms, sizes in bytes)`);
    }
    const retention = body['retention'] ?? null;
    if (retention !== null && (typeof retention !== 'number' || !Number.isSafeInteger(retention) || retention <= 0)) {
      fail(400, '"retention" must be a positive number of milliseconds, or null for the default');
    }
    const version = body['version'];
    if (version !== undefined && (typeof version !== 'number' || !Number.isSafeInteger(version))) fail(400, '"version" must be an integer');
    const input = { limits: limits as Record<string, number>, retentionMs: retention as number | null };
    try {
      this.settings.effective(tenant, input);
    } catch (err) {
      if (err instanceof InvalidTenantSettings) fail(400, err.message);
      throw err;
    }
    if ((await this.identity.store.tenants.get(tenant)) === undefined) fail(404, `no tenant "${tenant}"`);
    const saved = await translated(() =>
      this.identity.store.tenantSettings.put(tenant, input, {
        ...(version !== undefined ? { expectedVersion: version as number } : {}),
        updatedBy: who.principal.kind === 'user' ? who.principal.userId : null,
      }),
    );
    return settingsView(tenant, saved, this.settings.apply(tenant, saved));
  }

  /** Back to the configured limits and retention. */
  @Delete(':tenant/settings')
  @HttpCode(204)
  async resetSettings(@Req() req: FastifyRequest, @Param('tenant') tenant: string): Promise<void> {
    authorize(this.identity.authorizer, requirePrincipal(req), tenant, 'limits:manage');
    await translated(() => this.identity.store.tenantSettings.delete(tenant));
    this.settings.apply(tenant, undefined);
  }
}

function tenantView(t: TenantRecord): Record<string, unknown> {
  return { id: t.id, name: t.name, disabled: t.disabled, createdAt: t.createdAt };
}

function settingsView(tenant: string, stored: TenantSettingsRecord | undefined, effective: object): Record<string, unknown> {
  return {
    tenant,
    limits: stored?.limits ?? {},
    retention: stored?.retentionMs ?? null,
    version: stored?.version ?? 0,
    updatedAt: stored?.updatedAt ?? null,
    effective,
  };
}
