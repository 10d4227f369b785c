import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IDENTITY, PRINCIPAL_RESOLVER, type IdentityServices, type RequestPrincipalResolver } from '#apps/common';
import { SESSION_COOKIE } from '#pharos/tenancy';
import { authorize, fail, objectBody, publicUser, requirePrincipal, requiredString, translated } from './http.js';

/**
 * Login sessions: `POST /api/login` (cookie + CSRF token, or a bearer token for API clients),
 * logout, the current principal, the user's sessions and revoking them, password change.
 */
@Controller('/api')
export class SessionController {
  constructor(
    @Inject(IDENTITY) private readonly identity: IdentityServices,
    @Inject(PRINCIPAL_RESOLVER) private readonly resolver: RequestPrincipalResolver,
  ) {}

  /**
   * Body `{ login, password, bearer? }`. Answers the CSRF token (to send as `X-CSRF-Token` on
   * state-changing requests) and sets the HttpOnly session cookie; with `bearer: true` the
   * session token is returned instead of set as a cookie (scripts, CLIs). Failed logins are
   * throttled per login and address and lock the account after repeated failures: 429 with
   * Retry-After.
   */
  @Post('login')
  @HttpCode(200)
  async login(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @Body() raw: unknown): Promise<Record<string, unknown>> {
    if (!this.resolver.authEnabled) fail(400, 'auth is off (auth.enabled: false): every request already runs as the local user');
    const body = objectBody(raw);
    const login = requiredString(body, 'login', 200);
    const password = requiredString(body, 'password', 1024);
    const bearer = body['bearer'] === true;
    const result = await this.identity.login.authenticate({ login, password, ip: req.ip });
    if (!result.ok) {
      if (result.retryAfterMs !== undefined) {
        void reply.header('retry-after', String(Math.max(1, Math.ceil(result.retryAfterMs / 1000))));
        fail(429, result.message);
      }
      fail(401, result.message);
    }
    const userAgent = req.headers['user-agent'];
    const issued = await this.identity.sessionIssuer.issue(result.user, { ip: req.ip, ...(userAgent ? { userAgent: userAgent.slice(0, 500) } : {}) });
    const answer: Record<string, unknown> = {
      user: publicUser(result.user),
      csrfToken: issued.csrfToken,
      expiresAt: issued.session.expiresAt,
      mustChangePassword: result.user.mustChangePassword,
    };
    if (bearer) return { ...answer, token: issued.token };
    const maxAge = Math.floor(this.identity.sessionPolicy.maxLifetimeMs / 1000);
    const secure = req.protocol === 'https' ? '; Secure' : '';
    void reply.header('set-cookie', `${SESSION_COOKIE}=${issued.token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure}`);
    return answer;
  }

  /** Ends the session the request came with, and clears the cookie. */
  @Post('logout')
  @HttpCode(204)
  async logout(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    const who = requirePrincipal(req);
    if (who.session === undefined) fail(400, 'logout ends a login session; this request has none');
    await this.identity.sessionRevoker.revoke(who.session.id);
    void reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
  }

  /** Who the request is: user (with roles per tenant), API key, or the local user (auth off). */
  @Get('session')
  current(@Req() req: FastifyRequest): Record<string, unknown> {
    const { principal, session } = requirePrincipal(req);
    switch (principal.kind) {
      case 'local':
        return { kind: 'local', authEnabled: false };
      case 'api_key':
        return { kind: 'api_key', id: principal.keyId, name: principal.name, role: principal.role, tenants: principal.tenants };
      case 'user':
        return {
          kind: 'user',
          id: principal.userId,
          login: principal.login,
          serverAdmin: principal.serverAdmin,
          mustChangePassword: principal.mustChangePassword,
          sessionId: session?.id,
          tenants: [...principal.roles].map(([id, role]) => ({ id, role })),
        };
    }
  }

  /** The caller's live sessions, the current one marked. */
  @Get('sessions')
  async sessions(@Req() req: FastifyRequest): Promise<Record<string, unknown>[]> {
    const who = requirePrincipal(req);
    if (who.principal.kind !== 'user') fail(400, 'sessions belong to users; log in');
    const list = await this.identity.store.sessions.listActiveForUser(who.principal.userId, Date.now());
    return list.map((s) => ({
      id: s.id,
      current: s.id === who.session?.id,
      createdAt: s.createdAt,
      lastSeenAt: s.lastSeenAt,
      expiresAt: s.expiresAt,
      ip: s.ip,
      userAgent: s.userAgent,
    }));
  }

  /** Ends one of the caller's sessions (a lost laptop). */
  @Delete('sessions/:id')
  @HttpCode(204)
  async revokeSession(@Req() req: FastifyRequest, @Param('id') id: string): Promise<void> {
    const who = requirePrincipal(req);
    if (who.principal.kind !== 'user') fail(400, 'sessions belong to users; log in');
    const session = await this.identity.store.sessions.get(id);
    // Another user's session id behaves as if it did not exist.
    if (!session || session.userId !== who.principal.userId) fail(404, `no session "${id}"`);
    await this.identity.sessionRevoker.revoke(id);
  }

  /** Body `{ currentPassword, newPassword }`; ends the user's other sessions. */
  @Post('password')
  @HttpCode(204)
  async changePassword(@Req() req: FastifyRequest, @Body() raw: unknown): Promise<void> {
    const who = requirePrincipal(req);
    if (who.principal.kind !== 'user') fail(400, 'only a logged-in user has a password to change');
    authorize(this.identity.authorizer, who, '', 'account:self');
    const body = objectBody(raw);
    const currentPassword = requiredString(body, 'currentPassword');
    const newPassword = requiredString(body, 'newPassword');
    const userId = who.principal.userId;
    await translated(() =>
      this.identity.passwordChanger.change({ userId, currentPassword, newPassword, ...(who.session ? { keepSessionId: who.session.id } : {}) }),
    );
  }
}
