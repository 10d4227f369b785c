import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';

/** What every TypeORM repository shares: the data source and the clock. */
export interface RepositoryContext {
  readonly dataSource: DataSource;
  /** Milliseconds since the epoch; injectable so tests control expiry. */
  readonly now: () => number;
}

export function newId(): string {
  return randomUUID();
}

/** A random uid in Grafana's alphabet (14 characters, ~83 bits). */
export function newUid(): string {
  return randomUUID().replace(/-/g, '').slice(0, 14);
}

/** Clamps a page request to something a database can answer quickly. */
export function page(p: { readonly limit?: number; readonly offset?: number } | undefined, max = 1000): { take: number; skip: number } {
  const take = Math.min(Math.max(Math.trunc(p?.limit ?? 100), 1), max);
  const skip = Math.max(Math.trunc(p?.offset ?? 0), 0);
  return { take, skip };
}
