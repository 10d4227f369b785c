import { DuplicateRecordError, InvalidRecordError, RecordNotFoundError, VersionConflictError, translateDriverError } from '../errors.js';
import type { TenantSettingsInput, TenantSettingsRepository } from '../ports.js';
import type { TenantSettingsRecord } from '../records.js';
import { TenantSettingsEntity, type TenantSettingsRow } from '../schema/entities.js';
import { checkLimits } from '../validation.js';
import type { RepositoryContext } from './context.js';

export class TypeOrmTenantSettingsRepository implements TenantSettingsRepository {
  private readonly repo;

  constructor(private readonly ctx: RepositoryContext) {
    this.repo = ctx.dataSource.getRepository<TenantSettingsRow>(TenantSettingsEntity);
  }

  async get(tenantId: string): Promise<TenantSettingsRecord | undefined> {
    const row = await this.repo.findOneBy({ tenantId });
    return row ? toRecord(row) : undefined;
  }

  async list(): Promise<TenantSettingsRecord[]> {
    return (await this.repo.find({ order: { tenantId: 'ASC' } })).map(toRecord);
  }

  async put(
    tenantId: string,
    input: TenantSettingsInput,
    options: { expectedVersion?: number; updatedBy?: string | null } = {},
  ): Promise<TenantSettingsRecord> {
    const limits = JSON.stringify(checkLimits(input.limits));
    if (input.retentionMs !== null && (!Number.isInteger(input.retentionMs) || input.retentionMs <= 0)) {
      throw new InvalidRecordError(`retentionMs must be a positive integer number of milliseconds or null, got ${input.retentionMs}`);
    }
    const values = { limits, retentionMs: input.retentionMs, updatedAt: this.ctx.now(), updatedBy: options.updatedBy ?? null };
    const expected = options.expectedVersion;
    if (expected === undefined || expected > 0) {
      const where = expected === undefined ? { tenantId } : { tenantId, version: expected };
      const updated = await this.repo.update(where, { ...values, version: () => 'version + 1' });
      if ((updated.affected ?? 0) > 0) return (await this.get(tenantId))!;
      if (expected !== undefined) throw await this.conflict(tenantId, expected);
    }
    try {
      await this.repo.insert({ tenantId, ...values, version: 1 });
    } catch (err) {
      const translated = translateDriverError(err, {
        duplicate: `settings of tenant ${tenantId} were written concurrently`,
        reference: `no tenant ${JSON.stringify(tenantId)}`,
      });
      if (translated instanceof DuplicateRecordError) {
        // Another writer created the row first: an unconditional put retries as an update.
        if (expected === undefined) return this.put(tenantId, input, options);
        throw await this.conflict(tenantId, 0);
      }
      throw translated;
    }
    return (await this.get(tenantId))!;
  }

  async delete(tenantId: string): Promise<void> {
    const result = await this.repo.delete({ tenantId });
    if ((result.affected ?? 0) === 0) throw new RecordNotFoundError(`no settings stored for tenant ${JSON.stringify(tenantId)}`);
  }

  private async conflict(tenantId: string, expected: number): Promise<VersionConflictError> {
    const current = (await this.get(tenantId))?.version ?? 0;
    return new VersionConflictError(`settings of tenant ${tenantId} are at version ${current}, not ${expected}`, current);
  }
}

function toRecord(row: TenantSettingsRow): TenantSettingsRecord {
  return { ...row, limits: JSON.parse(row.limits) as Record<string, number> };
}
