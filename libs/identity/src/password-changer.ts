import type { UserRecord, UserRepository } from '#pharos/metadata';
import { IdentityError } from './errors.js';
import { PasswordPolicy, type PasswordHasher } from './password-hasher.js';
import type { SessionRevoker } from './sessions.js';

/**
 * Changes passwords. A user's own change needs the current password, clears the
 * must-change flag and ends their other sessions; an admin's reset sets a temporary password
 * that must be changed at the next login and ends every session of the user.
 */
export class PasswordChanger {
  constructor(
    private readonly users: Pick<UserRepository, 'getById' | 'update'>,
    private readonly hasher: PasswordHasher,
    private readonly revoker: Pick<SessionRevoker, 'revokeAllForUser'>,
    private readonly policy: PasswordPolicy = new PasswordPolicy(),
    private readonly now: () => number = Date.now,
  ) {}

  async change(request: {
    readonly userId: string;
    readonly currentPassword: string;
    readonly newPassword: string;
    /** The session making the change stays open. */
    readonly keepSessionId?: string;
  }): Promise<UserRecord> {
    const user = await this.users.getById(request.userId);
    if (!user) throw new IdentityError('no such user', 'no_such_user');
    if (user.passwordHash === null || !(await this.hasher.verify(user.passwordHash, request.currentPassword))) {
      throw new IdentityError('the current password is wrong', 'wrong_password');
    }
    if (request.newPassword === request.currentPassword) {
      throw new IdentityError('the new password must differ from the current one', 'weak_password');
    }
    const updated = await this.store(user.id, request.newPassword, false);
    await this.revoker.revokeAllForUser(user.id, request.keepSessionId);
    return updated;
  }

  async reset(userId: string, temporaryPassword: string): Promise<UserRecord> {
    const updated = await this.store(userId, temporaryPassword, true);
    await this.revoker.revokeAllForUser(userId);
    return updated;
  }

  private async store(userId: string, password: string, mustChange: boolean): Promise<UserRecord> {
    const problem = this.policy.problem(password);
    if (problem) throw new IdentityError(problem, 'weak_password');
    return this.users.update(userId, {
      passwordHash: await this.hasher.hash(password),
      passwordChangedAt: this.now(),
      mustChangePassword: mustChange,
    });
  }
}
