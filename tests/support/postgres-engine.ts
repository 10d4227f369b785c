/**
 * A real PostgreSQL for integration tests: started (idempotently) by scripts/engines/postgres.sh
 * from Debian's packages, and a fresh database per call so suites never see each other's rows.
 */
import './pg-under-vitest.js';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface PgClient {
  connect(): Promise<void>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}
const { Client } = createRequire(import.meta.url)('pg') as { Client: new (options: { connectionString: string }) => PgClient };

/** Starts the cluster if needed and returns the URL of its `pharos` database. */
export async function startPostgres(): Promise<string> {
  const { stdout } = await promisify(execFile)('bash', [join(root, 'scripts/engines/postgres.sh'), 'up'], { timeout: 170_000 });
  const url = stdout.trim().split('\n').pop() ?? '';
  if (!url.startsWith('postgres://')) throw new Error(`postgres.sh up printed no URL: ${JSON.stringify(stdout)}`);
  return url;
}

/** Creates and drops databases on one cluster. */
export class PostgresDatabases {
  private readonly created: string[] = [];

  constructor(private readonly adminUrl: string) {}

  async fresh(prefix = 'pharos_test'): Promise<string> {
    const name = `${prefix}_${randomBytes(5).toString('hex')}`;
    await this.admin(`CREATE DATABASE ${name}`);
    this.created.push(name);
    const url = new URL(this.adminUrl);
    url.pathname = `/${name}`;
    return url.toString();
  }

  async dropAll(): Promise<void> {
    for (const name of this.created.splice(0)) await this.admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }

  private async admin(sql: string): Promise<void> {
    const client = new Client({ connectionString: this.adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }
}
