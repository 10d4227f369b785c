import { VARCHAR, BIGINT, DOUBLE, UINTEGER, type DuckDBConnection } from '@duckdb/node-api';
import type { Labels, MetricMetadata, MetricType } from '#pharos/metric-model';
import type { StoredExemplar } from '../port.js';
import { forEachRow, idList, msLiteral, openWriter, sqlString } from './duckdb-io.js';

const EXEMPLAR_TYPES = [UINTEGER, BIGINT, DOUBLE, VARCHAR] as const;
const METADATA_TYPES = [VARCHAR, VARCHAR, VARCHAR, VARCHAR, VARCHAR] as const;

interface PendingExemplar {
  readonly id: number;
  readonly e: StoredExemplar;
}

/** What a flush writes of the side tables; built synchronously, committed after the flush's `COMMIT`. */
export interface SidePlan {
  readonly exemplars: number;
  readonly metadata: readonly [string, MetricMetadata][];
}

/**
 * Exemplars and metric metadata: small next to samples, so plain rows. Exemplars wait in
 * memory until a flush writes them (reads merge both); metadata is kept in memory per tenant
 * and family (last received wins) and upserted by the flush after it changed.
 */
export class SideTables {
  private pending: PendingExemplar[] = [];
  private readonly meta = new Map<string, Map<string, MetricMetadata>>();
  private dirtyMeta = new Map<string, [string, MetricMetadata]>();

  async load(conn: DuckDBConnection): Promise<void> {
    await forEachRow(conn, `SELECT tenant, metric, type, help, unit FROM metadata`, (get) => {
      this.setMeta(get(0) as string, { metricFamilyName: get(1) as string, type: get(2) as MetricType, help: get(3) as string, unit: get(4) as string });
    });
  }

  addExemplar(id: number, labels: Labels, timestamp: number, value: number): void {
    this.pending.push({ id, e: { labels: labels.slice(), timestamp, value } });
  }

  addMetadata(tenant: string, m: MetricMetadata): void {
    const known = this.meta.get(tenant)?.get(m.metricFamilyName);
    if (known !== undefined && known.type === m.type && known.help === m.help && known.unit === m.unit) return;
    this.setMeta(tenant, { metricFamilyName: m.metricFamilyName, type: m.type, help: m.help, unit: m.unit });
    this.dirtyMeta.set(`${tenant}\u0000${m.metricFamilyName}`, [tenant, m]);
  }

  private setMeta(tenant: string, m: MetricMetadata): void {
    let byName = this.meta.get(tenant);
    if (byName === undefined) this.meta.set(tenant, (byName = new Map()));
    byName.set(m.metricFamilyName, m);
  }

  plan(): SidePlan {
    const metadata = [...this.dirtyMeta.values()];
    this.dirtyMeta = new Map();
    return { exemplars: this.pending.length, metadata };
  }

  /** Writes a plan inside the flush's transaction. */
  async write(conn: DuckDBConnection, plan: SidePlan): Promise<void> {
    if (plan.exemplars > 0) {
      const w = await openWriter(conn, 'exemplars', EXEMPLAR_TYPES);
      for (let i = 0; i < plan.exemplars; i++) {
        const { id, e } = this.pending[i]!;
        w.set(0, id);
        w.set(1, BigInt(Math.round(e.timestamp)));
        w.set(2, e.value);
        w.set(3, JSON.stringify(e.labels));
        w.endRow();
      }
      w.close();
    }
    if (plan.metadata.length > 0) {
      for (const [tenant, m] of plan.metadata) {
        await conn.run(`DELETE FROM metadata WHERE tenant = ${sqlString(tenant)} AND metric = ${sqlString(m.metricFamilyName)}`);
      }
      const w = await openWriter(conn, 'metadata', METADATA_TYPES);
      for (const [tenant, m] of plan.metadata) {
        w.set(0, tenant);
        w.set(1, m.metricFamilyName);
        w.set(2, m.type);
        w.set(3, m.help);
        w.set(4, m.unit);
        w.endRow();
      }
      w.close();
    }
  }

  commit(plan: SidePlan): void {
    this.pending.splice(0, plan.exemplars);
  }

  abort(plan: SidePlan): void {
    for (const [tenant, m] of plan.metadata) {
      const key = `${tenant}\u0000${m.metricFamilyName}`;
      if (!this.dirtyMeta.has(key)) this.dirtyMeta.set(key, [tenant, m]);
    }
  }

  /** Exemplars of `ids` in `[start, end]`, by series, sorted by timestamp, exact duplicates (a replay) once. */
  async exemplars(conn: DuckDBConnection, ids: readonly number[], start: number, end: number): Promise<Map<number, StoredExemplar[]>> {
    const out = new Map<number, StoredExemplar[]>();
    if (ids.length === 0 || start > end) return out;
    const wanted = new Set(ids);
    const add = (id: number, e: StoredExemplar): void => {
      let list = out.get(id);
      if (list === undefined) out.set(id, (list = []));
      list.push(e);
    };
    for (const { id, e } of this.pending) if (wanted.has(id) && e.timestamp >= start && e.timestamp <= end) add(id, e);
    await forEachRow(
      conn,
      `SELECT series_id, ts, value, labels FROM exemplars WHERE series_id IN ${idList(ids)} AND ts BETWEEN ${msLiteral(start, 'ceil')} AND ${msLiteral(end, 'floor')}`,
      (get) => add(get(0) as number, { timestamp: get(1) as number, value: get(2) as number, labels: JSON.parse(get(3) as string) as Labels }),
    );
    for (const [id, list] of out) {
      list.sort((a, b) => a.timestamp - b.timestamp || a.value - b.value);
      const seen = new Set<string>();
      out.set(
        id,
        list.filter((e) => {
          const key = `${e.timestamp}\u0000${e.value}\u0000${e.labels.join('\u0000')}`;
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        }),
      );
    }
    return out;
  }

  /** Removes exemplars of `ids` in `[start, end]` (inside the caller's transaction). */
  async remove(conn: DuckDBConnection, ids: readonly number[], start: number, end: number): Promise<void> {
    const set = new Set(ids);
    this.pending = this.pending.filter(({ id, e }) => !set.has(id) || e.timestamp < start || e.timestamp > end);
    await conn.run(`DELETE FROM exemplars WHERE series_id IN ${idList(ids)} AND ts BETWEEN ${msLiteral(start, 'ceil')} AND ${msLiteral(end, 'floor')}`);
  }

  metadata(tenant: string, metric: string | undefined, limit: number | undefined): MetricMetadata[] {
    const byName = this.meta.get(tenant);
    if (byName === undefined) return [];
    const all = metric === undefined ? [...byName.values()] : byName.has(metric) ? [byName.get(metric)!] : [];
    all.sort((a, b) => (a.metricFamilyName < b.metricFamilyName ? -1 : a.metricFamilyName > b.metricFamilyName ? 1 : 0));
    return limit === undefined ? all : all.slice(0, limit);
  }
}
