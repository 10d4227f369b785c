import type { UserRecord, UserRepository } from '#pharos/metadata';
import { LoginThrottle } from './login-throttle.js';
import type { PasswordHasher } from './password-hasher.js';

export interface LoginPolicy {
  /** Failed attempts per login and client address within `throttleWindowMs` (default 5). */
  readonly throttleMaxFailures: number;
  readonly throttleWindowMs: number;
  /** Consecutive failures, from anywhere, that lock the account (default 10). */
  readonly lockoutThreshold: number;
  readonly lockoutMs: number;
}

export const DEFAULT_LOGIN_POLICY: LoginPolicy = {
  throttleMaxFailures: 5,
  throttleWindowMs: 5 * 60_000,
  lockoutThreshold: 10,
  lockoutMs: 15 * 60_000,
};

export type LoginResult =
  | { readonly ok: true; readonly user: UserRecord }
  | {
      readonly ok: false;
      /** For logs and metrics; clients get `message`, the same for unknown user and wrong password. */
      readonly reason: 'invalid_credentials' | 'unknown_user' | 'disabled' | 'throttled' | 'locked';
      readonly message: string;
      /** For a Retry-After header when throttled or locked. */
      readonly retryAfterMs?: number;
    };

const INVALID = 'invalid login or password';

/**
 * Checks a login and password. Throttles per login and client address (in memory) and locks
 * the account after consecutive failures (stored, so it holds across processes and restarts).
 * Unknown logins cost the same argon2 work as known ones, so timing does not reveal which
 * logins exist. A hash made with older parameters is upgraded on success.
 */
export class LoginAuthenticator {
  private readonly throttle: LoginThrottle;
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly users: Pick<UserRepository, 'getByLogin' | 'recordLoginFailure' | 'recordLoginSuccess' | 'update'>,
    private readonly hasher: PasswordHasher,
    private readonly policy: LoginPolicy = DEFAULT_LOGIN_POLICY,
    private readonly now: () => number = Date.now,
  ) {
    this.throttle = new LoginThrottle(policy.throttleMaxFailures, policy.throttleWindowMs);
  }

  async authenticate(attempt: { readonly login: string; readonly password: string; readonly ip: string }): Promise<LoginResult> {
    const now = this.now();
    const throttledFor = this.throttle.retryAfter(attempt.login, attempt.ip, now);
    if (throttledFor > 0) {
      return { ok: false, reason: 'throttled', message: 'too many failed logins; try again later', retryAfterMs: throttledFor };
    }
    if (attempt.password.length > 1024 || attempt.login.length > 200) return this.failed(attempt, undefined, 'invalid_credentials');
    const user = await this.users.getByLogin(attempt.login);
    if (!user || user.passwordHash === null) {
      await this.hasher.verify(await this.dummy(), attempt.password);
      return this.failed(attempt, undefined, 'unknown_user');
    }
    if (user.lockedUntil !== null && user.lockedUntil > now) {
      return { ok: false, reason: 'locked', message: 'too many failed logins; try again later', retryAfterMs: user.lockedUntil - now };
    }
    const matches = await this.hasher.verify(user.passwordHash, attempt.password);
    if (!matches) return this.failed(attempt, user, 'invalid_credentials');
    // A correct password for a disabled user is still refused, with the generic message.
    if (user.disabled) return this.failed(attempt, undefined, 'disabled');
    this.throttle.recordSuccess(attempt.login, attempt.ip);
    if (user.failedLoginCount > 0 || user.lockedUntil !== null) await this.users.recordLoginSuccess(user.id);
    let current = user;
    if (this.hasher.needsRehash(user.passwordHash)) {
      current = await this.users.update(user.id, { passwordHash: await this.hasher.hash(attempt.password) });
    }
    return { ok: true, user: { ...current, failedLoginCount: 0, lockedUntil: null } };
  }

  private async failed(
    attempt: { login: string; ip: string },
    user: UserRecord | undefined,
    reason: 'invalid_credentials' | 'unknown_user' | 'disabled',
  ): Promise<LoginResult> {
    const now = this.now();
    this.throttle.recordFailure(attempt.login, attempt.ip, now);
    if (user) {
      const after = await this.users.recordLoginFailure(user.id, {
        lockAfter: this.policy.lockoutThreshold,
        lockForMs: this.policy.lockoutMs,
        now,
      });
      if (after.lockedUntil !== null && after.lockedUntil > now) {
        return { ok: false, reason: 'locked', message: 'too many failed logins; try again later', retryAfterMs: after.lockedUntil - now };
      }
    }
    return { ok: false, reason, message: INVALID };
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= this.hasher.hash('pharos-timing-equalizer');
    return this.dummyHash;
  }
}
