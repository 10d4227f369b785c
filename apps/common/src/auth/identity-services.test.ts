import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyIssuer, ApiKeyVerifier } from '#pharos/identity';
import { MetadataStore } from '#pharos/metadata';
import { StoredApiKeyCredentials } from './identity-services.js';

describe('StoredApiKeyCredentials.peek (the synchronous ingestion path)', () => {
  let store: MetadataStore;
  let now = 1_000_000;
  const clock = () => now;
  beforeAll(async () => {
    store = await MetadataStore.open({ url: 'sqlite://:memory:', now: clock });
    await store.tenants.create({ id: 'a' });
  });
  afterAll(() => store.close());

  it('knows verified keys, serves them stale while re-verifying, and honours expiry and revocation', async () => {
    const verifier = new ApiKeyVerifier(store.apiKeys, store.tenants, { cacheTtlMs: 10_000, now: clock });
    const credentials = new StoredApiKeyCredentials(verifier, store.apiKeys, 10_000, clock);
    const issuer = new ApiKeyIssuer(store.apiKeys, clock);
    const steady = await issuer.issue({ ownerTenantId: 'a', role: 'editor', name: 'steady', expiresAt: null, createdBy: null });
    const expiring = await issuer.issue({ ownerTenantId: 'a', role: 'editor', name: 'expiring', expiresAt: now + 5_000, createdBy: null });

    expect(credentials.peek(steady.key)).toBeUndefined();
    expect(await credentials.verify(steady.key)).toMatchObject({ ok: true, grant: { defaultTenant: 'a', roles: new Map([['a', 'editor']]) } });
    expect(credentials.peek(steady.key)).toMatchObject({ ok: true });
    await credentials.verify(expiring.key);
    expect(credentials.peek(expiring.key)).toMatchObject({ ok: true });

    now += 6_000;
    expect(credentials.peek(expiring.key)).toBeUndefined();
    // Past the TTL: still answered, and re-verified in the background.
    now += 6_000;
    expect(credentials.peek(steady.key)).toMatchObject({ ok: true });
    await new Promise((r) => setTimeout(r, 20));
    now += 15_000;
    expect(credentials.peek(steady.key)).toMatchObject({ ok: true });
    // Unused for two TTLs: forgotten.
    now += 20_001;
    expect(credentials.peek(steady.key)).toBeUndefined();

    await credentials.verify(steady.key);
    credentials.invalidate(steady.record.id);
    expect(credentials.peek(steady.key)).toBeUndefined();
  });
});
