import { LOCAL_PRINCIPAL, RoleAuthorizer, type Action, type ApiKeyPrincipal, type Principal } from '#pharos/identity';
import type { SessionRecord } from '#pharos/metadata';
import {
  CSRF_HEADER,
  TENANT_HEADER,
  type CredentialGrant,
  type PresentedCredential,
  type RequestHeaders,
  type TenantResolution,
  type TenantResolver,
} from '#pharos/tenancy';
import { isIdentityGrant, type StoredSessionCredentials } from './identity-services.js';

/** Who a request acts as, and for which tenant when an action was asked for. */
export interface RequestPrincipal {
  readonly principal: Principal;
  /** The tenant the action runs in; undefined when only authentication was asked for. */
  readonly tenant: string | undefined;
  /** The tenant resolver's grant (undefined with auth off), for `TenantResolver.remember`. */
  readonly grant: CredentialGrant | undefined;
  readonly credential: PresentedCredential | undefined;
  /** The login session, when the credential is one. */
  readonly session: SessionRecord | undefined;
}

export type PrincipalResolution =
  | ({ readonly ok: true } & RequestPrincipal)
  | { readonly ok: false; readonly status: 400 | 401 | 403; readonly message: string };

/** What the resolver needs of a request: its raw headers (cookies included) and method. */
export interface PrincipalRequest {
  readonly headers: RequestHeaders;
  /** Unsafe methods (not GET/HEAD/OPTIONS) authenticated by the session cookie need the CSRF token. */
  readonly method: string;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The one place a request's principal and tenant are decided, for REST controllers (through
 * the HTTP auth hook), the identity API and GraphQL alike:
 *
 * 1. the credential (Authorization bearer/basic/token, or the session cookie) is verified by
 *    the tenant resolver: `phk_` keys and `phs_` sessions against the metadata store (cached),
 *    other tokens against the YAML keys; with auth off the principal is the local user;
 * 2. a cookie-authenticated state-changing request must carry the session's CSRF token in
 *    `X-CSRF-Token` (browsers add cookies by themselves, never that header);
 * 3. for an action, the tenant is `X-Scope-OrgID` if the principal may use it, else its only
 *    tenant, and `RoleAuthorizer` decides whether the principal's role allows the action.
 */
export class RequestPrincipalResolver {
  constructor(
    private readonly tenants: TenantResolver,
    private readonly sessions: Pick<StoredSessionCredentials, 'checkCsrf'> | undefined,
    readonly authorizer: RoleAuthorizer = new RoleAuthorizer(),
  ) {}

  get authEnabled(): boolean {
    return this.tenants.enabled;
  }

  /** Steps 1 and 2, and step 3 when `action` is given. */
  async resolve(request: PrincipalRequest, action?: Action): Promise<PrincipalResolution> {
    const auth = await this.tenants.authenticate(request.headers);
    if (!auth.ok) return auth;
    let principal: Principal = LOCAL_PRINCIPAL;
    let session: SessionRecord | undefined;
    if (auth.grant !== undefined) {
      principal = isIdentityGrant(auth.grant) ? auth.grant.principal : yamlKeyPrincipal(auth.grant);
      session = isIdentityGrant(auth.grant) ? auth.grant.session : undefined;
    }
    if (auth.credential?.source === 'cookie' && !SAFE_METHODS.has(request.method.toUpperCase())) {
      const csrf = request.headers[CSRF_HEADER];
      const presented = Array.isArray(csrf) ? csrf[0] : csrf;
      if (session === undefined || this.sessions === undefined || !this.sessions.checkCsrf(session, presented)) {
        return { ok: false, status: 403, message: 'missing or wrong CSRF token: send the token from the login response in the X-CSRF-Token header' };
      }
    }
    const base = { ok: true as const, principal, grant: auth.grant, credential: auth.credential, session };
    if (action === undefined) return { ...base, tenant: undefined };
    const tenant = this.tenantFor(principal, request.headers, action);
    if (!tenant.ok) return tenant;
    return { ...base, tenant: tenant.tenant };
  }

  /**
   * Step 3 alone, for a principal already resolved (GraphQL checks each field's action
   * against the principal of the connection).
   */
  tenantFor(principal: Principal, headers: RequestHeaders, action: Action): TenantResolution {
    const raw = headers[TENANT_HEADER];
    const named = (Array.isArray(raw) ? raw[0] : raw)?.trim() || undefined;
    if (named !== undefined && !/^[a-zA-Z0-9_.\-!*'()]{1,150}$/.test(named)) {
      return { ok: false, status: 400, message: `invalid tenant id in X-Scope-OrgID: ${JSON.stringify(named.slice(0, 200))}` };
    }
    const tenant = this.authorizer.tenantFor(principal, named);
    if (tenant === undefined) {
      if (named !== undefined) return { ok: false, status: 403, message: `${describe(principal)} may not act for tenant "${named}"` };
      return { ok: false, status: 400, message: `${describe(principal)} belongs to several tenants (or none): name one with the X-Scope-OrgID header` };
    }
    const decision = this.authorizer.authorize(principal, tenant, action);
    return decision.allowed ? { ok: true, tenant } : { ok: false, status: 403, message: decision.message };
  }
}

/** YAML keys (`auth.keys`) act as editors of their tenants: they ingest and query. */
function yamlKeyPrincipal(grant: CredentialGrant): ApiKeyPrincipal {
  const name = /^API key "(.*)"$/.exec(grant.subject)?.[1] ?? grant.subject;
  return { kind: 'api_key', keyId: `yaml:${name}`, name, role: 'editor', tenants: [...grant.roles.keys()] };
}

function describe(principal: Principal): string {
  if (principal.kind === 'user') return `user "${principal.login}"`;
  if (principal.kind === 'api_key') return `API key "${principal.name}"`;
  return 'the local user';
}
