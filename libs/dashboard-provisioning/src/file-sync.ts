import { DuplicateRecordError, InvalidRecordError, RecordNotFoundError, VersionConflictError, type DashboardRecord } from '#pharos/metadata';
import type { DashboardDefinition } from './dashboard-file.js';
import type { FileProblem, FolderScan, ProvisionedFile } from './folder-reader.js';
import { FILE_ACTOR, ensureTenant, sameContent, type ProvisioningStore } from './provenance.js';

export interface FileSyncOptions {
  /** Delete a file-provisioned dashboard whose file is gone (`dashboards.provisioning.allow_removal`). */
  readonly allowRemoval: boolean;
}

/** What one pass did; `problems` are files (or the folder) that failed, with the reason. */
export interface FileSyncReport {
  readonly created: readonly string[];
  readonly updated: readonly string[];
  readonly removed: readonly string[];
  readonly unchanged: number;
  readonly problems: readonly FileProblem[];
}

/** `tenant/uid`, the identity of a provisioned dashboard. */
const keyOf = (tenant: string, uid: string): string => `${tenant}/${uid}`;

/**
 * Applies a scan of the provisioning folder to the metadata store, as Grafana's file
 * provisioning does:
 * - a file whose dashboard does not exist creates it (created and updated by {@link FILE_ACTOR});
 * - a file that changed since it was last applied (or, after a start, whose dashboard differs
 *   from it) overwrites the dashboard: the file is the source of truth, so an edit made in the
 *   console lasts until the file changes or Pharos restarts;
 * - a uid already held by a dashboard not provisioned from a file is refused (a problem), so a
 *   file never takes over a dashboard somebody made;
 * - a file that went away deletes its dashboard only with `allowRemoval`; a file that is still
 *   there but now invalid keeps its dashboard as it was.
 * Problems are reported per file and never stop the others.
 */
export class FileDashboardSync {
  /** Checksum of the file content last applied, by dashboard. */
  private readonly applied = new Map<string, string>();
  /** Dashboard each file path provisioned last, so an invalid file's dashboard is not removed. */
  private readonly pathKeys = new Map<string, string>();

  constructor(
    private readonly store: ProvisioningStore,
    private readonly options: FileSyncOptions,
  ) {}

  async apply(scan: FolderScan): Promise<FileSyncReport> {
    const created: string[] = [];
    const updated: string[] = [];
    const removed: string[] = [];
    const problems: FileProblem[] = [...scan.problems];
    let unchanged = 0;
    const folderIds = new Map<string, Map<string, string>>();
    for (const file of scan.files) {
      const d = file.dashboard;
      const key = keyOf(d.tenant, d.uid);
      try {
        const outcome = await this.applyFile(file, folderIds);
        this.pathKeys.set(file.path, key);
        if (outcome === 'created') created.push(key);
        else if (outcome === 'updated') updated.push(key);
        else unchanged++;
      } catch (err) {
        problems.push({ path: file.path, reason: err instanceof Error ? err.message : String(err) });
      }
    }
    if (this.options.allowRemoval) removed.push(...(await this.removeOrphans(scan, problems)));
    for (const path of [...this.pathKeys.keys()]) if (!scan.seen.includes(path)) this.pathKeys.delete(path);
    return { created, updated, removed, unchanged, problems };
  }

  private async applyFile(file: ProvisionedFile, folderIds: Map<string, Map<string, string>>): Promise<'created' | 'updated' | 'unchanged'> {
    const d = file.dashboard;
    const key = keyOf(d.tenant, d.uid);
    await ensureTenant(this.store, d.tenant);
    const existing = await this.store.dashboards.get(d.tenant, d.uid);
    if (existing && existing.createdBy !== FILE_ACTOR) {
      throw new InvalidRecordError(`uid ${JSON.stringify(d.uid)} of tenant ${JSON.stringify(d.tenant)} belongs to a dashboard that was not provisioned from a file; choose another uid`);
    }
    if (existing && this.applied.get(key) === file.checksum) return 'unchanged';
    const folderId = await this.folderIdOf(d, folderIds);
    if (!existing) {
      try {
        await this.store.dashboards.create(d.tenant, { uid: d.uid, title: d.title, tags: d.tags, model: d.model, folderUid: folderId?.uid ?? null, createdBy: FILE_ACTOR });
      } catch (err) {
        // Another query-api process provisioned it from the same folder a moment ago.
        if (!(err instanceof DuplicateRecordError)) throw err;
        return this.applyFile(file, folderIds);
      }
      this.applied.set(key, file.checksum);
      return 'created';
    }
    if (sameContent(existing, d.title, d.tags, d.model) && existing.folderId === (folderId?.id ?? null)) {
      this.applied.set(key, file.checksum);
      return 'unchanged';
    }
    await this.overwrite(existing, d, folderId?.uid ?? null);
    this.applied.set(key, file.checksum);
    return 'updated';
  }

  private async overwrite(existing: DashboardRecord, d: DashboardDefinition, folderUid: string | null): Promise<void> {
    const patch = { title: d.title, tags: d.tags, model: d.model, folderUid, updatedBy: FILE_ACTOR };
    try {
      await this.store.dashboards.update(d.tenant, d.uid, patch, existing.version);
    } catch (err) {
      if (!(err instanceof VersionConflictError)) throw err;
      // Saved in between: the file still wins, over the version just saved.
      await this.store.dashboards.update(d.tenant, d.uid, patch, err.currentVersion);
    }
  }

  /** The folder of a definition by title, created when missing; null for the root. */
  private async folderIdOf(d: DashboardDefinition, cache: Map<string, Map<string, string>>): Promise<{ id: string; uid: string } | null> {
    if (d.folder === null) return null;
    let byTitle = cache.get(d.tenant);
    if (!byTitle) {
      byTitle = new Map((await this.store.folders.list(d.tenant)).map((f) => [f.title, `${f.id}\u0000${f.uid}`]));
      cache.set(d.tenant, byTitle);
    }
    let entry = byTitle.get(d.folder);
    if (entry === undefined) {
      try {
        const f = await this.store.folders.create(d.tenant, { title: d.folder });
        entry = `${f.id}\u0000${f.uid}`;
      } catch (err) {
        if (!(err instanceof DuplicateRecordError)) throw err;
        const f = (await this.store.folders.list(d.tenant)).find((x) => x.title === d.folder);
        if (!f) throw err;
        entry = `${f.id}\u0000${f.uid}`;
      }
      byTitle.set(d.folder, entry);
    }
    const [id, uid] = entry.split('\u0000') as [string, string];
    return { id, uid };
  }

  /** Deletes file-provisioned dashboards no file declares any more. */
  private async removeOrphans(scan: FolderScan, problems: FileProblem[]): Promise<string[]> {
    const wanted = new Set(scan.files.map((f) => keyOf(f.dashboard.tenant, f.dashboard.uid)));
    for (const p of scan.problems) {
      const previous = this.pathKeys.get(p.path);
      if (previous !== undefined) wanted.add(previous);
      else if (scan.seen.includes(p.path)) {
        // An invalid file whose dashboard is unknown (first pass since start): removing anything
        // now could delete the dashboard it still stands for.
        return [];
      }
    }
    const orphans: Array<{ tenant: string; uid: string }> = [];
    for (const tenant of await this.store.tenants.list()) {
      for (let offset = 0; ; offset += PAGE) {
        const page = await this.store.dashboards.search(tenant.id, { limit: PAGE, offset });
        for (const d of page) if (d.createdBy === FILE_ACTOR && !wanted.has(keyOf(tenant.id, d.uid))) orphans.push({ tenant: tenant.id, uid: d.uid });
        if (page.length < PAGE) break;
      }
    }
    const removed: string[] = [];
    for (const { tenant, uid } of orphans) {
      const key = keyOf(tenant, uid);
      try {
        await this.store.dashboards.delete(tenant, uid);
        removed.push(key);
      } catch (err) {
        if (!(err instanceof RecordNotFoundError)) problems.push({ path: `(dashboard ${key}, whose file was removed)`, reason: (err as Error).message });
      }
      this.applied.delete(key);
    }
    return removed;
  }
}

const PAGE = 1000;
