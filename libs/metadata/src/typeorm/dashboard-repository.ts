import { In, type EntityManager } from 'typeorm';
import { InvalidRecordError, RecordNotFoundError, VersionConflictError, translateDriverError } from '../errors.js';
import type { DashboardPatch, DashboardRepository, DashboardSearch, NewDashboard } from '../ports.js';
import type { DashboardRecord, DashboardSummary } from '../records.js';
import { DashboardEntity, DashboardTagEntity, FolderEntity, type DashboardRow, type DashboardTagRow } from '../schema/entities.js';
import { checkDashboardModel, checkTags, checkText, checkUid } from '../validation.js';
import { newId, newUid, page, type RepositoryContext } from './context.js';

export class TypeOrmDashboardRepository implements DashboardRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  async create(tenantId: string, input: NewDashboard): Promise<DashboardRecord> {
    const now = this.ctx.now();
    const title = checkText('dashboard title', input.title, 255);
    const tags = checkTags(input.tags ?? []);
    const row: DashboardRow = {
      id: newId(),
      tenantId,
      uid: checkUid('dashboard', input.uid ?? newUid()),
      title,
      titleLower: title.toLowerCase(),
      model: checkDashboardModel(input.model),
      version: 1,
      folderId: null,
      createdBy: input.createdBy ?? null,
      updatedBy: input.createdBy ?? null,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.ctx.dataSource.transaction(async (em) => {
        row.folderId = await folderIdOf(em, tenantId, input.folderUid ?? null);
        await em.insert(DashboardEntity, row);
        await insertTags(em, tenantId, row.id, tags);
      });
    } catch (err) {
      throw translateDriverError(err, {
        duplicate: `tenant ${tenantId} already has a dashboard with uid ${JSON.stringify(row.uid)}`,
        reference: `no tenant ${JSON.stringify(tenantId)}`,
      });
    }
    return toRecord(row, tags);
  }

  async get(tenantId: string, uid: string): Promise<DashboardRecord | undefined> {
    const row = await this.ctx.dataSource.manager.findOneBy(DashboardEntity, { tenantId, uid });
    if (!row) return undefined;
    const tags = await this.tagsOf([row.id]);
    return toRecord(row, tags.get(row.id) ?? []);
  }

  async search(tenantId: string, search: DashboardSearch = {}): Promise<DashboardSummary[]> {
    const qb = this.ctx.dataSource.manager
      .createQueryBuilder(DashboardEntity, 'd')
      .select(['d.id', 'd.tenantId', 'd.uid', 'd.title', 'd.version', 'd.folderId', 'd.createdBy', 'd.updatedBy', 'd.createdAt', 'd.updatedAt'])
      .where('d.tenant_id = :tenantId', { tenantId });
    if (search.query !== undefined && search.query.trim() !== '') {
      const escaped = search.query.trim().toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c);
      qb.andWhere(`d.title_lower LIKE :q ESCAPE '\\'`, { q: `%${escaped}%` });
    }
    if (search.tags !== undefined && search.tags.length > 0) {
      const tags = checkTags(search.tags);
      qb.andWhere(
        `d.id IN (SELECT t.dashboard_id FROM dashboard_tags t WHERE t.tenant_id = :tenantId AND t.tag IN (:...tags) GROUP BY t.dashboard_id HAVING COUNT(*) = :tagCount)`,
        { tags, tagCount: tags.length },
      );
    }
    if (search.folderUid === null) qb.andWhere('d.folder_id IS NULL');
    else if (search.folderUid !== undefined) {
      // A folder of another tenant never matches: the subquery is scoped to this tenant.
      qb.andWhere('d.folder_id IN (SELECT f.id FROM folders f WHERE f.tenant_id = :tenantId AND f.uid = :folderUid)', {
        folderUid: search.folderUid,
      });
    }
    const { take, skip } = page(search);
    const rows = await qb.orderBy('d.title_lower', 'ASC').addOrderBy('d.uid', 'ASC').limit(take).offset(skip).getMany();
    const tags = await this.tagsOf(rows.map((r) => r.id));
    return rows.map((row) => {
      const { model: _model, ...summary } = toRecord(row, tags.get(row.id) ?? []);
      return summary;
    });
  }

  async update(tenantId: string, uid: string, patch: DashboardPatch, expectedVersion: number): Promise<DashboardRecord> {
    const changes: Partial<DashboardRow> = { updatedAt: this.ctx.now(), updatedBy: patch.updatedBy ?? null };
    if (patch.title !== undefined) {
      changes.title = checkText('dashboard title', patch.title, 255);
      changes.titleLower = changes.title.toLowerCase();
    }
    if (patch.model !== undefined) changes.model = checkDashboardModel(patch.model);
    const tags = patch.tags === undefined ? undefined : checkTags(patch.tags);
    await this.ctx.dataSource.transaction(async (em) => {
      if (patch.folderUid !== undefined) changes.folderId = await folderIdOf(em, tenantId, patch.folderUid);
      // The version check and the increment are one statement, so of two writers holding the
      // same version exactly one succeeds, on both databases.
      const result = await em.update(
        DashboardEntity,
        { tenantId, uid, version: expectedVersion },
        { ...changes, version: () => 'version + 1' },
      );
      if ((result.affected ?? 0) === 0) {
        const current = await em.findOneBy(DashboardEntity, { tenantId, uid });
        if (!current) throw new RecordNotFoundError(`no dashboard ${JSON.stringify(uid)} in tenant ${JSON.stringify(tenantId)}`);
        throw new VersionConflictError(
          `dashboard ${uid} was changed by someone else: it is at version ${current.version}, the update was based on ${expectedVersion}`,
          current.version,
        );
      }
      if (tags !== undefined) {
        const row = (await em.findOneBy(DashboardEntity, { tenantId, uid }))!;
        await em.delete(DashboardTagEntity, { dashboardId: row.id });
        await insertTags(em, tenantId, row.id, tags);
      }
    });
    return (await this.get(tenantId, uid))!;
  }

  async delete(tenantId: string, uid: string): Promise<void> {
    const result = await this.ctx.dataSource.manager.delete(DashboardEntity, { tenantId, uid });
    if ((result.affected ?? 0) === 0) throw new RecordNotFoundError(`no dashboard ${JSON.stringify(uid)} in tenant ${JSON.stringify(tenantId)}`);
  }

  async tags(tenantId: string): Promise<Array<{ tag: string; count: number }>> {
    const rows = await this.ctx.dataSource.manager
      .createQueryBuilder(DashboardTagEntity, 't')
      .select('t.tag', 'tag')
      .addSelect('COUNT(*)', 'count')
      .where('t.tenant_id = :tenantId', { tenantId })
      .groupBy('t.tag')
      .orderBy('t.tag', 'ASC')
      .getRawMany<{ tag: string; count: string | number }>();
    return rows.map((r) => ({ tag: r.tag, count: Number(r.count) }));
  }

  private async tagsOf(dashboardIds: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (dashboardIds.length === 0) return out;
    const rows = await this.ctx.dataSource.manager.find(DashboardTagEntity, {
      where: { dashboardId: In(dashboardIds) },
      order: { tag: 'ASC' },
    });
    for (const row of rows) {
      let list = out.get(row.dashboardId);
      if (!list) out.set(row.dashboardId, (list = []));
      list.push(row.tag);
    }
    return out;
  }
}

async function folderIdOf(em: EntityManager, tenantId: string, folderUid: string | null): Promise<string | null> {
  if (folderUid === null) return null;
  const folder = await em.findOneBy(FolderEntity, { tenantId, uid: folderUid });
  if (!folder) throw new InvalidRecordError(`no folder ${JSON.stringify(folderUid)} in tenant ${JSON.stringify(tenantId)}`);
  return folder.id;
}

async function insertTags(em: EntityManager, tenantId: string, dashboardId: string, tags: readonly string[]): Promise<void> {
  if (tags.length === 0) return;
  await em.insert(
    DashboardTagEntity,
    tags.map((tag): DashboardTagRow => ({ dashboardId, tag, tenantId })),
  );
}

function toRecord(row: DashboardRow, tags: readonly string[]): DashboardRecord {
  const { titleLower: _titleLower, ...rest } = row;
  return { ...rest, tags: [...tags] };
}
