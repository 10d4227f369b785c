import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { IDENTITY, identityAdministrationOf, type IdentityServices } from '#apps/common';
import type { IdentityAdministration } from '#pharos/identity';
import { fail, objectBody, optionalString, publicKey, publicUser, requirePrincipal, requiredRole, requiredString, translated } from './http.js';
import { TENANT_SETTINGS } from './identity-api.tokens.js';
import type { TenantSettingsApplier } from './tenant-settings-applier.js';

/**
 * Who may use a tenant: its API keys (created and shown once, listed, revoked) and its members
 * (invited with a temporary password, role changed, removed). Tenant admins manage their
 * tenant; server admins every tenant. Nobody grants a role above their own. The rules are
 * `IdentityAdministration`'s, shared with the GraphQL gateway; this controller parses JSON.
 */
@Controller('/api/tenants/:tenant')
export class TenantAccessController {
  private readonly admin: IdentityAdministration;

  constructor(@Inject(IDENTITY) identity: IdentityServices, @Inject(TENANT_SETTINGS) settings: TenantSettingsApplier) {
    this.admin = identityAdministrationOf(identity, settings);
  }

  @Get('keys')
  async listKeys(@Req() req: FastifyRequest, @Param('tenant') tenant: string): Promise<Record<string, unknown>[]> {
    const who = requirePrincipal(req);
    return (await translated(() => this.admin.listApiKeys(who.principal, tenant))).map(publicKey);
  }

  /**
   * Body `{ name, role, expiresAt? (ms since epoch), tenants? (default: this one) }`. The answer
   * holds the key, shown this once; only its hash is stored.
   */
  @Post('keys')
  @HttpCode(201)
  async createKey(@Req() req: FastifyRequest, @Param('tenant') tenant: string, @Body() raw: unknown): Promise<Record<string, unknown>> {
    const who = requirePrincipal(req);
    const body = objectBody(raw);
    const name = requiredString(body, 'name', 200);
    const role = requiredRole(body);
    const expiresAt = body['expiresAt'] ?? null;
    if (expiresAt !== null && typeof expiresAt !== 'number') fail(400, '"expiresAt" must be milliseconds since the epoch, or null for a key without expiry');
    const tenants = body['tenants'];
    if (tenants !== undefined && (!Array.isArray(tenants) || !tenants.every((t) => typeof t === 'string'))) fail(400, '"tenants" must be a non-empty list of tenant ids');
    const issued = await translated(() =>
      this.admin.createApiKey(who.principal, tenant, { name, role, expiresAt, ...(tenants !== undefined ? { tenants: tenants as string[] } : {}) }),
    );
    return { ...publicKey(issued.record), key: issued.key };
  }

  @Delete('keys/:id')
  async revokeKey(@Req() req: FastifyRequest, @Param('tenant') tenant: string, @Param('id') id: string): Promise<Record<string, unknown>> {
    const who = requirePrincipal(req);
    return publicKey(await translated(() => this.admin.revokeApiKey(who.principal, tenant, id)));
  }

  @Get('users')
  async listMembers(@Req() req: FastifyRequest, @Param('tenant') tenant: string): Promise<Record<string, unknown>[]> {
    const who = requirePrincipal(req);
    return (await translated(() => this.admin.listMembers(who.principal, tenant))).map((m) => ({ ...publicUser(m.user), role: m.role }));
  }

  /**
   * Body `{ login, role, name?, email?, password? }`: a new login gets an account with a
   * temporary password (returned once unless given), to change at first login; an existing
   * login is added to the tenant with the role.
   */
  @Post('users')
  @HttpCode(201)
  async addMember(@Req() req: FastifyRequest, @Param('tenant') tenant: string, @Body() raw: unknown): Promise<Record<string, unknown>> {
    const who = requirePrincipal(req);
    const body = objectBody(raw);
    const login = requiredString(body, 'login', 100);
    const role = requiredRole(body);
    const name = optionalString(body, 'name', 200);
    const email = optionalString(body, 'email', 320);
    const password = optionalString(body, 'password');
    const added = await translated(() =>
      this.admin.addMember(who.principal, tenant, {
        login,
        role,
        ...(name !== undefined ? { name } : {}),
        ...(email !== undefined ? { email } : {}),
        ...(password !== undefined ? { password } : {}),
      }),
    );
    return { ...publicUser(added.user), role: added.role, ...(added.temporaryPassword !== undefined ? { temporaryPassword: added.temporaryPassword } : {}) };
  }

  /** Body `{ role }`. */
  @Put('users/:userId')
  async setRole(@Req() req: FastifyRequest, @Param('tenant') tenant: string, @Param('userId') userId: string, @Body() raw: unknown): Promise<Record<string, unknown>> {
    const who = requirePrincipal(req);
    const role = requiredRole(objectBody(raw));
    const m = await translated(() => this.admin.changeMemberRole(who.principal, tenant, userId, role));
    return { userId: m.userId, tenantId: m.tenantId, role: m.role };
  }

  @Delete('users/:userId')
  @HttpCode(204)
  async removeMember(@Req() req: FastifyRequest, @Param('tenant') tenant: string, @Param('userId') userId: string): Promise<void> {
    const who = requirePrincipal(req);
    await translated(() => this.admin.removeMember(who.principal, tenant, userId));
  }
}
