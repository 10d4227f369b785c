import { IsNull, LessThan, MoreThan, Not } from 'typeorm';
import { InvalidRecordError, translateDriverError } from '../errors.js';
import type { NewSession, SessionRepository } from '../ports.js';
import type { SessionRecord } from '../records.js';
import { SessionEntity, type SessionRow } from '../schema/entities.js';
import { newId, type RepositoryContext } from './context.js';

const SHA256_HEX = /^[0-9a-f]{64}$/;

export class TypeOrmSessionRepository implements SessionRepository {
  private readonly repo;

  constructor(private readonly ctx: RepositoryContext) {
    this.repo = ctx.dataSource.getRepository<SessionRow>(SessionEntity);
  }

  async create(input: NewSession): Promise<SessionRecord> {
    if (!SHA256_HEX.test(input.tokenHash) || !SHA256_HEX.test(input.csrfHash)) {
      throw new InvalidRecordError('session tokenHash and csrfHash must be lower-case hex SHA-256 digests');
    }
    const now = this.ctx.now();
    const row: SessionRow = {
      id: newId(),
      tokenHash: input.tokenHash,
      userId: input.userId,
      csrfHash: input.csrfHash,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: input.expiresAt,
      revokedAt: null,
      userAgent: input.userAgent?.slice(0, 512) ?? null,
      ip: input.ip?.slice(0, 64) ?? null,
    };
    try {
      await this.repo.insert(row);
    } catch (err) {
      throw translateDriverError(err, {
        duplicate: 'a session with this token already exists',
        reference: `cannot create a session: no user ${JSON.stringify(input.userId)}`,
      });
    }
    return { ...row };
  }

  async findByTokenHash(tokenHash: string): Promise<SessionRecord | undefined> {
    return (await this.repo.findOneBy({ tokenHash })) ?? undefined;
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    return (await this.repo.findOneBy({ id })) ?? undefined;
  }

  listActiveForUser(userId: string, now: number): Promise<SessionRecord[]> {
    return this.repo.find({ where: { userId, revokedAt: IsNull(), expiresAt: MoreThan(now) }, order: { createdAt: 'DESC' } });
  }

  async touch(id: string, lastSeenAt: number): Promise<void> {
    await this.repo.update({ id }, { lastSeenAt });
  }

  async revoke(id: string, at: number): Promise<boolean> {
    return ((await this.repo.update({ id, revokedAt: IsNull() }, { revokedAt: at })).affected ?? 0) > 0;
  }

  async revokeAllForUser(userId: string, at: number, exceptId?: string): Promise<number> {
    const where = exceptId === undefined ? { userId, revokedAt: IsNull() } : { userId, revokedAt: IsNull(), id: Not(exceptId) };
    return (await this.repo.update(where, { revokedAt: at })).affected ?? 0;
  }

  async deleteEndedBefore(before: number): Promise<number> {
    const expired = await this.repo.delete({ expiresAt: LessThan(before) });
    const revoked = await this.repo.delete({ revokedAt: LessThan(before) });
    return (expired.affected ?? 0) + (revoked.affected ?? 0);
  }
}
