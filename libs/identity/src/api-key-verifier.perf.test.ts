import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetadataStore } from '#pharos/metadata';
import { ApiKeyIssuer } from './api-key-issuer.js';
import { ApiKeyVerifier } from './api-key-verifier.js';

/**
 * API keys are verified on every remote-write request, so the cached path must cost little
 * next to decoding a body (~2,000 samples at ~1 M samples/s is ~2 ms). Measured here on
 * SQLite in memory: the cached path, and the uncached one (cache TTL 0) for comparison.
 */
describe('ApiKeyVerifier throughput', () => {
  let store: MetadataStore;
  const keys: string[] = [];

  beforeAll(async () => {
    store = await MetadataStore.open({ url: 'sqlite://:memory:' });
    await store.tenants.create({ id: 'bench' });
    const issuer = new ApiKeyIssuer(store.apiKeys);
    for (let i = 0; i < 16; i++) keys.push((await issuer.issue({ ownerTenantId: 'bench', role: 'editor', name: `k${i}`, expiresAt: null, createdBy: null })).key);
  });
  afterAll(async () => {
    await store.close();
  });

  async function rate(verifier: ApiKeyVerifier, iterations: number): Promise<number> {
    for (let i = 0; i < 1000; i++) await verifier.verify(keys[i % keys.length]!);
    const started = performance.now();
    for (let i = 0; i < iterations; i++) {
      const r = await verifier.verify(keys[i % keys.length]!);
      if (!r.ok) throw new Error(r.message);
    }
    return iterations / ((performance.now() - started) / 1000);
  }

  it('verifies cached keys at well over 100k/s and shows what the cache saves', async () => {
    const cached = await rate(new ApiKeyVerifier(store.apiKeys, store.tenants, { cacheTtlMs: 10_000 }), 200_000);
    const uncached = await rate(new ApiKeyVerifier(store.apiKeys, store.tenants, { cacheTtlMs: 0 }), 5_000);
    console.log(`API key verification: cached ${(cached / 1000).toFixed(0)}k/s, uncached (SQLite lookup each time) ${(uncached / 1000).toFixed(1)}k/s`);
    // A floor far below the measured rate (shared 2-core machine), but one an accidental
    // database round trip per call would break.
    expect(cached).toBeGreaterThan(100_000);
    expect(cached).toBeGreaterThan(uncached * 3);
  });
});
