import { ROLES, type Role } from '#pharos/metadata';
import type { Principal } from './principal.js';

/** What a request wants to do in a tenant. */
export const ACTIONS = [
  'metrics:read',
  'metrics:write',
  'dashboards:read',
  'dashboards:write',
  'rules:read',
  'rules:write',
  'users:manage',
  'keys:manage',
  'limits:manage',
  'tenants:manage',
  'account:self',
] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * The weakest role allowed each action. Writing metrics (remote_write, OTLP) needs editor, so
 * a viewer key can query but never ingest. `tenants:manage` is for server admins only.
 */
const REQUIRED_ROLE: Readonly<Record<Exclude<Action, 'tenants:manage' | 'account:self'>, Role>> = {
  'metrics:read': 'viewer',
  'dashboards:read': 'viewer',
  'rules:read': 'viewer',
  'metrics:write': 'editor',
  'dashboards:write': 'editor',
  'rules:write': 'editor',
  'users:manage': 'admin',
  'keys:manage': 'admin',
  'limits:manage': 'admin',
};

/** Management actions a server admin may take in every tenant, member or not. */
const SERVER_ADMIN_ACTIONS: ReadonlySet<Action> = new Set(['users:manage', 'keys:manage', 'limits:manage', 'tenants:manage']);

export type AuthorizationDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly status: 403; readonly message: string };

const ALLOWED: AuthorizationDecision = { allowed: true };

/**
 * Decides whether a principal may take an action in a tenant: roles per tenant (viewer reads,
 * editor changes dashboards and rules and writes data, admin manages users, keys and limits);
 * a server admin manages tenants and the management side of every tenant, but reads a
 * tenant's data only through a membership, so their access to data is visible in its member list.
 */
export class RoleAuthorizer {
  authorize(principal: Principal, tenantId: string, action: Action): AuthorizationDecision {
    if (principal.kind === 'local') return ALLOWED;
    if (principal.kind === 'user' && principal.mustChangePassword && action !== 'account:self') {
      return deny('the password must be changed before anything else (first login or reset by an admin)');
    }
    if (action === 'account:self') {
      return principal.kind === 'user' ? ALLOWED : deny('API keys have no account to manage');
    }
    if (principal.kind === 'user' && principal.serverAdmin && SERVER_ADMIN_ACTIONS.has(action)) return ALLOWED;
    if (action === 'tenants:manage') return deny('managing tenants needs a server admin');
    const role = this.roleIn(principal, tenantId);
    if (role === undefined) return deny(`${describe(principal)} has no access to tenant "${tenantId}"`);
    const required = REQUIRED_ROLE[action];
    if (rank(role) < rank(required)) return deny(`${action} in tenant "${tenantId}" needs the ${required} role; ${describe(principal)} is ${role}`);
    return ALLOWED;
  }

  /** The principal's role in the tenant, if any (local: admin everywhere). */
  roleIn(principal: Principal, tenantId: string): Role | undefined {
    switch (principal.kind) {
      case 'local':
        return 'admin';
      case 'user':
        return principal.roles.get(tenantId);
      case 'api_key':
        return principal.tenants.includes(tenantId) ? principal.role : undefined;
    }
  }

  /**
   * Whether the principal may hand out `role` in the tenant (to a user or a new key): only
   * admins manage access, and nobody grants more than they hold, except a server admin.
   */
  canGrant(principal: Principal, tenantId: string, role: Role): AuthorizationDecision {
    const manage = this.authorize(principal, tenantId, principal.kind === 'api_key' ? 'keys:manage' : 'users:manage');
    if (!manage.allowed) return manage;
    if (principal.kind === 'user' && principal.serverAdmin) return ALLOWED;
    const own = this.roleIn(principal, tenantId);
    if (own === undefined || rank(own) < rank(role)) return deny(`cannot grant ${role} in tenant "${tenantId}" without holding it`);
    return ALLOWED;
  }

  /**
   * The tenant a request acts for: the one it names (X-Scope-OrgID) if the principal may use
   * it, else the principal's default (a key's first tenant). Undefined when none applies.
   */
  tenantFor(principal: Principal, named: string | undefined): string | undefined {
    if (named !== undefined) return principal.kind === 'local' || this.roleIn(principal, named) !== undefined ? named : undefined;
    switch (principal.kind) {
      case 'local':
        return 'default';
      case 'api_key':
        return principal.tenants[0];
      case 'user':
        return principal.roles.size === 1 ? principal.roles.keys().next().value : undefined;
    }
  }
}

function rank(role: Role): number {
  return ROLES.indexOf(role);
}

function deny(message: string): AuthorizationDecision {
  return { allowed: false, status: 403, message };
}

function describe(principal: Principal): string {
  if (principal.kind === 'user') return `user "${principal.login}"`;
  if (principal.kind === 'api_key') return `API key "${principal.name}"`;
  return 'the local user';
}
