import { describe, expect, it } from 'vitest';
import { AccessDeniedError, IdentityError, LOCAL_PRINCIPAL, type UserPrincipal } from '#pharos/identity';
import { DuplicateRecordError, InvalidRecordError, RecordNotFoundError, VersionConflictError, type ApiKeyRecord, type UserRecord } from '#pharos/metadata';
import { adminError, apiKeyOf, limitsRecord, meOf, settingsOf, snakeCase, userOf } from './admin-mapping.js';
import { GraphQLError } from './graphql-runtime.js';

const code = (err: unknown): unknown => (err as GraphQLError).extensions['code'];

function user(roles: [string, 'viewer' | 'editor' | 'admin'][], extra: Partial<UserPrincipal> = {}): UserPrincipal {
  return { kind: 'user', userId: 'u1', login: 'ann', serverAdmin: false, mustChangePassword: false, sessionId: 's1', roles: new Map(roles), ...extra };
}

describe('adminError', () => {
  it('maps the administration and store errors to the stable codes, as REST maps them to statuses', () => {
    expect(code(adminError(new AccessDeniedError('keys:manage in tenant "b" needs the admin role')))).toBe('FORBIDDEN');
    expect(code(adminError(new RecordNotFoundError('no tenant "x"')))).toBe('NOT_FOUND');
    expect(code(adminError(new InvalidRecordError('tenant id must match')))).toBe('BAD_INPUT');
    expect(code(adminError(new DuplicateRecordError('tenant "a" exists')))).toBe('ALREADY_EXISTS');
    expect(code(adminError(new IdentityError('too short', 'weak_password')))).toBe('BAD_INPUT');
    expect(code(adminError(new IdentityError('no such user', 'no_such_user')))).toBe('NOT_FOUND');
    expect(code(adminError(new IdentityError('wrong', 'wrong_password')))).toBe('FORBIDDEN');
    expect(code(adminError(new Error('disk on fire')))).toBe('INTERNAL');
  });

  it('keeps the message and the current version of a conflict', () => {
    const err = adminError(new VersionConflictError('tenant settings of "a" changed', 3));
    expect(code(err)).toBe('VERSION_CONFLICT');
    expect(err.extensions['currentVersion']).toBe(3);
    expect(err.message).toBe('tenant settings of "a" changed');
  });

  it('passes an already coded error through', () => {
    const coded = new GraphQLError('x', { extensions: { code: 'UNAVAILABLE' } });
    expect(adminError(coded)).toBe(coded);
  });
});

describe('records as the schema shows them', () => {
  it('never carries the password hash or the key digest', () => {
    const record: UserRecord = {
      id: 'u1', login: 'ann', email: null, name: 'Ann', passwordHash: '$argon2id$secret', serverAdmin: false, mustChangePassword: true,
      disabled: false, failedLoginCount: 2, lockedUntil: null, passwordChangedAt: 5, createdAt: 1, updatedAt: 2,
    };
    expect(JSON.stringify(userOf(record))).not.toMatch(/argon2|secret|failedLogin/);
    const key: ApiKeyRecord = {
      id: 'k1', ownerTenantId: 'a', prefix: '0123456789ab', secretHash: 'f'.repeat(64), name: 'prom', role: 'editor', tenants: ['a', 'b'],
      createdBy: 'u1', createdAt: 1, expiresAt: null, lastUsedAt: 9, revokedAt: null,
    };
    const shown = apiKeyOf(key);
    expect(JSON.stringify(shown)).not.toContain('f'.repeat(64));
    expect(shown).toMatchObject({ id: 'k1', prefix: '0123456789ab', role: 'editor', tenants: ['a', 'b'], lastUsedAt: 9 });
  });

  it('names effective limits as they are edited and splits out retention', () => {
    expect(snakeCase('maxLabelNameLength')).toBe('max_label_name_length');
    const shown = settingsOf({
      tenantId: 'a',
      stored: { tenantId: 'a', limits: { ingestion_rate: 5 }, retentionMs: 3_600_000, version: 2, updatedAt: 7, updatedBy: null },
      effective: { ingestionRate: 5, queryTimeout: 120_000, retentionMs: 3_600_000 },
    });
    expect(shown).toEqual({
      tenantId: 'a',
      limits: [{ name: 'ingestion_rate', value: 5 }],
      retentionMs: 3_600_000,
      version: 2,
      updatedAt: 7,
      effective: [
        { name: 'ingestion_rate', value: 5 },
        { name: 'query_timeout', value: 120_000 },
      ],
      effectiveRetentionMs: 3_600_000,
    });
    expect(settingsOf({ tenantId: 'b', stored: undefined, effective: { retentionMs: 1 } })).toMatchObject({ limits: [], retentionMs: null, version: 0, updatedAt: null });
  });

  it('refuses a limit given twice', () => {
    expect(limitsRecord([{ name: 'ingestion_rate', value: 1 }])).toEqual({ ingestion_rate: 1 });
    expect(() => limitsRecord([{ name: 'ingestion_rate', value: 1 }, { name: 'ingestion_rate', value: 2 }])).toThrow(/given twice/);
  });
});

describe('meOf', () => {
  it('says auth is off for the local user, with nothing to administer', () => {
    expect(meOf(LOCAL_PRINCIPAL, new Map())).toMatchObject({ kind: 'local', authEnabled: false, canAdminister: false, tenants: [] });
  });

  it('lists a user\'s tenants with names and knows who administers', () => {
    const names = new Map([['a', 'Team A']]);
    const viewer = meOf(user([['b', 'viewer'], ['a', 'editor']]), names);
    expect(viewer.tenants).toEqual([
      { tenantId: 'a', tenantName: 'Team A', role: 'editor' },
      { tenantId: 'b', tenantName: null, role: 'viewer' },
    ]);
    expect(viewer.canAdminister).toBe(false);
    expect(meOf(user([['a', 'admin']]), names).canAdminister).toBe(true);
    expect(meOf(user([], { serverAdmin: true }), names).canAdminister).toBe(true);
    // Until the password is changed nothing else is allowed.
    expect(meOf(user([['a', 'admin']], { mustChangePassword: true }), names).canAdminister).toBe(false);
  });

  it('describes an API key by its name and role', () => {
    const me = meOf({ kind: 'api_key', keyId: 'k1', name: 'ci', role: 'admin', tenants: ['a'] }, new Map());
    expect(me).toMatchObject({ kind: 'api_key', id: 'k1', login: 'ci', canAdminister: true, tenants: [{ tenantId: 'a', role: 'admin' }] });
  });
});
