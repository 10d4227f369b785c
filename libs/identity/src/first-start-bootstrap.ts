import {
  DuplicateRecordError,
  type MembershipRepository,
  type TenantRepository,
  type UserRepository,
} from '#pharos/metadata';
import { IdentityError } from './errors.js';
import { PasswordPolicy, type PasswordHasher } from './password-hasher.js';
import { randomReadablePassword } from './tokens.js';

export const DEFAULT_TENANT_ID = 'default';

export type BootstrapOutcome =
  | { readonly created: false }
  | {
      readonly created: true;
      readonly login: string;
      readonly userId: string;
      /** Set when the password was generated; the caller prints it once and forgets it. */
      readonly generatedPassword?: string;
    };

/**
 * On the first start (no users yet) creates the `default` tenant and a server admin who is
 * admin of it, as Grafana does: the password comes from `PHAROS_ADMIN_PASSWORD` (config
 * `auth.initial_admin_password`) or is generated and returned to be printed once. Either way
 * it must be changed at the first login. Later starts, and a second process racing the first,
 * change nothing.
 */
export class FirstStartBootstrap {
  constructor(
    private readonly tenants: Pick<TenantRepository, 'create' | 'get'>,
    private readonly users: Pick<UserRepository, 'count' | 'create'>,
    private readonly memberships: Pick<MembershipRepository, 'set'>,
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy = new PasswordPolicy(),
  ) {}

  async run(options: { readonly adminLogin?: string; readonly adminPassword?: string } = {}): Promise<BootstrapOutcome> {
    if ((await this.users.count()) > 0) return { created: false };
    const login = options.adminLogin ?? 'admin';
    const given = options.adminPassword !== undefined && options.adminPassword !== '' ? options.adminPassword : undefined;
    if (given !== undefined) {
      const problem = this.policy.problem(given);
      if (problem) throw new IdentityError(`PHAROS_ADMIN_PASSWORD (auth.initial_admin_password): ${problem}`, 'weak_password');
    }
    const password = given ?? randomReadablePassword();
    if (!(await this.tenants.get(DEFAULT_TENANT_ID))) {
      try {
        await this.tenants.create({ id: DEFAULT_TENANT_ID, name: 'Default' });
      } catch (err) {
        if (!(err instanceof DuplicateRecordError)) throw err;
      }
    }
    let userId: string;
    try {
      const admin = await this.users.create({
        login,
        name: 'Administrator',
        passwordHash: await this.hasher.hash(password),
        serverAdmin: true,
        mustChangePassword: true,
      });
      userId = admin.id;
    } catch (err) {
      // Another process created the admin between our count and insert.
      if (err instanceof DuplicateRecordError) return { created: false };
      throw err;
    }
    await this.memberships.set(userId, DEFAULT_TENANT_ID, 'admin');
    return given === undefined ? { created: true, login, userId, generatedPassword: password } : { created: true, login, userId };
  }
}
