/**
 * The TypeORM data source of the metadata store: SQLite through better-sqlite3 (embedded
 * default) or PostgreSQL through node-postgres. Never `synchronize`: the schema comes only
 * from the migrations, which `runMetadataMigrations` applies, each in its own transaction.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { DataSource, type Migration } from 'typeorm';
import type { MetadataLocation } from './metadata-url.js';
import { METADATA_MIGRATIONS } from './migrations/index.js';
import { METADATA_ENTITIES } from './schema/entities.js';

// The drivers are handed to TypeORM rather than found by its own require(), which fails for
// `pg` when TypeORM is loaded as ESM (its loader resolves from its own location).
const requireDriver = createRequire(import.meta.url);

export const MIGRATIONS_TABLE = 'schema_migrations';
/** Key of the PostgreSQL advisory lock that serializes migrations of processes starting together. */
const MIGRATION_LOCK_KEY = 0x70686d64; // "phmd"

export interface DataSourceOptions {
  /** PostgreSQL connection pool size (default 10). */
  readonly poolSize?: number;
  /** How long SQLite waits for another writer's lock before failing (default 5 s). */
  readonly sqliteBusyTimeoutMs?: number;
}

export function createMetadataDataSource(location: MetadataLocation, options: DataSourceOptions = {}): DataSource {
  const common = {
    entities: METADATA_ENTITIES,
    migrations: METADATA_MIGRATIONS,
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
    logging: false,
  };
  if (location.dialect === 'sqlite') {
    if (location.path !== ':memory:') mkdirSync(dirname(location.path), { recursive: true });
    return new DataSource({
      ...common,
      type: 'better-sqlite3',
      driver: requireDriver('better-sqlite3') as unknown,
      database: location.path,
      // WAL lets readers (every API request) proceed while a writer commits.
      enableWAL: location.path !== ':memory:',
      timeout: options.sqliteBusyTimeoutMs ?? 5000,
    });
  }
  return new DataSource({
    ...common,
    type: 'postgres',
    driver: requireDriver('pg') as unknown,
    url: location.url,
    applicationName: 'pharos',
    extra: { max: options.poolSize ?? 10 },
  });
}

/**
 * Applies pending migrations and returns their names (empty when the schema is current, so a
 * re-run is a no-op). On PostgreSQL an advisory lock makes processes that start together
 * migrate one after the other; the second then finds nothing pending.
 */
export async function runMetadataMigrations(dataSource: DataSource): Promise<string[]> {
  if (dataSource.options.type !== 'postgres') return names(await dataSource.runMigrations({ transaction: 'each' }));
  const lockRunner = dataSource.createQueryRunner();
  await lockRunner.connect();
  try {
    await lockRunner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      return names(await dataSource.runMigrations({ transaction: 'each' }));
    } finally {
      await lockRunner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await lockRunner.release();
  }
}

function names(migrations: Migration[]): string[] {
  return migrations.map((m) => m.name);
}
