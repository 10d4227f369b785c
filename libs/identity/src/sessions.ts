import type { MembershipRepository, SessionRecord, SessionRepository, UserRecord, UserRepository } from '#pharos/metadata';
import type { UserPrincipal } from './principal.js';
import { hexDigestsEqual, randomToken, sha256Hex } from './tokens.js';

/** Session tokens carry a prefix so a bearer token is told apart from an API key at a glance. */
export const SESSION_TOKEN_PREFIX = 'phs_';
const SESSION_TOKEN = /^phs_[A-Za-z0-9_-]{43}$/;

export interface SessionPolicy {
  /** Absolute lifetime from login (Grafana's login_maximum_lifetime_duration; default 30 days). */
  readonly maxLifetimeMs: number;
  /** A session unused for this long ends (login_maximum_inactive_lifetime_duration; default 7 days). */
  readonly idleTimeoutMs: number;
  /** `lastSeenAt` is written at most this often, not on every request (default 60 s). */
  readonly touchIntervalMs: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = {
  maxLifetimeMs: 30 * 86_400_000,
  idleTimeoutMs: 7 * 86_400_000,
  touchIntervalMs: 60_000,
};

export interface IssuedSession {
  /** The secret for the cookie (or the bearer header); only its SHA-256 is stored. */
  readonly token: string;
  /** Sent back by the client on state-changing requests (header); only its hash is stored. */
  readonly csrfToken: string;
  readonly session: SessionRecord;
}

/** Starts sessions after a successful login: 256-bit random token and CSRF token, hashes stored. */
export class SessionIssuer {
  constructor(
    private readonly sessions: Pick<SessionRepository, 'create'>,
    private readonly policy: SessionPolicy = DEFAULT_SESSION_POLICY,
    private readonly now: () => number = Date.now,
  ) {}

  async issue(user: Pick<UserRecord, 'id'>, client: { readonly userAgent?: string; readonly ip?: string } = {}): Promise<IssuedSession> {
    const token = SESSION_TOKEN_PREFIX + randomToken(32);
    const csrfToken = randomToken(32);
    const session = await this.sessions.create({
      tokenHash: sha256Hex(token),
      csrfHash: sha256Hex(csrfToken),
      userId: user.id,
      expiresAt: this.now() + this.policy.maxLifetimeMs,
      userAgent: client.userAgent ?? null,
      ip: client.ip ?? null,
    });
    return { token, csrfToken, session };
  }
}

export type SessionVerification =
  | { readonly ok: true; readonly principal: UserPrincipal; readonly session: SessionRecord; readonly user: UserRecord }
  | { readonly ok: false; readonly reason: 'malformed' | 'unknown' | 'expired' | 'revoked' | 'user_disabled'; readonly message: string };

/**
 * Checks a session token on each request: known, not revoked, within its lifetime and idle
 * timeout, user not disabled; then builds the principal with the user's roles per tenant.
 */
export class SessionVerifier {
  constructor(
    private readonly sessions: Pick<SessionRepository, 'findByTokenHash' | 'touch'>,
    private readonly users: Pick<UserRepository, 'getById'>,
    private readonly memberships: Pick<MembershipRepository, 'listForUser'>,
    private readonly policy: SessionPolicy = DEFAULT_SESSION_POLICY,
    private readonly now: () => number = Date.now,
  ) {}

  static isSessionToken(token: string): boolean {
    return token.startsWith(SESSION_TOKEN_PREFIX);
  }

  async verify(token: string): Promise<SessionVerification> {
    if (!SESSION_TOKEN.test(token)) return fail('malformed', 'not a session token');
    const session = await this.sessions.findByTokenHash(sha256Hex(token));
    if (!session) return fail('unknown', 'unknown session; log in again');
    const now = this.now();
    if (session.revokedAt !== null) return fail('revoked', 'the session was ended; log in again');
    if (now >= session.expiresAt || now - session.lastSeenAt >= this.policy.idleTimeoutMs) {
      return fail('expired', 'the session expired; log in again');
    }
    const user = await this.users.getById(session.userId);
    if (!user || user.disabled) return fail('user_disabled', 'the account is disabled');
    const memberships = await this.memberships.listForUser(user.id);
    if (now - session.lastSeenAt >= this.policy.touchIntervalMs) await this.sessions.touch(session.id, now);
    return {
      ok: true,
      session,
      user,
      principal: {
        kind: 'user',
        userId: user.id,
        login: user.login,
        serverAdmin: user.serverAdmin,
        mustChangePassword: user.mustChangePassword,
        sessionId: session.id,
        roles: new Map(memberships.map((m) => [m.tenantId, m.role])),
      },
    };
  }

  /**
   * The CSRF check for state-changing requests authenticated by the session cookie (the
   * synchronizer-token pattern): the request must carry the session's CSRF token.
   * Not needed when the session token came as a bearer header, which a browser never adds
   * by itself.
   */
  checkCsrf(session: Pick<SessionRecord, 'csrfHash'>, presented: string | undefined): boolean {
    if (presented === undefined || presented.length === 0 || presented.length > 256) return false;
    return hexDigestsEqual(sha256Hex(presented), session.csrfHash);
  }
}

/** Ends sessions: logout, "log out everywhere", and after a password change or reset. */
export class SessionRevoker {
  constructor(
    private readonly sessions: Pick<SessionRepository, 'revoke' | 'revokeAllForUser' | 'deleteEndedBefore'>,
    private readonly now: () => number = Date.now,
  ) {}

  revoke(sessionId: string): Promise<boolean> {
    return this.sessions.revoke(sessionId, this.now());
  }

  revokeAllForUser(userId: string, exceptSessionId?: string): Promise<number> {
    return this.sessions.revokeAllForUser(userId, this.now(), exceptSessionId);
  }

  /** Housekeeping: forgets sessions that ended more than `graceMs` ago. */
  purge(graceMs = 86_400_000): Promise<number> {
    return this.sessions.deleteEndedBefore(this.now() - graceMs);
  }
}

function fail(reason: Exclude<SessionVerification, { ok: true }>['reason'], message: string): SessionVerification {
  return { ok: false, reason, message };
}
