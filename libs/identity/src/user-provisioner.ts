import type { MembershipRepository, Role, UserRecord, UserRepository } from '#pharos/metadata';
import { IdentityError } from './errors.js';
import { PasswordPolicy, type PasswordHasher } from './password-hasher.js';
import { randomReadablePassword } from './tokens.js';

/**
 * Adds a person to a tenant (the console's "invite a user"): creates the account with a
 * temporary password, to be changed at first login, and grants the role. Whether the caller
 * may grant that role is RoleAuthorizer.canGrant's decision.
 */
export class UserProvisioner {
  constructor(
    private readonly users: Pick<UserRepository, 'create'>,
    private readonly memberships: Pick<MembershipRepository, 'set'>,
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy = new PasswordPolicy(),
  ) {}

  async createUser(request: {
    readonly login: string;
    readonly name?: string;
    readonly email?: string | null;
    readonly tenantId: string;
    readonly role: Role;
    /** Absent: a random one is generated and returned, to hand over once. */
    readonly temporaryPassword?: string;
  }): Promise<{ readonly user: UserRecord; readonly temporaryPassword: string }> {
    const temporaryPassword = request.temporaryPassword ?? randomReadablePassword();
    const problem = this.policy.problem(temporaryPassword);
    if (problem) throw new IdentityError(problem, 'weak_password');
    const user = await this.users.create({
      login: request.login,
      ...(request.name !== undefined ? { name: request.name } : {}),
      email: request.email ?? null,
      passwordHash: await this.hasher.hash(temporaryPassword),
      mustChangePassword: true,
    });
    await this.memberships.set(user.id, request.tenantId, request.role);
    return { user, temporaryPassword };
  }
}
