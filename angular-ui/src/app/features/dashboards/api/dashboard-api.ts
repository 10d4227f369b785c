import { Injectable, inject } from '@angular/core';
import { ApiFetch } from '../../../core/api-fetch';
import { GraphqlClient } from '../../../core/graphql-client';
import type { Labels } from '../../../shared/series/legend-format';
import { splitPanelResults, type BatchRequest, type PanelResult } from '../state/panel-requests';

export interface DashboardSummary {
  readonly uid: string;
  readonly title: string;
  readonly tags: readonly string[];
  readonly folderUid: string | null;
  readonly version: number;
  readonly updatedAt: number;
  readonly updatedBy: string | null;
}

export interface StoredDashboard extends DashboardSummary {
  /** The model JSON as stored; parse with `parseDashboardModel`. */
  readonly model: string;
}

export interface Folder {
  readonly uid: string;
  readonly title: string;
  readonly version: number;
}

export interface DashboardSearch {
  readonly query?: string;
  readonly tags?: readonly string[];
  readonly folderUid?: string;
}

const SUMMARY = 'uid title tags folderUid version updatedAt updatedBy';

/**
 * Dashboards, folders and panel data through the GraphQL gateway. The one place the dashboard
 * pages talk to the server; components never build documents themselves.
 */
@Injectable({ providedIn: 'root' })
export class DashboardApi {
  private readonly gql = new GraphqlClient(inject(ApiFetch));

  async search(search: DashboardSearch = {}, signal?: AbortSignal): Promise<DashboardSummary[]> {
    const input = { ...search, limit: 1000 };
    const r = await this.gql.query<{ dashboards: DashboardSummary[] | null }>(
      `query Dashboards($s: DashboardSearchInput) { dashboards(search: $s) { ${SUMMARY} } }`,
      { s: input },
      signal,
    );
    return r.dashboards ?? [];
  }

  async tags(signal?: AbortSignal): Promise<{ tag: string; count: number }[]> {
    const r = await this.gql.query<{ dashboardTags: { tag: string; count: number }[] | null }>('query { dashboardTags { tag count } }', {}, signal);
    return r.dashboardTags ?? [];
  }

  async folders(signal?: AbortSignal): Promise<Folder[]> {
    const r = await this.gql.query<{ folders: Folder[] | null }>('query { folders { uid title version } }', {}, signal);
    return r.folders ?? [];
  }

  async get(uid: string, signal?: AbortSignal): Promise<StoredDashboard | null> {
    const r = await this.gql.query<{ dashboard: StoredDashboard | null }>(
      `query Dashboard($uid: String!) { dashboard(uid: $uid) { ${SUMMARY} model } }`,
      { uid },
      signal,
    );
    return r.dashboard;
  }

  async create(input: { title: string; model: string; tags?: readonly string[]; folderUid?: string | null; uid?: string }): Promise<StoredDashboard> {
    const r = await this.gql.query<{ createDashboard: StoredDashboard }>(
      `mutation Create($input: DashboardInput!) { createDashboard(input: $input) { ${SUMMARY} model } }`,
      { input },
    );
    return r.createDashboard;
  }

  /** Throws GraphqlError VERSION_CONFLICT when someone saved in between. */
  async update(uid: string, version: number, patch: { title?: string; model?: string; tags?: readonly string[]; folderUid?: string | null }): Promise<StoredDashboard> {
    const r = await this.gql.query<{ updateDashboard: StoredDashboard }>(
      `mutation Update($uid: String!, $version: Int!, $patch: DashboardPatchInput!) { updateDashboard(uid: $uid, version: $version, patch: $patch) { ${SUMMARY} model } }`,
      { uid, version, patch },
    );
    return r.updateDashboard;
  }

  async delete(uid: string): Promise<void> {
    await this.gql.query<{ deleteDashboard: boolean }>('mutation Delete($uid: String!) { deleteDashboard(uid: $uid) }', { uid });
  }

  async createFolder(title: string): Promise<Folder> {
    const r = await this.gql.query<{ createFolder: Folder }>('mutation Folder($title: String!) { createFolder(title: $title) { uid title version } }', { title });
    return r.createFolder;
  }

  /** Evaluates a dashboard refresh's batch; per-panel errors are in the results, not thrown. */
  async runPanels(batch: BatchRequest, signal?: AbortSignal): Promise<Map<number, PanelResult>> {
    if (batch.document === '') return splitPanelResults(batch, {}, []);
    const r = await this.gql.queryPartial<Record<string, unknown>>(batch.document, batch.variables, signal);
    return splitPanelResults(batch, r.data, r.errors);
  }

  // Variable options (Grafana's Prometheus variable queries).

  async labelNames(match: readonly string[], startMs: number, endMs: number, signal?: AbortSignal): Promise<string[]> {
    const r = await this.gql.query<{ labelNames: string[] }>(
      'query Names($m: [String!], $s: Float, $e: Float) { labelNames(match: $m, startMs: $s, endMs: $e) }',
      { m: match.length > 0 ? match : null, s: startMs, e: endMs },
      signal,
    );
    return r.labelNames;
  }

  async labelValues(name: string, match: readonly string[], startMs: number, endMs: number, signal?: AbortSignal): Promise<string[]> {
    const r = await this.gql.query<{ labelValues: string[] }>(
      'query Values($n: String!, $m: [String!], $s: Float, $e: Float) { labelValues(name: $n, match: $m, startMs: $s, endMs: $e) }',
      { n: name, m: match.length > 0 ? match : null, s: startMs, e: endMs },
      signal,
    );
    return r.labelValues;
  }

  async series(match: readonly string[], startMs: number, endMs: number, signal?: AbortSignal): Promise<Labels[]> {
    const r = await this.gql.query<{ series: Labels[] | null }>(
      'query Series($m: [String!]!, $s: Float, $e: Float) { series(match: $m, startMs: $s, endMs: $e) }',
      { m: match, s: startMs, e: endMs },
      signal,
    );
    return r.series ?? [];
  }

  /** An instant query's vector (for `query_result(expr)` variables). */
  async instantVector(expr: string, timeMs: number, signal?: AbortSignal): Promise<{ labels: Labels; value: number | string | null; t: number }[]> {
    const r = await this.gql.query<{ instantQuery: { resultType: string; samples: { labels: Labels; value: number | string | null; t: number }[]; scalar: number | string | null; t: number } }>(
      'query Instant($q: String!, $t: Float) { instantQuery(query: $q, timeMs: $t) { resultType samples { labels value t } scalar t } }',
      { q: expr, t: timeMs },
      signal,
    );
    const a = r.instantQuery;
    if (a.resultType === 'SCALAR') return [{ labels: {}, value: a.scalar, t: a.t }];
    return a.samples;
  }
}
