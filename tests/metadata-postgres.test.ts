/**
 * The metadata store's conformance suite on a real PostgreSQL server (Debian's package, a
 * throwaway cluster that scripts/engines/postgres.sh starts on a free loopback port). Every
 * harness call gets a new database, dropped at the end. Then the identity flows over it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyIssuer, ApiKeyVerifier } from '#pharos/identity';
import { MetadataStore } from '#pharos/metadata';
import { describeIdentityFlows } from '../libs/identity/conformance/identity.conformance.js';
import { describeMetadataConformance } from '../libs/metadata/conformance/metadata.conformance.js';
import { PostgresDatabases, startPostgres } from './support/postgres-engine.js';

let databases: PostgresDatabases;
beforeAll(async () => {
  databases = new PostgresDatabases(await startPostgres());
}, 180_000);
afterAll(async () => {
  await databases?.dropAll();
});

describeMetadataConformance('postgres', { freshDatabase: () => databases.fresh() });
describeIdentityFlows('postgres', () => databases.fresh());

describe('API key verification against PostgreSQL', () => {
  it('measures cache misses (a lookup per call) and hits', async () => {
    const store = await MetadataStore.open({ url: await databases.fresh() });
    try {
      await store.tenants.create({ id: 'bench' });
      const { key } = await new ApiKeyIssuer(store.apiKeys).issue({ ownerTenantId: 'bench', role: 'editor', name: 'bench', expiresAt: null, createdBy: null });
      const measure = async (verifier: ApiKeyVerifier, n: number): Promise<number> => {
        const started = performance.now();
        for (let i = 0; i < n; i++) if (!(await verifier.verify(key)).ok) throw new Error('verification failed');
        return n / ((performance.now() - started) / 1000);
      };
      const uncached = await measure(new ApiKeyVerifier(store.apiKeys, store.tenants, { cacheTtlMs: 0 }), 500);
      const cached = await measure(new ApiKeyVerifier(store.apiKeys, store.tenants), 100_000);
      console.log(`API key verification on PostgreSQL: uncached ${uncached.toFixed(0)}/s (sequential), cached ${(cached / 1000).toFixed(0)}k/s`);
      expect(cached).toBeGreaterThan(uncached * 10);
    } finally {
      await store.close();
    }
  });
});
