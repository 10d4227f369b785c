import { describe, expect, it } from 'vitest';
import { GraphqlError } from '../../../core/graphql-client';
import type { Me, Tenant, TenantSettings } from '../api/admin-documents';
import {
  administrableTenants,
  chooseTenant,
  errorText,
  formatBytes,
  formatDuration,
  grantableRoles,
  inviteForm,
  keyForm,
  limitsForm,
  parseBytes,
  parseDuration,
  relativeTime,
  renameForm,
  settingsFields,
  tenantForm,
} from './admin-forms';

const me = (over: Partial<Me> = {}): Me => ({
  kind: 'user', authEnabled: true, id: 'u1', login: 'ann', serverAdmin: false, mustChangePassword: false, canAdminister: true, tenants: [], ...over,
});
const tenant = (id: string, role: Tenant['role']): Tenant => ({ id, name: id, disabled: false, createdAt: 0, role });

describe('tenant forms', () => {
  it('accepts ids the store accepts and names the field otherwise', () => {
    expect(tenantForm({ id: ' team-a.1 ', name: '' })).toEqual({ ok: true, value: { id: 'team-a.1' } });
    expect(tenantForm({ id: 'a', name: ' Team A ' })).toEqual({ ok: true, value: { id: 'a', name: 'Team A' } });
    expect(tenantForm({ id: 'no spaces', name: '' })).toMatchObject({ ok: false, errors: { id: expect.stringMatching(/letters, digits/) } });
    expect(tenantForm({ id: '', name: 'x'.repeat(201) })).toMatchObject({ ok: false, errors: { id: 'Enter a tenant id.', name: expect.any(String) } });
    expect(renameForm('  ')).toMatchObject({ ok: false });
    expect(renameForm(' Ops ')).toEqual({ ok: true, value: 'Ops' });
  });
});

describe('inviteForm', () => {
  it('trims, leaves out empty optional fields and checks the role and e-mail', () => {
    expect(inviteForm({ login: ' vera ', role: 'viewer', name: '', email: '', password: '' })).toEqual({ ok: true, value: { login: 'vera', role: 'viewer' } });
    expect(inviteForm({ login: 'v', role: 'admin', name: 'Vera', email: 'v@example.org', password: 'a temporary pw' })).toEqual({
      ok: true,
      value: { login: 'v', role: 'admin', name: 'Vera', email: 'v@example.org', password: 'a temporary pw' },
    });
    const bad = inviteForm({ login: '', role: 'owner', name: '', email: 'not-mail', password: '' });
    expect(bad.ok).toBe(false);
    expect(Object.keys(bad.ok ? {} : bad.errors).sort()).toEqual(['email', 'login', 'role']);
  });
});

describe('keyForm', () => {
  const now = new Date(2026, 0, 10, 12, 0).getTime();
  it('reads the expiry date as the end of that local day', () => {
    const r = keyForm({ name: 'prometheus', role: 'editor', expires: '2026-02-01', extraTenants: ['b', 'b'] }, now);
    expect(r).toEqual({ ok: true, value: { name: 'prometheus', role: 'editor', expiresAt: new Date(2026, 1, 1, 23, 59, 59, 999).getTime(), extraTenants: ['b'] } });
    expect(keyForm({ name: 'k', role: 'viewer', expires: '', extraTenants: [] }, now)).toMatchObject({ ok: true, value: { expiresAt: null } });
  });

  it('refuses past and impossible dates, and a missing name', () => {
    expect(keyForm({ name: 'k', role: 'viewer', expires: '2026-01-09', extraTenants: [] }, now)).toMatchObject({ ok: false, errors: { expires: 'Choose a day in the future.' } });
    expect(keyForm({ name: 'k', role: 'viewer', expires: '2026-02-30', extraTenants: [] }, now)).toMatchObject({ ok: false, errors: { expires: expect.stringMatching(/Enter a date/) } });
    expect(keyForm({ name: ' ', role: 'viewer', expires: '', extraTenants: [] }, now)).toMatchObject({ ok: false, errors: { name: expect.any(String) } });
  });
});

describe('durations and sizes', () => {
  it('parses and formats durations exactly', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(parseDuration('1500')).toBe(1500);
    expect(parseDuration('2 hours')).toBeUndefined();
    expect(parseDuration('')).toBeUndefined();
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(1_209_600_000)).toBe('14d');
    expect(formatDuration(1_250)).toBe('1s250ms');
    for (const ms of [1, 999, 60_000, 93_784_005]) expect(parseDuration(formatDuration(ms))).toBe(ms);
  });

  it('parses and formats sizes', () => {
    expect(parseBytes('4MiB')).toBe(4 * 1024 * 1024);
    expect(parseBytes('1.5 KiB')).toBe(1536);
    expect(parseBytes('100')).toBe(100);
    expect(parseBytes('4MB')).toBeUndefined();
    expect(formatBytes(10 * 1024 * 1024)).toBe('10MiB');
    expect(formatBytes(1000)).toBe('1000B');
  });
});

describe('limits form', () => {
  const settings: TenantSettings = {
    tenantId: 'a',
    limits: [{ name: 'query_timeout', value: 60_000 }],
    retentionMs: 1_296_000_000,
    version: 3,
    updatedAt: 1,
    effective: [
      { name: 'ingestion_rate', value: 10_000 },
      { name: 'max_request_size', value: 10 * 1024 * 1024 },
      { name: 'query_max_series', value: 0 },
      { name: 'query_timeout', value: 60_000 },
    ],
    effectiveRetentionMs: 1_296_000_000,
  };

  it('shows stored overrides in their units and leaves the rest empty', () => {
    expect(settingsFields(settings)).toEqual({
      limits: { ingestion_rate: '', max_request_size: '', query_max_series: '', query_timeout: '1m' },
      retention: '15d',
    });
  });

  it('reads the form back, leaving empty fields to the configuration', () => {
    expect(limitsForm({ limits: { ingestion_rate: '500', max_request_size: '4MiB', query_max_series: '0', query_timeout: '' }, retention: '' })).toEqual({
      ok: true,
      value: {
        limits: [
          { name: 'ingestion_rate', value: 500 },
          { name: 'max_request_size', value: 4 * 1024 * 1024 },
          { name: 'query_max_series', value: 0 },
        ],
        retentionMs: null,
      },
    });
  });

  it('names each bad field', () => {
    const r = limitsForm({ limits: { ingestion_rate: '-1', query_timeout: 'soon', max_request_size: '4MB', max_labels_per_series: '0' }, retention: '0s' });
    expect(r.ok).toBe(false);
    expect(Object.keys(r.ok ? {} : r.errors).sort()).toEqual(['ingestion_rate', 'max_labels_per_series', 'max_request_size', 'query_timeout', 'retention']);
  });
});

describe('who administers what', () => {
  const tenants = [tenant('b', 'admin'), tenant('a', 'viewer'), tenant('c', null)];

  it('gives server admins every tenant and tenant admins theirs', () => {
    expect(administrableTenants(me({ serverAdmin: true }), tenants).map((t) => t.id)).toEqual(['a', 'b', 'c']);
    expect(administrableTenants(me(), tenants).map((t) => t.id)).toEqual(['b']);
    expect(administrableTenants(me({ canAdminister: false }), tenants)).toEqual([]);
  });

  it('keeps the requested tenant only when it is administrable', () => {
    expect(chooseTenant('b', [tenant('a', 'admin'), tenant('b', 'admin')])).toBe('b');
    expect(chooseTenant('zzz', [tenant('a', 'admin')])).toBe('a');
    expect(chooseTenant(null, [])).toBeNull();
  });

  it('offers roles up to the caller\'s own', () => {
    expect(grantableRoles(me({ tenants: [{ tenantId: 'a', tenantName: null, role: 'editor' }] }), 'a')).toEqual(['viewer', 'editor']);
    expect(grantableRoles(me({ serverAdmin: true }), 'x')).toEqual(['viewer', 'editor', 'admin']);
    expect(grantableRoles(me(), 'a')).toEqual([]);
  });
});

describe('texts', () => {
  it('words times relative to now', () => {
    expect(relativeTime(null, 0)).toBe('never');
    expect(relativeTime(3 * 86_400_000, 0)).toBe('in 3 days');
    expect(relativeTime(0, 2 * 3_600_000)).toBe('2 hours ago');
    expect(relativeTime(10_000, 0)).toBe('just now');
  });

  it('says what to do after a conflict and keeps the gateway message otherwise', () => {
    expect(errorText(new GraphqlError('VERSION_CONFLICT', 'stale', 200))).toMatch(/Reload/);
    expect(errorText(new GraphqlError('FORBIDDEN', 'needs the admin role', 200))).toBe('Not allowed: needs the admin role');
    expect(errorText(new GraphqlError('BAD_INPUT', 'limits.x: unknown key', 200))).toBe('limits.x: unknown key');
    expect(errorText(new Error('boom'))).toBe('boom');
  });
});
