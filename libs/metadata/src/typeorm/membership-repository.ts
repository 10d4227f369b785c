import { translateDriverError } from '../errors.js';
import type { MembershipRepository } from '../ports.js';
import type { MembershipRecord, Role } from '../records.js';
import { MembershipEntity, type MembershipRow } from '../schema/entities.js';
import { checkRole } from '../validation.js';
import type { RepositoryContext } from './context.js';

export class TypeOrmMembershipRepository implements MembershipRepository {
  private readonly repo;

  constructor(private readonly ctx: RepositoryContext) {
    this.repo = ctx.dataSource.getRepository<MembershipRow>(MembershipEntity);
  }

  async set(userId: string, tenantId: string, role: Role): Promise<MembershipRecord> {
    const row: MembershipRow = { userId, tenantId, role: checkRole(role), createdAt: this.ctx.now() };
    try {
      // An upsert keeps the original creation time of an existing membership.
      await this.repo
        .createQueryBuilder()
        .insert()
        .values(row)
        .orUpdate(['role'], ['user_id', 'tenant_id'])
        .execute();
    } catch (err) {
      throw translateDriverError(err, {
        duplicate: `membership of user ${userId} in tenant ${tenantId} changed concurrently`,
        reference: `cannot grant a role: no user ${JSON.stringify(userId)} or no tenant ${JSON.stringify(tenantId)}`,
      });
    }
    return (await this.get(userId, tenantId))!;
  }

  async get(userId: string, tenantId: string): Promise<MembershipRecord | undefined> {
    const row = await this.repo.findOneBy({ userId, tenantId });
    return row ? toRecord(row) : undefined;
  }

  async listForUser(userId: string): Promise<MembershipRecord[]> {
    return (await this.repo.find({ where: { userId }, order: { tenantId: 'ASC' } })).map(toRecord);
  }

  async listForTenant(tenantId: string): Promise<MembershipRecord[]> {
    return (await this.repo.find({ where: { tenantId }, order: { userId: 'ASC' } })).map(toRecord);
  }

  async remove(userId: string, tenantId: string): Promise<boolean> {
    return ((await this.repo.delete({ userId, tenantId })).affected ?? 0) > 0;
  }
}

function toRecord(row: MembershipRow): MembershipRecord {
  return { ...row, role: row.role as Role };
}
