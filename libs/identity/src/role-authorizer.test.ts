import { describe, expect, it } from 'vitest';
import type { Role } from '#pharos/metadata';
import type { ApiKeyPrincipal, UserPrincipal } from './principal.js';
import { LOCAL_PRINCIPAL } from './principal.js';
import { ACTIONS, RoleAuthorizer, type Action } from './role-authorizer.js';

const user = (roles: Record<string, Role>, extra: Partial<UserPrincipal> = {}): UserPrincipal => ({
  kind: 'user',
  userId: 'u',
  login: 'u',
  serverAdmin: false,
  mustChangePassword: false,
  sessionId: 's',
  roles: new Map(Object.entries(roles)),
  ...extra,
});
const key = (role: Role, tenants: string[]): ApiKeyPrincipal => ({ kind: 'api_key', keyId: 'k', name: 'k', role, tenants });
const authorizer = new RoleAuthorizer();

describe('RoleAuthorizer', () => {
  // The role table of issue 6: viewer reads, editor changes dashboards/rules (and ingests),
  // admin manages users, keys and limits; tenants are for server admins.
  const expected: Record<Role, readonly Action[]> = {
    viewer: ['metrics:read', 'dashboards:read', 'rules:read', 'account:self'],
    editor: ['metrics:read', 'dashboards:read', 'rules:read', 'metrics:write', 'dashboards:write', 'rules:write', 'account:self'],
    admin: ACTIONS.filter((a) => a !== 'tenants:manage'),
  };
  for (const role of ['viewer', 'editor', 'admin'] as const) {
    it(`a ${role} may do exactly ${expected[role].join(', ')}`, () => {
      const allowed = ACTIONS.filter((a) => authorizer.authorize(user({ a: role }), 'a', a).allowed);
      expect(allowed.sort()).toEqual([...expected[role]].sort());
    });
  }

  it('grants nothing in a tenant without a membership, and says why', () => {
    for (const action of ACTIONS.filter((a) => a !== 'account:self')) {
      expect(authorizer.authorize(user({ a: 'admin' }), 'b', action).allowed).toBe(false);
    }
    expect(authorizer.authorize(user({ a: 'viewer' }), 'a', 'dashboards:write')).toEqual({
      allowed: false,
      status: 403,
      message: 'dashboards:write in tenant "a" needs the editor role; user "u" is viewer',
    });
  });

  it('lets a server admin manage every tenant but read data only as a member', () => {
    const root = user({}, { serverAdmin: true });
    expect(authorizer.authorize(root, 'any', 'tenants:manage').allowed).toBe(true);
    expect(authorizer.authorize(root, 'any', 'keys:manage').allowed).toBe(true);
    expect(authorizer.authorize(root, 'any', 'metrics:read').allowed).toBe(false);
    expect(authorizer.canGrant(root, 'any', 'admin').allowed).toBe(true);
  });

  it('holds a user who must change the password to their own account', () => {
    const fresh = user({ a: 'admin' }, { mustChangePassword: true });
    expect(authorizer.authorize(fresh, 'a', 'dashboards:read').allowed).toBe(false);
    expect(authorizer.authorize(fresh, 'a', 'account:self').allowed).toBe(true);
  });

  it('applies a key role to each of its tenants only; keys have no account', () => {
    const k = key('editor', ['a', 'b']);
    expect(authorizer.authorize(k, 'b', 'metrics:write').allowed).toBe(true);
    expect(authorizer.authorize(k, 'c', 'metrics:read').allowed).toBe(false);
    expect(authorizer.authorize(key('viewer', ['a']), 'a', 'metrics:write').allowed).toBe(false);
    expect(authorizer.authorize(k, 'a', 'account:self').allowed).toBe(false);
  });

  it('never lets anyone grant more than they hold', () => {
    expect(authorizer.canGrant(user({ a: 'admin' }), 'a', 'admin').allowed).toBe(true);
    expect(authorizer.canGrant(user({ a: 'editor' }), 'a', 'viewer').allowed).toBe(false);
    expect(authorizer.canGrant(user({ a: 'admin' }), 'b', 'viewer').allowed).toBe(false);
  });

  it('picks the tenant of a request from the header if allowed, else the default', () => {
    expect(authorizer.tenantFor(key('viewer', ['x', 'y']), undefined)).toBe('x');
    expect(authorizer.tenantFor(key('viewer', ['x', 'y']), 'y')).toBe('y');
    expect(authorizer.tenantFor(key('viewer', ['x', 'y']), 'z')).toBeUndefined();
    expect(authorizer.tenantFor(LOCAL_PRINCIPAL, undefined)).toBe('default');
    expect(authorizer.tenantFor(LOCAL_PRINCIPAL, 'team-a')).toBe('team-a');
    expect(authorizer.tenantFor(user({ a: 'viewer', b: 'viewer' }), undefined)).toBeUndefined();
    expect(authorizer.authorize(LOCAL_PRINCIPAL, 'anything', 'tenants:manage').allowed).toBe(true);
  });
});
