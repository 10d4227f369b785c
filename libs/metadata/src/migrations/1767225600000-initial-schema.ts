/**
 * The first schema of the metadata store. Written with TypeORM's Table API rather than SQL
 * text, so the one migration produces the right DDL on SQLite and on PostgreSQL; the column
 * types used (varchar, text, integer, bigint, boolean) mean the same on both. Later changes
 * are new migrations; this one is never edited once released.
 */
import { Table, TableForeignKey, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';

const id = (name = 'id', length = 36): TableColumnOptions => ({ name, type: 'varchar', length: String(length) });
const tenantRef = (name = 'tenant_id'): TableColumnOptions => ({ name, type: 'varchar', length: '150' });
const ms = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'bigint', isNullable });
const text = (name: string, length: number, isNullable = false): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable,
});
const flag = (name: string): TableColumnOptions => ({ name, type: 'boolean' });
const fk = (
  name: string,
  columnNames: string[],
  referencedTableName: string,
  referencedColumnNames: string[],
  onDelete?: 'CASCADE' | 'SET NULL',
): TableForeignKey =>
  new TableForeignKey({ name, columnNames, referencedTableName, referencedColumnNames, ...(onDelete ? { onDelete } : {}) });
const ROLE_CHECK = `"role" IN ('viewer', 'editor', 'admin')`;

export class InitialSchema1767225600000 implements MigrationInterface {
  readonly name = 'InitialSchema1767225600000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'tenants',
        columns: [{ ...id('id', 150), isPrimary: true, primaryKeyConstraintName: 'pk_tenants' }, text('name', 200), flag('disabled'), ms('created_at'), ms('updated_at')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'users',
        columns: [
          { ...id(), isPrimary: true, primaryKeyConstraintName: 'pk_users' },
          text('login', 100),
          text('email', 320, true),
          text('name', 200),
          text('password_hash', 255, true),
          flag('server_admin'),
          flag('must_change_password'),
          flag('disabled'),
          { name: 'failed_login_count', type: 'integer' },
          ms('locked_until', true),
          ms('password_changed_at', true),
          ms('created_at'),
          ms('updated_at'),
        ],
        uniques: [{ name: 'uq_users_login', columnNames: ['login'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'memberships',
        columns: [
          { ...id('user_id'), isPrimary: true, primaryKeyConstraintName: 'pk_memberships' },
          { ...tenantRef(), isPrimary: true, primaryKeyConstraintName: 'pk_memberships' },
          text('role', 16),
          ms('created_at'),
        ],
        indices: [{ name: 'ix_memberships_tenant', columnNames: ['tenant_id'] }],
        foreignKeys: [
          fk('fk_memberships_user', ['user_id'], 'users', ['id'], 'CASCADE'),
          fk('fk_memberships_tenant', ['tenant_id'], 'tenants', ['id'], 'CASCADE'),
        ],
        checks: [{ name: 'ck_memberships_role', expression: ROLE_CHECK }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'api_keys',
        columns: [
          { ...id(), isPrimary: true, primaryKeyConstraintName: 'pk_api_keys' },
          tenantRef('owner_tenant_id'),
          text('prefix', 32),
          text('secret_hash', 64),
          text('name', 200),
          text('role', 16),
          text('created_by', 36, true),
          ms('created_at'),
          ms('expires_at', true),
          ms('last_used_at', true),
          ms('revoked_at', true),
        ],
        uniques: [{ name: 'uq_api_keys_prefix', columnNames: ['prefix'] }],
        indices: [{ name: 'ix_api_keys_owner', columnNames: ['owner_tenant_id'] }],
        foreignKeys: [
          fk('fk_api_keys_owner', ['owner_tenant_id'], 'tenants', ['id'], 'CASCADE'),
          fk('fk_api_keys_creator', ['created_by'], 'users', ['id'], 'SET NULL'),
        ],
        checks: [{ name: 'ck_api_keys_role', expression: ROLE_CHECK }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'api_key_tenants',
        columns: [
          { ...id('key_id'), isPrimary: true, primaryKeyConstraintName: 'pk_api_key_tenants' },
          { ...tenantRef(), isPrimary: true, primaryKeyConstraintName: 'pk_api_key_tenants' },
          { name: 'position', type: 'integer' },
        ],
        indices: [{ name: 'ix_api_key_tenants_tenant', columnNames: ['tenant_id'] }],
        foreignKeys: [
          fk('fk_api_key_tenants_key', ['key_id'], 'api_keys', ['id'], 'CASCADE'),
          fk('fk_api_key_tenants_tenant', ['tenant_id'], 'tenants', ['id'], 'CASCADE'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'sessions',
        columns: [
          { ...id(), isPrimary: true, primaryKeyConstraintName: 'pk_sessions' },
          text('token_hash', 64),
          id('user_id'),
          text('csrf_hash', 64),
          ms('created_at'),
          ms('last_seen_at'),
          ms('expires_at'),
          ms('revoked_at', true),
          text('user_agent', 512, true),
          text('ip', 64, true),
        ],
        uniques: [{ name: 'uq_sessions_token_hash', columnNames: ['token_hash'] }],
        indices: [
          { name: 'ix_sessions_user', columnNames: ['user_id'] },
          { name: 'ix_sessions_expires', columnNames: ['expires_at'] },
        ],
        foreignKeys: [fk('fk_sessions_user', ['user_id'], 'users', ['id'], 'CASCADE')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'tenant_settings',
        columns: [
          { ...tenantRef(), isPrimary: true, primaryKeyConstraintName: 'pk_tenant_settings' },
          { name: 'limits', type: 'text' },
          ms('retention_ms', true),
          { name: 'version', type: 'integer' },
          ms('updated_at'),
          text('updated_by', 36, true),
        ],
        foreignKeys: [fk('fk_tenant_settings_tenant', ['tenant_id'], 'tenants', ['id'], 'CASCADE')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'folders',
        columns: [
          { ...id(), isPrimary: true, primaryKeyConstraintName: 'pk_folders' },
          tenantRef(),
          text('uid', 40),
          text('title', 255),
          { name: 'version', type: 'integer' },
          ms('created_at'),
          ms('updated_at'),
        ],
        uniques: [
          { name: 'uq_folders_tenant_uid', columnNames: ['tenant_id', 'uid'] },
          { name: 'uq_folders_tenant_title', columnNames: ['tenant_id', 'title'] },
          { name: 'uq_folders_tenant_id', columnNames: ['tenant_id', 'id'] },
        ],
        foreignKeys: [fk('fk_folders_tenant', ['tenant_id'], 'tenants', ['id'], 'CASCADE')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'dashboards',
        columns: [
          { ...id(), isPrimary: true, primaryKeyConstraintName: 'pk_dashboards' },
          tenantRef(),
          text('uid', 40),
          text('title', 255),
          text('title_lower', 255),
          { name: 'model', type: 'text' },
          { name: 'version', type: 'integer' },
          text('folder_id', 36, true),
          text('created_by', 36, true),
          text('updated_by', 36, true),
          ms('created_at'),
          ms('updated_at'),
        ],
        uniques: [{ name: 'uq_dashboards_tenant_uid', columnNames: ['tenant_id', 'uid'] }],
        indices: [{ name: 'ix_dashboards_tenant_folder', columnNames: ['tenant_id', 'folder_id'] }],
        foreignKeys: [
          fk('fk_dashboards_tenant', ['tenant_id'], 'tenants', ['id'], 'CASCADE'),
          fk('fk_dashboards_folder', ['tenant_id', 'folder_id'], 'folders', ['tenant_id', 'id']),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'dashboard_tags',
        columns: [
          { ...id('dashboard_id'), isPrimary: true, primaryKeyConstraintName: 'pk_dashboard_tags' },
          { ...text('tag', 100), isPrimary: true, primaryKeyConstraintName: 'pk_dashboard_tags' },
          tenantRef(),
        ],
        indices: [{ name: 'ix_dashboard_tags_tenant_tag', columnNames: ['tenant_id', 'tag'] }],
        foreignKeys: [fk('fk_dashboard_tags_dashboard', ['dashboard_id'], 'dashboards', ['id'], 'CASCADE')],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['dashboard_tags', 'dashboards', 'folders', 'tenant_settings', 'sessions', 'api_key_tenants', 'api_keys', 'memberships', 'users', 'tenants']) {
      await q.dropTable(table);
    }
  }
}
