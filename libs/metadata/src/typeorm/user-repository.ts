import { InvalidRecordError, RecordNotFoundError, translateDriverError } from '../errors.js';
import type { NewUser, UserPatch, UserRepository } from '../ports.js';
import type { UserRecord } from '../records.js';
import { UserEntity, type UserRow } from '../schema/entities.js';
import { checkText, normalizeLogin } from '../validation.js';
import { newId, page, type RepositoryContext } from './context.js';

export class TypeOrmUserRepository implements UserRepository {
  private readonly repo;

  constructor(private readonly ctx: RepositoryContext) {
    this.repo = ctx.dataSource.getRepository<UserRow>(UserEntity);
  }

  async create(input: NewUser): Promise<UserRecord> {
    const now = this.ctx.now();
    const login = normalizeLogin(input.login);
    const row: UserRow = {
      id: newId(),
      login,
      email: checkEmail(input.email ?? null),
      name: checkText('user name', input.name ?? login, 200),
      passwordHash: input.passwordHash,
      serverAdmin: input.serverAdmin ?? false,
      mustChangePassword: input.mustChangePassword ?? false,
      disabled: false,
      failedLoginCount: 0,
      lockedUntil: null,
      passwordChangedAt: input.passwordHash === null ? null : now,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.repo.insert(row);
    } catch (err) {
      throw translateDriverError(err, { duplicate: `a user with login ${JSON.stringify(login)} already exists` });
    }
    return { ...row };
  }

  async getById(id: string): Promise<UserRecord | undefined> {
    return (await this.repo.findOneBy({ id })) ?? undefined;
  }

  async getByLogin(login: string): Promise<UserRecord | undefined> {
    return (await this.repo.findOneBy({ login: login.trim().toLowerCase() })) ?? undefined;
  }

  list(p?: { limit?: number; offset?: number }): Promise<UserRecord[]> {
    return this.repo.find({ order: { login: 'ASC' }, ...page(p) });
  }

  count(): Promise<number> {
    return this.repo.count();
  }

  async update(id: string, patch: UserPatch): Promise<UserRecord> {
    const changes: Partial<UserRow> = { updatedAt: this.ctx.now() };
    if (patch.name !== undefined) changes.name = checkText('user name', patch.name, 200);
    if (patch.email !== undefined) changes.email = checkEmail(patch.email);
    if (patch.passwordHash !== undefined) changes.passwordHash = patch.passwordHash;
    if (patch.passwordChangedAt !== undefined) changes.passwordChangedAt = patch.passwordChangedAt;
    if (patch.serverAdmin !== undefined) changes.serverAdmin = patch.serverAdmin;
    if (patch.mustChangePassword !== undefined) changes.mustChangePassword = patch.mustChangePassword;
    if (patch.disabled !== undefined) changes.disabled = patch.disabled;
    const result = await this.repo.update({ id }, changes);
    if ((result.affected ?? 0) === 0) throw new RecordNotFoundError(`no user ${JSON.stringify(id)}`);
    return (await this.getById(id))!;
  }

  async recordLoginFailure(id: string, policy: { lockAfter: number; lockForMs: number; now: number }): Promise<UserRecord> {
    // One UPDATE, so concurrent failures each count: the expressions read the row's old values.
    const result = await this.repo
      .createQueryBuilder()
      .update()
      .set({
        failedLoginCount: () => 'failed_login_count + 1',
        lockedUntil: () => 'CASE WHEN failed_login_count + 1 >= :lockAfter THEN :lockedUntil ELSE locked_until END',
      })
      .where('id = :id', { id, lockAfter: policy.lockAfter, lockedUntil: policy.now + policy.lockForMs })
      .execute();
    if ((result.affected ?? 0) === 0) throw new RecordNotFoundError(`no user ${JSON.stringify(id)}`);
    return (await this.getById(id))!;
  }

  async recordLoginSuccess(id: string): Promise<void> {
    await this.repo.update({ id }, { failedLoginCount: 0, lockedUntil: null });
  }

  async delete(id: string): Promise<void> {
    const result = await this.repo.delete({ id });
    if ((result.affected ?? 0) === 0) throw new RecordNotFoundError(`no user ${JSON.stringify(id)}`);
  }
}

function checkEmail(email: string | null): string | null {
  if (email === null || email === '') return null;
  if (email.length > 320 || !/^[^\s@]+@[^\s@]+$/.test(email)) {
    throw new InvalidRecordError(`email ${JSON.stringify(email.slice(0, 200))} is not an address of the form name@domain`);
  }
  return email;
}
