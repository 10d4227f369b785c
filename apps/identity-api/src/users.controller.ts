import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { IDENTITY, identityAdministrationOf, type IdentityServices } from '#apps/common';
import type { IdentityAdministration } from '#pharos/identity';
import { fail, objectBody, optionalString, publicUser, requirePrincipal, requiredString, translated } from './http.js';
import { TENANT_SETTINGS } from './identity-api.tokens.js';
import type { TenantSettingsApplier } from './tenant-settings-applier.js';

/**
 * Accounts across tenants, for server admins (Grafana's server admin pages): list, disable or
 * enable, grant or take server admin, and reset a password to a temporary one that must be
 * changed at the next login (every session of the user ends). The rules are
 * `IdentityAdministration`'s, shared with the GraphQL gateway.
 */
@Controller('/api/users')
export class UsersController {
  private readonly admin: IdentityAdministration;

  constructor(@Inject(IDENTITY) identity: IdentityServices, @Inject(TENANT_SETTINGS) settings: TenantSettingsApplier) {
    this.admin = identityAdministrationOf(identity, settings);
  }

  @Get()
  async list(@Req() req: FastifyRequest, @Query('limit') limit?: string, @Query('offset') offset?: string): Promise<Record<string, unknown>[]> {
    const who = requirePrincipal(req);
    const page = { limit: boundedInt(limit, 'limit', 1, 1000) ?? 100, offset: boundedInt(offset, 'offset', 0, Number.MAX_SAFE_INTEGER) ?? 0 };
    const users = await translated(() => this.admin.listUsers(who.principal, page));
    return users.map((u) => ({ ...publicUser(u.user), tenants: u.memberships.map((m) => ({ id: m.tenantId, role: m.role })) }));
  }

  /** Body `{ name?, email?, disabled?, serverAdmin? }`. */
  @Patch(':id')
  async update(@Req() req: FastifyRequest, @Param('id') id: string, @Body() raw: unknown): Promise<Record<string, unknown>> {
    const who = requirePrincipal(req);
    const body = objectBody(raw);
    const name = optionalString(body, 'name', 200);
    const email = optionalString(body, 'email', 320);
    const flags: { disabled?: boolean; serverAdmin?: boolean } = {};
    for (const field of ['disabled', 'serverAdmin'] as const) {
      const value = body[field];
      if (value === undefined) continue;
      if (typeof value !== 'boolean') fail(400, `"${field}" must be true or false`);
      flags[field] = value;
    }
    const patch = { ...(name !== undefined ? { name } : {}), ...(email !== undefined ? { email } : {}), ...flags };
    return publicUser(await translated(() => this.admin.updateUser(who.principal, id, patch)));
  }

  /** Body `{ temporaryPassword }`, which the admin hands over; it must be changed at the next login. */
  @Post(':id/password-reset')
  @HttpCode(200)
  async resetPassword(@Req() req: FastifyRequest, @Param('id') id: string, @Body() raw: unknown): Promise<Record<string, unknown>> {
    const who = requirePrincipal(req);
    const temporary = requiredString(objectBody(raw), 'temporaryPassword');
    const reset = await translated(() => this.admin.resetUserPassword(who.principal, id, temporary));
    return publicUser(reset.user);
  }
}

function boundedInt(raw: string | undefined, name: string, min: number, max: number): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) fail(400, `"${name}" must be an integer from ${min} to ${max}`);
  return n;
}
