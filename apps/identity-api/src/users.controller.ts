import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { IDENTITY, type IdentityServices, type RequestPrincipal } from '#apps/common';
import { fail, objectBody, optionalString, publicUser, requirePrincipal, requiredString, translated } from './http.js';

/**
 * Accounts across tenants, for server admins (Grafana's server admin pages): list, disable or
 * enable, grant or take server admin, and reset a password to a temporary one that must be
 * changed at the next login (every session of the user ends).
 */
@Controller('/api/users')
export class UsersController {
  constructor(@Inject(IDENTITY) private readonly identity: IdentityServices) {}

  @Get()
  async list(@Req() req: FastifyRequest, @Query('limit') limit?: string, @Query('offset') offset?: string): Promise<Record<string, unknown>[]> {
    this.requireServerAdmin(requirePrincipal(req));
    const page = { limit: boundedInt(limit, 'limit', 1, 1000) ?? 100, offset: boundedInt(offset, 'offset', 0, Number.MAX_SAFE_INTEGER) ?? 0 };
    const users = await this.identity.store.users.list(page);
    const out: Record<string, unknown>[] = [];
    for (const u of users) {
      const memberships = await this.identity.store.memberships.listForUser(u.id);
      out.push({ ...publicUser(u), tenants: memberships.map((m) => ({ id: m.tenantId, role: m.role })) });
    }
    return out;
  }

  /** Body `{ name?, email?, disabled?, serverAdmin? }`. */
  @Patch(':id')
  async update(@Req() req: FastifyRequest, @Param('id') id: string, @Body() raw: unknown): Promise<Record<string, unknown>> {
    const who = requirePrincipal(req);
    this.requireServerAdmin(who);
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
    if (who.principal.kind === 'user' && who.principal.userId === id && (flags.disabled === true || flags.serverAdmin === false)) {
      fail(400, 'a server admin cannot disable themselves or drop their own server-admin flag (ask another server admin)');
    }
    const updated = await translated(() =>
      this.identity.store.users.update(id, { ...(name !== undefined ? { name } : {}), ...(email !== undefined ? { email } : {}), ...flags }),
    );
    if (flags.disabled === true) await this.identity.sessionRevoker.revokeAllForUser(id);
    return publicUser(updated);
  }

  /** Body `{ temporaryPassword }`, which the admin hands over; it must be changed at the next login. */
  @Post(':id/password-reset')
  @HttpCode(200)
  async resetPassword(@Req() req: FastifyRequest, @Param('id') id: string, @Body() raw: unknown): Promise<Record<string, unknown>> {
    this.requireServerAdmin(requirePrincipal(req));
    const temporary = requiredString(objectBody(raw), 'temporaryPassword');
    const user = await translated(async () => {
      if (!(await this.identity.store.users.getById(id))) fail(404, `no user "${id}"`);
      return this.identity.passwordChanger.reset(id, temporary);
    });
    return publicUser(user);
  }

  private requireServerAdmin(who: RequestPrincipal): void {
    const decision = this.identity.authorizer.authorize(who.principal, '', 'tenants:manage');
    if (!decision.allowed) fail(403, 'managing accounts across tenants needs a server admin');
  }
}

function boundedInt(raw: string | undefined, name: string, min: number, max: number): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) fail(400, `"${name}" must be an integer from ${min} to ${max}`);
  return n;
}

