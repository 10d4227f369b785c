import type { DataSource } from 'typeorm';
import { createMetadataDataSource, runMetadataMigrations, type DataSourceOptions } from './data-source.js';
import { parseMetadataUrl, redactMetadataUrl, type MetadataLocation } from './metadata-url.js';
import type {
  ApiKeyRepository,
  DashboardRepository,
  FolderRepository,
  MembershipRepository,
  SessionRepository,
  TenantRepository,
  TenantSettingsRepository,
  UserRepository,
} from './ports.js';
import { TypeOrmApiKeyRepository } from './typeorm/api-key-repository.js';
import type { RepositoryContext } from './typeorm/context.js';
import { TypeOrmDashboardRepository } from './typeorm/dashboard-repository.js';
import { TypeOrmFolderRepository } from './typeorm/folder-repository.js';
import { TypeOrmMembershipRepository } from './typeorm/membership-repository.js';
import { TypeOrmSessionRepository } from './typeorm/session-repository.js';
import { TypeOrmTenantRepository } from './typeorm/tenant-repository.js';
import { TypeOrmTenantSettingsRepository } from './typeorm/tenant-settings-repository.js';
import { TypeOrmUserRepository } from './typeorm/user-repository.js';
import { CallQueue, serializeCalls } from './serialized.js';

export interface MetadataStoreOptions extends DataSourceOptions {
  /** `metadata.url`: `sqlite://<path>`, `postgres://…`, or empty for `<dataDir>/metadata.db`. */
  readonly url: string;
  /** Resolves an empty `url` (default `./data`). */
  readonly dataDir?: string;
  /** Apply pending migrations on open (default true); false fails if any are pending. */
  readonly migrate?: boolean;
  /** Milliseconds since the epoch (default Date.now); tests pass a controllable clock. */
  readonly now?: () => number;
}

/**
 * The metadata store: one database connection (pool) and the repositories over it. Opened once
 * per process at start-up; migrations run before any repository is used.
 */
export class MetadataStore {
  readonly tenants: TenantRepository;
  readonly users: UserRepository;
  readonly memberships: MembershipRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly sessions: SessionRepository;
  readonly tenantSettings: TenantSettingsRepository;
  readonly folders: FolderRepository;
  readonly dashboards: DashboardRepository;

  private constructor(
    private readonly dataSource: DataSource,
    readonly location: MetadataLocation,
    /** Names of the migrations this open applied (empty when the schema was current). */
    readonly appliedMigrations: readonly string[],
    now: () => number,
  ) {
    const ctx: RepositoryContext = { dataSource, now };
    const queue = location.dialect === 'sqlite' ? new CallQueue() : undefined;
    const wrap = <T extends object>(repo: T): T => (queue ? serializeCalls(repo, queue) : repo);
    this.tenants = wrap(new TypeOrmTenantRepository(ctx));
    this.users = wrap(new TypeOrmUserRepository(ctx));
    this.memberships = wrap(new TypeOrmMembershipRepository(ctx));
    this.apiKeys = wrap(new TypeOrmApiKeyRepository(ctx));
    this.sessions = wrap(new TypeOrmSessionRepository(ctx));
    this.tenantSettings = wrap(new TypeOrmTenantSettingsRepository(ctx));
    this.folders = wrap(new TypeOrmFolderRepository(ctx));
    this.dashboards = wrap(new TypeOrmDashboardRepository(ctx));
  }

  static async open(options: MetadataStoreOptions): Promise<MetadataStore> {
    const location = parseMetadataUrl(options.url, options.dataDir);
    const dataSource = createMetadataDataSource(location, options);
    try {
      await dataSource.initialize();
    } catch (err) {
      throw new Error(`cannot open the metadata store at ${describe(location)}: ${(err as Error).message}`, { cause: err });
    }
    try {
      let applied: string[] = [];
      if (options.migrate ?? true) applied = await runMetadataMigrations(dataSource);
      else if (await dataSource.showMigrations()) {
        throw new Error(`the metadata store at ${describe(location)} has pending migrations and migrate is off`);
      }
      return new MetadataStore(dataSource, location, applied, options.now ?? Date.now);
    } catch (err) {
      await dataSource.destroy();
      throw err;
    }
  }

  get dialect(): MetadataLocation['dialect'] {
    return this.location.dialect;
  }

  /** Where the store lives, with any password redacted (for logs). */
  describe(): string {
    return describe(this.location);
  }

  /** Health check: a round trip to the database. */
  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }

  /**
   * The underlying TypeORM data source, for the migration and schema checks of the
   * conformance suite and for later stores that share the database; repositories are the API.
   */
  get typeormDataSource(): DataSource {
    return this.dataSource;
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

function describe(location: MetadataLocation): string {
  return location.dialect === 'sqlite' ? `sqlite://${location.path}` : redactMetadataUrl(location.url);
}
