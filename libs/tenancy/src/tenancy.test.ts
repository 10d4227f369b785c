import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ActiveSeriesTable, IngestionRateLimiter, TenantResolver } from '#pharos/tenancy';

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
    expect(r.resolve({ authorization: 'Bearer secret-token-0123456' })).toEqual({ ok: true, tenant: 'a' });
    const basic = 'Basic ' + Buffer.from('anyuser:secret-token-0123456').toString('base64');
    expect(r.resolve({ authorization: basic, 'x-scope-orgid': 'b' })).toEqual({ ok: true, tenant: 'b' });
    expect(r.resolve({ authorization: basic, 'x-scope-orgid': 'c' })).toMatchObject({ ok: false, status: 403 });
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
});
