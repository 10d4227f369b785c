import { parseDashboardModel, serializeDashboardModel } from '#pharos/dashboard-model';
import {
  DuplicateRecordError,
  VersionConflictError,
  type DashboardRecord,
  type DashboardRepository,
  type FolderRepository,
  type TenantRepository,
} from '#pharos/metadata';
import type { BuiltInDashboard } from './overview-dashboard.js';

/**
 * Provenance of provisioned dashboards, kept in the records' own `createdBy`/`updatedBy`
 * (user ids elsewhere; these markers cannot be user ids, which are UUIDs): a built-in
 * dashboard is created and updated by {@link BUILT_IN_ACTOR}, a file's by {@link FILE_ACTOR}.
 * A save through the GraphQL gateway replaces `updatedBy` with the user (or null for keys and
 * the local user), which is how "edited by someone" is told from "as provisioned" without a
 * table of its own (ADR 0015).
 */
export const BUILT_IN_ACTOR = 'pharos:built-in';
export const FILE_ACTOR = 'pharos:file';

/** What provisioning needs of the metadata store (`MetadataStore` has it). */
export interface ProvisioningStore {
  readonly tenants: Pick<TenantRepository, 'get' | 'create' | 'list'>;
  readonly folders: Pick<FolderRepository, 'list' | 'create'>;
  readonly dashboards: Pick<DashboardRepository, 'get' | 'create' | 'update' | 'delete' | 'search'>;
}

export type BuiltInOutcome = 'created' | 'updated' | 'unchanged' | 'kept';

/**
 * Makes sure a built-in dashboard exists in `tenant`: created when missing; brought up to date
 * when it is as an earlier Pharos provisioned it (last saved by provisioning) and differs from
 * this version's; left alone (`kept`) once anyone else saved it, or when a dashboard someone
 * else created holds its uid. Safe to run from several processes at once.
 */
export async function ensureBuiltInDashboard(store: ProvisioningStore, tenant: string, dashboard: BuiltInDashboard): Promise<BuiltInOutcome> {
  const model = serializeDashboardModel(parseDashboardModel(dashboard.model));
  await ensureTenant(store, tenant);
  const existing = await store.dashboards.get(tenant, dashboard.uid);
  if (!existing) {
    try {
      await store.dashboards.create(tenant, { uid: dashboard.uid, title: dashboard.title, tags: dashboard.tags, model, createdBy: BUILT_IN_ACTOR });
      return 'created';
    } catch (err) {
      // Another process provisioned it first.
      if (err instanceof DuplicateRecordError) return 'unchanged';
      throw err;
    }
  }
  if (existing.createdBy !== BUILT_IN_ACTOR || existing.updatedBy !== BUILT_IN_ACTOR) return 'kept';
  if (sameContent(existing, dashboard.title, dashboard.tags, model)) return 'unchanged';
  try {
    await store.dashboards.update(tenant, dashboard.uid, { title: dashboard.title, tags: dashboard.tags, model, updatedBy: BUILT_IN_ACTOR }, existing.version);
    return 'updated';
  } catch (err) {
    // Saved by someone (or another process) since we read it: theirs stands.
    if (err instanceof VersionConflictError) return 'kept';
    throw err;
  }
}

/** Creates the tenant's row when missing (tenants named by header or YAML keys have none). */
export async function ensureTenant(store: ProvisioningStore, tenant: string): Promise<void> {
  if (await store.tenants.get(tenant)) return;
  try {
    await store.tenants.create({ id: tenant });
  } catch (err) {
    if (!(err instanceof DuplicateRecordError)) throw err;
  }
}

export function sameContent(record: DashboardRecord, title: string, tags: readonly string[], model: string): boolean {
  if (record.title !== title || record.model !== model) return false;
  const a = [...record.tags].sort();
  const b = [...new Set(tags.map((t) => t.trim()))].sort();
  return a.length === b.length && a.every((t, i) => t === b[i]);
}
