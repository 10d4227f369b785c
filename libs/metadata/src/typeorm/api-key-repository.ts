import { In, IsNull } from 'typeorm';
import { InvalidRecordError, RecordNotFoundError, translateDriverError } from '../errors.js';
import type { ApiKeyRepository, NewApiKey } from '../ports.js';
import type { ApiKeyRecord, Role } from '../records.js';
import { ApiKeyEntity, ApiKeyTenantEntity, type ApiKeyRow, type ApiKeyTenantRow } from '../schema/entities.js';
import { checkRole, checkTenantId, checkText } from '../validation.js';
import { newId, type RepositoryContext } from './context.js';

const PREFIX = /^[A-Za-z0-9]{4,32}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

export class TypeOrmApiKeyRepository implements ApiKeyRepository {
  private readonly keys;
  private readonly keyTenants;

  constructor(private readonly ctx: RepositoryContext) {
    this.keys = ctx.dataSource.getRepository<ApiKeyRow>(ApiKeyEntity);
    this.keyTenants = ctx.dataSource.getRepository<ApiKeyTenantRow>(ApiKeyTenantEntity);
  }

  async create(input: NewApiKey): Promise<ApiKeyRecord> {
    const tenants = [...new Set(input.tenants.map(checkTenantId))];
    if (tenants.length === 0 || tenants.length > 100) throw new InvalidRecordError('an API key must name between 1 and 100 tenants');
    if (!tenants.includes(input.ownerTenantId)) {
      throw new InvalidRecordError(`the tenants of an API key must include its owner tenant ${JSON.stringify(input.ownerTenantId)}`);
    }
    if (!PREFIX.test(input.prefix)) throw new InvalidRecordError(`API key prefix must match ${PREFIX}`);
    if (!SHA256_HEX.test(input.secretHash)) throw new InvalidRecordError('API key secretHash must be a lower-case hex SHA-256');
    if (input.expiresAt !== null && !Number.isFinite(input.expiresAt)) throw new InvalidRecordError('API key expiresAt must be a time in ms or null');
    const row: ApiKeyRow = {
      id: newId(),
      ownerTenantId: checkTenantId(input.ownerTenantId),
      prefix: input.prefix,
      secretHash: input.secretHash,
      name: checkText('API key name', input.name, 200),
      role: checkRole(input.role),
      createdBy: input.createdBy,
      createdAt: this.ctx.now(),
      expiresAt: input.expiresAt,
      lastUsedAt: null,
      revokedAt: null,
    };
    try {
      await this.ctx.dataSource.transaction(async (em) => {
        await em.insert(ApiKeyEntity, row);
        await em.insert(
          ApiKeyTenantEntity,
          tenants.map((tenantId, position) => ({ keyId: row.id, tenantId, position })),
        );
      });
    } catch (err) {
      throw translateDriverError(err, {
        duplicate: `an API key with prefix ${input.prefix} already exists`,
        reference: `cannot create the API key: a tenant of ${JSON.stringify(tenants)} or the creating user does not exist`,
      });
    }
    return { ...row, role: row.role as Role, tenants };
  }

  async findByPrefix(prefix: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.keys.findOneBy({ prefix });
    return row ? (await this.withTenants([row]))[0] : undefined;
  }

  async get(tenantId: string, id: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.keys.findOneBy({ id, ownerTenantId: tenantId });
    return row ? (await this.withTenants([row]))[0] : undefined;
  }

  async listForTenant(tenantId: string): Promise<ApiKeyRecord[]> {
    const rows = await this.keys.find({ where: { ownerTenantId: tenantId }, order: { createdAt: 'DESC', id: 'ASC' } });
    return this.withTenants(rows);
  }

  async revoke(tenantId: string, id: string, at: number): Promise<ApiKeyRecord> {
    await this.keys.update({ id, ownerTenantId: tenantId, revokedAt: IsNull() }, { revokedAt: at });
    // Revoking twice keeps the first time; a key of another tenant is "not found".
    const key = await this.get(tenantId, id);
    if (!key) throw new RecordNotFoundError(`no API key ${JSON.stringify(id)} in tenant ${JSON.stringify(tenantId)}`);
    return key;
  }

  async recordUsage(lastUsed: ReadonlyMap<string, number>): Promise<void> {
    if (lastUsed.size === 0) return;
    await this.ctx.dataSource.transaction(async (em) => {
      for (const [id, at] of lastUsed) {
        // Never moves the time backwards when two processes flush out of order.
        await em
          .createQueryBuilder()
          .update(ApiKeyEntity)
          .set({ lastUsedAt: at })
          .where('id = :id AND (last_used_at IS NULL OR last_used_at < :at)', { id, at })
          .execute();
      }
    });
  }

  async delete(tenantId: string, id: string): Promise<void> {
    const result = await this.keys.delete({ id, ownerTenantId: tenantId });
    if ((result.affected ?? 0) === 0) throw new RecordNotFoundError(`no API key ${JSON.stringify(id)} in tenant ${JSON.stringify(tenantId)}`);
  }

  private async withTenants(rows: ApiKeyRow[]): Promise<ApiKeyRecord[]> {
    if (rows.length === 0) return [];
    const links = await this.keyTenants.find({ where: { keyId: In(rows.map((r) => r.id)) }, order: { position: 'ASC' } });
    const byKey = new Map<string, string[]>();
    for (const link of links) {
      let list = byKey.get(link.keyId);
      if (!list) byKey.set(link.keyId, (list = []));
      list.push(link.tenantId);
    }
    return rows.map((row) => ({ ...row, role: row.role as Role, tenants: byKey.get(row.id) ?? [] }));
  }
}
