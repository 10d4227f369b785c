import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ActiveSeriesTable, IngestionRateLimiter, TenantResolver, type CredentialCheck, type CredentialGrant, type CredentialVerifier } from '#pharos/tenancy';

const sha = (t: string) => createHash('sha256').update(t).digest('hex');

describe('TenantResolver', () => {
  it('uses X-Scope-OrgID or default when auth is off', () => {
    const r = new TenantResolver(false, []);
    expect(r.resolve({})).toEqual({ ok: true, tenant: 'default' });
    expect(r.resolve({ 'x-scope-orgid': 'team-a' })).toEqual({ ok: true, tenant: 'team-a' });
    expect(r.resolve({ 'x-scope-orgid': 'a/b' })).toMatchObject({ ok: false, status: 400 });
  });

  it('takes the tenant from the key when auth is on, by bearer or basic auth', () => {
    const r = new TenantResolver(true, [{ name: 'ci', sha256: sha('secret-token-0123456'), tenants: ['a', 'b'] }]);
    expect(r.resolve({})).toMatchObject({ ok: false, status: 401 });
    expect(r.resolve({ authorization: 'Bearer nope' })).toMatchObject({ ok: false, status: 401 });
    expect(r.resolve({ authorization: 'Bearer secret-token-0123456' })).toMatchObject({ ok: true, tenant: 'a' });
    const basic = 'Basic ' + Buffer.from('anyuser:secret-token-0123456').toString('base64');
    expect(r.resolve({ authorization: basic, 'x-scope-orgid': 'b' })).toMatchObject({ ok: true, tenant: 'b' });
    expect(r.resolve({ authorization: basic, 'x-scope-orgid': 'c' })).toMatchObject({ ok: false, status: 403 });
    expect(r.resolve({ authorization: 'Token secret-token-0123456' })).toMatchObject({ ok: true, tenant: 'a' });
  });
});

/** A stored-credential verifier over a fixed table, counting lookups (the store's stand-in). */
class TableVerifier implements CredentialVerifier {
  lookups = 0;
  private readonly verified = new Map<string, CredentialCheck>();
  constructor(private readonly table: ReadonlyMap<string, CredentialGrant>) {}
  async verify(token: string): Promise<CredentialCheck> {
    this.lookups++;
    await new Promise((r) => setTimeout(r, 1));
    const grant = this.table.get(token);
    const check: CredentialCheck = grant ? { ok: true, grant } : { ok: false, message: 'invalid API key' };
    if (grant) this.verified.set(token, check);
    return check;
  }
  peek(token: string): CredentialCheck | undefined {
    return this.verified.get(token);
  }
}

describe('TenantResolver with stored credentials', () => {
  const viewerKey = 'phk_0123456789ab_' + 'v'.repeat(43);
  const editorKey = 'phk_ba9876543210_' + 'e'.repeat(43);
  const session = 'phs_' + 's'.repeat(43);
  const grants = new Map<string, CredentialGrant>([
    [viewerKey, { subject: 'API key "dash"', roles: new Map([['a', 'viewer']]), defaultTenant: 'a' }],
    [editorKey, { subject: 'API key "prom"', roles: new Map([['b', 'editor']]), defaultTenant: 'b' }],
  ]);
  const sessions = new Map<string, CredentialGrant>([
    [session, { subject: 'user "ana"', roles: new Map([['a', 'admin'], ['b', 'viewer']]), defaultTenant: undefined }],
  ]);
  const yaml = [{ name: 'ci', sha256: sha('secret-token-0123456'), tenants: ['c'] }];

  it('routes phk_ keys and phs_ sessions to the store and other tokens to the YAML keys', async () => {
    const keys = new TableVerifier(grants);
    const r = new TenantResolver(true, yaml, { apiKeys: keys, sessions: new TableVerifier(sessions) });
    expect(await r.resolveAsync({ authorization: `Bearer ${editorKey}` }, 'write')).toMatchObject({ ok: true, tenant: 'b' });
    expect(await r.resolveAsync({ authorization: 'Bearer secret-token-0123456' }, 'write')).toMatchObject({ ok: true, tenant: 'c' });
    expect(keys.lookups).toBe(1);
    const basic = 'Basic ' + Buffer.from(`prometheus:${editorKey}`).toString('base64');
    expect(await r.resolveAsync({ authorization: basic }, 'read')).toMatchObject({ ok: true, tenant: 'b' });
    expect(await r.resolveAsync({ authorization: `Bearer phk_000000000000_${'x'.repeat(43)}` }, 'read')).toEqual({ ok: false, status: 401, message: 'invalid API key' });
    // A session names several tenants: the request must pick one, and gets its role there.
    expect(await r.resolveAsync({ cookie: `theme=dark; pharos_session=${session}` }, 'read')).toMatchObject({ ok: false, status: 400 });
    expect(await r.resolveAsync({ cookie: `pharos_session=${session}`, 'x-scope-orgid': 'a' }, 'write')).toMatchObject({ ok: true, tenant: 'a' });
    expect(await r.resolveAsync({ cookie: `pharos_session=${session}`, 'x-scope-orgid': 'b' }, 'write')).toMatchObject({ ok: false, status: 403 });
  });

  it('lets a viewer read but not write, and never act for another tenant', async () => {
    const r = new TenantResolver(true, yaml, { apiKeys: new TableVerifier(grants) });
    const h = { authorization: `Bearer ${viewerKey}` };
    expect(await r.resolveAsync(h, 'read')).toMatchObject({ ok: true, tenant: 'a' });
    expect(await r.resolveAsync(h, 'write')).toMatchObject({ ok: false, status: 403, message: expect.stringMatching(/viewer in tenant "a" and may not write/) });
    expect(await r.resolveAsync({ ...h, 'x-scope-orgid': 'b' }, 'read')).toMatchObject({ ok: false, status: 403 });
    expect(await r.resolveAsync({ ...h, 'x-scope-orgid': 'a/b' }, 'read')).toMatchObject({ ok: false, status: 400 });
  });

  it('answers synchronously for remembered requests and verified writers only', async () => {
    const keys = new TableVerifier(grants);
    const r = new TenantResolver(true, yaml, { apiKeys: keys });
    const first = { authorization: `Bearer ${editorKey}` };
    // Never verified: refused, and verified in the background so a retry passes.
    expect(r.resolve(first)).toMatchObject({ ok: false, status: 401 });
    await new Promise((res) => setTimeout(res, 10));
    expect(r.resolve({ authorization: `Bearer ${editorKey}` })).toMatchObject({ ok: true, tenant: 'b' });
    // The synchronous path is the ingestion path: a verified viewer may not use it.
    await r.resolveAsync({ authorization: `Bearer ${viewerKey}` }, 'read');
    expect(r.resolve({ authorization: `Bearer ${viewerKey}` })).toMatchObject({ ok: false, status: 403 });
    // What the hook checked is what the handler gets, for that request object only.
    const checked = { authorization: `Bearer ${viewerKey}` };
    const resolution = await r.resolveAsync(checked, 'read');
    if (!resolution.ok) throw new Error(resolution.message);
    r.remember(checked, resolution);
    expect(r.resolve(checked)).toBe(resolution);
  });

  it('refuses stored credentials where no store is wired, and ignores them with auth off', async () => {
    const r = new TenantResolver(true, yaml);
    expect(await r.resolveAsync({ authorization: `Bearer ${editorKey}` }, 'read')).toMatchObject({ ok: false, status: 401, message: expect.stringMatching(/no metadata store/) });
    const off = new TenantResolver(false, [], { apiKeys: new TableVerifier(grants) });
    expect(await off.resolveAsync({ authorization: `Bearer ${viewerKey}`, 'x-scope-orgid': 'z' }, 'write')).toEqual({ ok: true, tenant: 'z' });
  });
});

describe('IngestionRateLimiter', () => {
  it('admits up to the burst, then refills at the rate', () => {
    let now = 0;
    const l = new IngestionRateLimiter(() => now);
    expect(l.tryTake('t', 100, 100, 200)).toBe(true);
    expect(l.tryTake('t', 100, 100, 200)).toBe(true);
    expect(l.tryTake('t', 1, 100, 200)).toBe(false);
    now += 500;
    expect(l.tryTake('t', 50, 100, 200)).toBe(true);
    expect(l.tryTake('t', 1, 100, 200)).toBe(false);
    expect(l.tryTake('other', 200, 100, 200)).toBe(true);
    expect(l.tryTake('t', 1e9, 0, 0)).toBe(true);
  });
});

describe('ActiveSeriesTable', () => {
  it('counts distinct series and forgets them after the window', () => {
    const t = new ActiveSeriesTable(60_000, 16, 0);
    for (let i = 0; i < 10_000; i++) {
      const h = i * 7919 + 0.0;
      if (!t.touchIfPresent(h, 1000)) t.add(h, 1000);
    }
    expect(t.active).toBe(10_000);
    for (let i = 0; i < 5_000; i++) expect(t.touchIfPresent(i * 7919, 50_000)).toBe(true);
    t.sweep(100_000);
    expect(t.active).toBe(5_000);
    expect(t.touchIfPresent(9_999 * 7919, 100_000)).toBe(false);
  });

  it('agrees with a map of last-seen times through senders in fixed orders, new series, gaps and sweeps', () => {
    let seed = 42;
    const rand = (): number => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 4294967296;
    };
    const hash = (): number => Math.floor(rand() * 2 ** 53);
    // Three senders, each writing its series in its own order every scrape; one drops half of its
    // series for a while, new series appear, and the table sweeps between scrapes.
    const senders = [0, 1, 2].map(() => Array.from({ length: 3000 }, hash));
    const t = new ActiveSeriesTable(60_000, 16, 0);
    const model = new Map<number, number>();
    const windowS = 60;
    let now = 1000;
    for (let scrape = 0; scrape < 30; scrape++) {
      now += 15_000;
      for (const [k, series] of senders.entries()) {
        const list = k === 1 && scrape >= 5 && scrape < 15 ? series.slice(0, 1500) : series;
        for (const h of list) {
          const present = model.has(h);
          expect(t.touchIfPresent(h, now)).toBe(present);
          if (!present) t.add(h, now);
          model.set(h, now);
        }
        if (scrape % 7 === 3) series.push(hash());
      }
      if (scrape % 4 === 0) {
        t.sweep(now);
        // The table counts in whole seconds since its epoch (1 s before its start).
        for (const [h, seenMs] of model) if (Math.floor((seenMs + 1000) / 1000) < Math.floor((now + 1000) / 1000) - windowS) model.delete(h);
        expect(t.active).toBe(model.size);
      }
    }
    expect(t.active).toBe(model.size);
  });
});
