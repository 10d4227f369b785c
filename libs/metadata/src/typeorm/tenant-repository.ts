import { RecordNotFoundError, translateDriverError } from '../errors.js';
import type { TenantRepository } from '../ports.js';
import type { TenantRecord } from '../records.js';
import { TenantEntity, type TenantRow } from '../schema/entities.js';
import { checkTenantId, checkText } from '../validation.js';
import type { RepositoryContext } from './context.js';

export class TypeOrmTenantRepository implements TenantRepository {
  private readonly repo;

  constructor(private readonly ctx: RepositoryContext) {
    this.repo = ctx.dataSource.getRepository<TenantRow>(TenantEntity);
  }

  async create(input: { id: string; name?: string }): Promise<TenantRecord> {
    const now = this.ctx.now();
    const row: TenantRow = {
      id: checkTenantId(input.id),
      name: checkText('tenant name', input.name ?? input.id, 200),
      disabled: false,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.repo.insert(row);
    } catch (err) {
      throw translateDriverError(err, { duplicate: `tenant ${JSON.stringify(row.id)} already exists` });
    }
    return { ...row };
  }

  async get(id: string): Promise<TenantRecord | undefined> {
    return (await this.repo.findOneBy({ id })) ?? undefined;
  }

  list(): Promise<TenantRecord[]> {
    return this.repo.find({ order: { id: 'ASC' } });
  }

  async update(id: string, patch: { name?: string; disabled?: boolean }): Promise<TenantRecord> {
    const changes: Partial<TenantRow> = { updatedAt: this.ctx.now() };
    if (patch.name !== undefined) changes.name = checkText('tenant name', patch.name, 200);
    if (patch.disabled !== undefined) changes.disabled = patch.disabled;
    const result = await this.repo.update({ id }, changes);
    if ((result.affected ?? 0) === 0) throw new RecordNotFoundError(`no tenant ${JSON.stringify(id)}`);
    return (await this.get(id))!;
  }

  async delete(id: string): Promise<void> {
    const result = await this.repo.delete({ id });
    if ((result.affected ?? 0) === 0) throw new RecordNotFoundError(`no tenant ${JSON.stringify(id)}`);
  }
}
