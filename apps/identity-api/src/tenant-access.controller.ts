import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { IDENTITY, type IdentityServices, type RequestPrincipal } from '#apps/common';
import type { Role } from '#pharos/metadata';
import { authorize, fail, objectBody, optionalString, publicKey, publicUser, requirePrincipal, requiredRole, requiredString, translated } from './http.js';

/**
 * Who may use a tenant: its API keys (created and shown once, listed, revoked) and its members
 * (invited with a temporary password, role changed, removed). Tenant admins manage their
 * tenant; server admins every tenant. Nobody grants a role above their own.
 */
@Controller('/api/tenants/:tenant')
export class TenantAccessController {
  constructor(@Inject(IDENTITY) private readonly identity: IdentityServices) {}

  @Get('keys')
  async listKeys(@Req() req: FastifyRequest, @Param('tenant') tenant: string): Promise<Record<string, unknown>[]> {
    authorize(this.identity.authorizer, requirePrincipal(req), tenant, 'keys:manage');
    return (await this.identity.store.apiKeys.listForTenant(tenant)).map(publicKey);
  }

  /**
   * Body `{ name, role, expiresAt? (ms since epoch), tenants? (default: this one) }`. The answer
   * holds the key, shown this once; only its hash is stored.
   */
  @Post('keys')
  @HttpCode(201)
  async createKey(@Req() req: FastifyRequest, @Param('tenant') tenant: string, @Body() raw: unknown): Promise<Record<string, unknown>> {
    const who = requirePrincipal(req);
    authorize(this.identity.authorizer, who, tenant, 'keys:manage');
    const body = objectBody(raw);
    const name = requiredString(body, 'name', 200);
    const role = requiredRole(body);
    const expiresAt = body['expiresAt'] ?? null;
    if (expiresAt !== null && (typeof expiresAt !== 'number' || !Number.isSafeInteger(expiresAt))) {
      fail(400, '"expiresAt" must be milliseconds since the epoch, or null for a key without expiry');
    }
    const tenants = body['tenants'] === undefined ? [tenant] : body['tenants'];
    if (!Array.isArray(tenants) || tenants.length === 0 || !tenants.every((t) => typeof t === 'string')) {
      fail(400, '"tenants" must be a non-empty list of tenant ids');
    }
    if (!tenants.includes(tenant)) fail(400, `"tenants" must include the owning tenant "${tenant}"`);
    for (const t of tenants as string[]) this.checkGrant(who, t, role);
    const issued = await translated(() =>
      this.identity.apiKeyIssuer.issue({
        ownerTenantId: tenant,
        tenants: [tenant, ...(tenants as string[]).filter((t) => t !== tenant)],
        role,
        name,
        expiresAt: expiresAt as number | null,
        createdBy: createdBy(who),
      }),
    );
    return { ...publicKey(issued.record), key: issued.key };
  }

  @Delete('keys/:id')
  async revokeKey(@Req() req: FastifyRequest, @Param('tenant') tenant: string, @Param('id') id: string): Promise<Record<string, unknown>> {
    authorize(this.identity.authorizer, requirePrincipal(req), tenant, 'keys:manage');
    return publicKey(await translated(() => this.identity.apiKeyRevoker.revoke(tenant, id)));
  }

  @Get('users')
  async listMembers(@Req() req: FastifyRequest, @Param('tenant') tenant: string): Promise<Record<string, unknown>[]> {
    authorize(this.identity.authorizer, requirePrincipal(req), tenant, 'users:manage');
    const members = await this.identity.store.memberships.listForTenant(tenant);
    const out: Record<string, unknown>[] = [];
    for (const m of members) {
      const user = await this.identity.store.users.getById(m.userId);
      if (user) out.push({ ...publicUser(user), role: m.role });
    }
    return out;
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
    this.checkGrant(who, tenant, role);
    return translated(async () => {
      if ((await this.identity.store.tenants.get(tenant)) === undefined) fail(404, `no tenant "${tenant}"`);
      const existing = await this.identity.store.users.getByLogin(login);
      if (existing) {
        await this.identity.store.memberships.set(existing.id, tenant, role);
        return { ...publicUser(existing), role };
      }
      const name = optionalString(body, 'name', 200);
      const email = optionalString(body, 'email', 320);
      const password = optionalString(body, 'password');
      const created = await this.identity.userProvisioner.createUser({
        login,
        tenantId: tenant,
        role,
        ...(name !== undefined ? { name } : {}),
        ...(email !== undefined ? { email } : {}),
        ...(password !== undefined ? { temporaryPassword: password } : {}),
      });
      return { ...publicUser(created.user), role, ...(password === undefined ? { temporaryPassword: created.temporaryPassword } : {}) };
    });
  }

  /** Body `{ role }`. */
  @Put('users/:userId')
  async setRole(@Req() req: FastifyRequest, @Param('tenant') tenant: string, @Param('userId') userId: string, @Body() raw: unknown): Promise<Record<string, unknown>> {
    const who = requirePrincipal(req);
    const role = requiredRole(objectBody(raw));
    this.checkGrant(who, tenant, role);
    const current = await this.identity.store.memberships.get(userId, tenant);
    if (!current) fail(404, `user "${userId}" is not a member of tenant "${tenant}"`);
    // Demoting someone above you is granting less than they hold: allowed only to peers and up.
    this.checkGrant(who, tenant, current.role);
    const m = await translated(() => this.identity.store.memberships.set(userId, tenant, role));
    return { userId: m.userId, tenantId: m.tenantId, role: m.role };
  }

  @Delete('users/:userId')
  @HttpCode(204)
  async removeMember(@Req() req: FastifyRequest, @Param('tenant') tenant: string, @Param('userId') userId: string): Promise<void> {
    const who = requirePrincipal(req);
    authorize(this.identity.authorizer, who, tenant, 'users:manage');
    const current = await this.identity.store.memberships.get(userId, tenant);
    if (!current) fail(404, `user "${userId}" is not a member of tenant "${tenant}"`);
    this.checkGrant(who, tenant, current.role);
    await this.identity.store.memberships.remove(userId, tenant);
    // Their sessions stay, but carry no role here from the next request on (roles are read per request).
  }

  private checkGrant(who: RequestPrincipal, tenant: string, role: Role): void {
    const decision = this.identity.authorizer.canGrant(who.principal, tenant, role);
    if (!decision.allowed) fail(403, decision.message);
  }
}

/** `created_by` references a user; keys made by a key or the local user have none. */
function createdBy(who: RequestPrincipal): string | null {
  return who.principal.kind === 'user' ? who.principal.userId : null;
}
