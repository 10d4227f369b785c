import { InvalidRecordError, RecordNotFoundError, VersionConflictError, translateDriverError } from '../errors.js';
import type { FolderRepository } from '../ports.js';
import type { FolderRecord } from '../records.js';
import { DashboardEntity, FolderEntity, type DashboardRow, type FolderRow } from '../schema/entities.js';
import { checkText, checkUid } from '../validation.js';
import { newId, newUid, type RepositoryContext } from './context.js';

export class TypeOrmFolderRepository implements FolderRepository {
  private readonly repo;

  constructor(private readonly ctx: RepositoryContext) {
    this.repo = ctx.dataSource.getRepository<FolderRow>(FolderEntity);
  }

  async create(tenantId: string, input: { uid?: string; title: string }): Promise<FolderRecord> {
    const now = this.ctx.now();
    const row: FolderRow = {
      id: newId(),
      tenantId,
      uid: checkUid('folder', input.uid ?? newUid()),
      title: checkText('folder title', input.title, 255),
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.repo.insert(row);
    } catch (err) {
      throw translateDriverError(err, {
        duplicate: `tenant ${tenantId} already has a folder with uid ${JSON.stringify(row.uid)} or title ${JSON.stringify(row.title)}`,
        reference: `no tenant ${JSON.stringify(tenantId)}`,
      });
    }
    return { ...row };
  }

  async get(tenantId: string, uid: string): Promise<FolderRecord | undefined> {
    return (await this.repo.findOneBy({ tenantId, uid })) ?? undefined;
  }

  list(tenantId: string): Promise<FolderRecord[]> {
    return this.repo.find({ where: { tenantId }, order: { title: 'ASC', uid: 'ASC' } });
  }

  async update(tenantId: string, uid: string, patch: { title: string }, expectedVersion: number): Promise<FolderRecord> {
    const title = checkText('folder title', patch.title, 255);
    let result;
    try {
      result = await this.repo.update(
        { tenantId, uid, version: expectedVersion },
        { title, updatedAt: this.ctx.now(), version: () => 'version + 1' },
      );
    } catch (err) {
      throw translateDriverError(err, { duplicate: `tenant ${tenantId} already has a folder titled ${JSON.stringify(title)}` });
    }
    if ((result.affected ?? 0) === 0) {
      const current = await this.get(tenantId, uid);
      if (!current) throw new RecordNotFoundError(`no folder ${JSON.stringify(uid)} in tenant ${JSON.stringify(tenantId)}`);
      throw new VersionConflictError(`folder ${uid} is at version ${current.version}, not ${expectedVersion}`, current.version);
    }
    return (await this.get(tenantId, uid))!;
  }

  async delete(tenantId: string, uid: string): Promise<void> {
    await this.ctx.dataSource.transaction(async (em) => {
      const folder = await em.findOneBy(FolderEntity, { tenantId, uid });
      if (!folder) throw new RecordNotFoundError(`no folder ${JSON.stringify(uid)} in tenant ${JSON.stringify(tenantId)}`);
      const inside = await em.countBy<DashboardRow>(DashboardEntity, { tenantId, folderId: folder.id });
      if (inside > 0) throw new InvalidRecordError(`folder ${JSON.stringify(uid)} still holds ${inside} dashboard(s); move or delete them first`);
      try {
        await em.delete(FolderEntity, { id: folder.id });
      } catch (err) {
        // A dashboard moved in after the count: the foreign key refuses the delete.
        throw translateDriverError(err, { duplicate: '', reference: `folder ${JSON.stringify(uid)} is not empty` });
      }
    });
  }
}
