import { Inject, UseFilters, Optional } from '@nestjs/common';
import { Args, Context, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { METADATA_STORE } from '#apps/common';
import { DashboardModelError, parseDashboardModel } from '#pharos/dashboard-model';
import type { Action, Principal } from '#pharos/identity';
import { DuplicateRecordError, type DashboardRecord, type DashboardSummary, type FolderRecord, type MetadataStore } from '#pharos/metadata';
import type { GraphqlCallerResolver } from './caller.js';
import { CodedErrorsFilter } from './coded-errors.filter.js';
import type { GraphqlContext } from './context.js';
import { BadArgumentError, coded, gatewayError } from './errors.js';
import { DashboardInput, DashboardPatchInput, DashboardSearchInput, DashboardSummaryType, DashboardType, FolderType, TagCountType } from './dashboard-types.js';
import { GRAPHQL_CALLERS } from './tokens.js';

const MAX_SEARCH_LIMIT = 1_000;

/**
 * Dashboards and folders of the caller's tenant over the metadata store's repositories.
 * Reads need `dashboards:read`, changes `dashboards:write` (editor). Updates are optimistic:
 * the caller gives the version it edited and gets VERSION_CONFLICT if someone saved since.
 */
@Resolver()
@UseFilters(CodedErrorsFilter)
export class DashboardResolver {
  constructor(
    @Inject(GRAPHQL_CALLERS) private readonly callers: GraphqlCallerResolver,
    @Optional() @Inject(METADATA_STORE) private readonly metadata: MetadataStore | undefined,
  ) {}

  @Query(() => DashboardType, { nullable: true })
  dashboard(@Context() ctx: GraphqlContext, @Args('uid', { type: () => String }) uid: string): Promise<DashboardType | null> {
    return this.run(ctx, 'dashboards:read', async (store, tenant) => {
      const found = await store.dashboards.get(tenant, uid);
      return found ? this.dashboardOf(store, tenant, found) : null;
    });
  }

  @Query(() => [DashboardSummaryType], { nullable: true, description: 'Dashboards sorted by title; filter by title substring, tags (all of them) and folder.' })
  dashboards(
    @Context() ctx: GraphqlContext,
    @Args('search', { type: () => DashboardSearchInput, nullable: true }) search: DashboardSearchInput | null | undefined,
  ): Promise<DashboardSummaryType[]> {
    return this.run(ctx, 'dashboards:read', async (store, tenant) => {
      const s = search ?? {};
      const limit = s.limit ?? 100;
      if (limit < 1 || limit > MAX_SEARCH_LIMIT) throw new BadArgumentError(`limit must be between 1 and ${MAX_SEARCH_LIMIT}, got ${limit}`);
      if ((s.offset ?? 0) < 0) throw new BadArgumentError(`offset must not be negative, got ${s.offset}`);
      const found = await store.dashboards.search(tenant, {
        ...(s.query ? { query: s.query } : {}),
        ...(s.tags?.length ? { tags: s.tags } : {}),
        ...(s.folderUid !== undefined && s.folderUid !== null ? { folderUid: s.folderUid === '' ? null : s.folderUid } : {}),
        limit,
        ...(s.offset ? { offset: s.offset } : {}),
      });
      const uids = await folderUids(store, tenant);
      return found.map((d) => summaryOf(d, uids));
    });
  }

  @Query(() => [TagCountType], { nullable: true, description: 'Tags in use, with how many dashboards carry each.' })
  dashboardTags(@Context() ctx: GraphqlContext): Promise<TagCountType[]> {
    return this.run(ctx, 'dashboards:read', (store, tenant) => store.dashboards.tags(tenant));
  }

  @Query(() => [FolderType], { nullable: true })
  folders(@Context() ctx: GraphqlContext): Promise<FolderType[]> {
    return this.run(ctx, 'dashboards:read', async (store, tenant) => (await store.folders.list(tenant)).map(folderOf));
  }

  @Mutation(() => DashboardType)
  createDashboard(@Context() ctx: GraphqlContext, @Args('input', { type: () => DashboardInput }) input: DashboardInput): Promise<DashboardType> {
    return this.run(ctx, 'dashboards:write', async (store, tenant, principal) => {
      const model = input.model ?? '{}';
      checkModel(model);
      const created = await store.dashboards.create(tenant, {
        title: input.title,
        model,
        ...(input.uid ? { uid: input.uid } : {}),
        ...(input.tags ? { tags: input.tags } : {}),
        ...(input.folderUid ? { folderUid: input.folderUid } : {}),
        createdBy: actorOf(principal),
      });
      return this.dashboardOf(store, tenant, created);
    });
  }

  @Mutation(() => DashboardType)
  updateDashboard(
    @Context() ctx: GraphqlContext,
    @Args('uid', { type: () => String }) uid: string,
    @Args('version', { type: () => Int, description: 'The version the change was made to.' }) version: number,
    @Args('patch', { type: () => DashboardPatchInput }) patch: DashboardPatchInput,
  ): Promise<DashboardType> {
    return this.run(ctx, 'dashboards:write', async (store, tenant, principal) => {
      if (patch.model !== undefined && patch.model !== null) checkModel(patch.model);
      if (patch.title === null) throw new BadArgumentError('title cannot be null; leave it out to keep it');
      const updated = await store.dashboards.update(
        tenant,
        uid,
        {
          ...(patch.title !== undefined ? { title: patch.title } : {}),
          ...(patch.tags !== undefined ? { tags: patch.tags ?? [] } : {}),
          ...(patch.model !== undefined && patch.model !== null ? { model: patch.model } : {}),
          ...('folderUid' in patch ? { folderUid: patch.folderUid ?? null } : {}),
          updatedBy: actorOf(principal),
        },
        version,
      );
      return this.dashboardOf(store, tenant, updated);
    });
  }

  @Mutation(() => Boolean, { description: 'True when deleted; NOT_FOUND when there was no such dashboard.' })
  deleteDashboard(@Context() ctx: GraphqlContext, @Args('uid', { type: () => String }) uid: string): Promise<boolean> {
    return this.run(ctx, 'dashboards:write', async (store, tenant) => {
      if (!(await store.dashboards.get(tenant, uid))) throw gatewayError('NOT_FOUND', `no dashboard ${JSON.stringify(uid)}`);
      await store.dashboards.delete(tenant, uid);
      return true;
    });
  }

  @Mutation(() => FolderType)
  createFolder(
    @Context() ctx: GraphqlContext,
    @Args('title', { type: () => String }) title: string,
    @Args('uid', { type: () => String, nullable: true }) uid: string | null | undefined,
  ): Promise<FolderType> {
    return this.run(ctx, 'dashboards:write', async (store, tenant) => folderOf(await store.folders.create(tenant, { title, ...(uid ? { uid } : {}) })));
  }

  @Mutation(() => FolderType)
  updateFolder(
    @Context() ctx: GraphqlContext,
    @Args('uid', { type: () => String }) uid: string,
    @Args('version', { type: () => Int }) version: number,
    @Args('title', { type: () => String }) title: string,
  ): Promise<FolderType> {
    return this.run(ctx, 'dashboards:write', async (store, tenant) => folderOf(await store.folders.update(tenant, uid, { title }, version)));
  }

  @Mutation(() => Boolean, { description: 'Refused (BAD_INPUT) while the folder holds dashboards.' })
  deleteFolder(@Context() ctx: GraphqlContext, @Args('uid', { type: () => String }) uid: string): Promise<boolean> {
    return this.run(ctx, 'dashboards:write', async (store, tenant) => {
      if (!(await store.folders.get(tenant, uid))) throw gatewayError('NOT_FOUND', `no folder ${JSON.stringify(uid)}`);
      await store.folders.delete(tenant, uid);
      return true;
    });
  }

  private run<T>(ctx: GraphqlContext, action: Action, work: (store: MetadataStore, tenant: string, principal: Principal) => Promise<T>): Promise<T> {
    return coded(async () => {
      const tenant = this.callers.tenantFor(ctx.caller, action);
      if (this.metadata === undefined) throw gatewayError('UNAVAILABLE', 'dashboards need the metadata store, which this process has not opened');
      if (action === 'dashboards:write' && tenantExistsByConfiguration(ctx.caller.principal)) await ensureTenant(this.metadata, tenant);
      return work(this.metadata, tenant, ctx.caller.principal);
    });
  }

  private async dashboardOf(store: MetadataStore, tenant: string, d: DashboardRecord): Promise<DashboardType> {
    return { ...summaryOf(d, await folderUids(store, tenant)), model: d.model };
  }
}

/**
 * Dashboards reference a tenant row, but two kinds of tenant exist without one: with auth off
 * any `X-Scope-OrgID` names a tenant (as in Loki and Mimir), and YAML keys (`auth.keys`) grant
 * tenants configured as code. The first save in such a tenant creates its row; tenants of
 * users and stored keys come from the store and already have one.
 */
function tenantExistsByConfiguration(principal: Principal): boolean {
  return principal.kind === 'local' || (principal.kind === 'api_key' && principal.keyId.startsWith('yaml:'));
}

async function ensureTenant(store: MetadataStore, tenant: string): Promise<void> {
  if (await store.tenants.get(tenant)) return;
  try {
    await store.tenants.create({ id: tenant });
  } catch (err) {
    // Two first saves racing: the other one created it.
    if (!(err instanceof DuplicateRecordError)) throw err;
  }
}

async function folderUids(store: MetadataStore, tenant: string): Promise<Map<string, string>> {
  return new Map((await store.folders.list(tenant)).map((f) => [f.id, f.uid]));
}

function summaryOf(d: DashboardSummary, folderUidById: ReadonlyMap<string, string>): DashboardSummaryType {
  return {
    uid: d.uid,
    title: d.title,
    tags: d.tags,
    version: d.version,
    folderUid: d.folderId === null ? null : (folderUidById.get(d.folderId) ?? null),
    createdBy: d.createdBy,
    updatedBy: d.updatedBy,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

function folderOf(f: FolderRecord): FolderType {
  return { uid: f.uid, title: f.title, version: f.version, createdAt: f.createdAt, updatedAt: f.updatedAt };
}

/**
 * Refuses a model the console could not open: the same gate (`parseDashboardModel`) the
 * console passes every model through, so a bad save fails here with the JSON path of the
 * problem instead of breaking the dashboard page later. Accepted models are stored as sent.
 */
export function checkModel(model: string): void {
  try {
    parseDashboardModel(model);
  } catch (err) {
    if (err instanceof DashboardModelError) throw gatewayError('BAD_INPUT', `model is not a valid dashboard: ${err.message}`, { path: err.path });
    throw err;
  }
}

/** The store records the user id of who saved; keys and the local user are not users. */
function actorOf(principal: Principal): string | null {
  return principal.kind === 'user' ? principal.userId : null;
}
