import type { GraphQLError } from './graphql-runtime.js';
import type { RequestPrincipalResolver } from '#apps/common';
import type { Action, Principal } from '#pharos/identity';
import type { RequestHeaders } from '#pharos/tenancy';
import { gatewayError } from './errors.js';

/** Who a GraphQL operation runs as: the principal, and the headers that may name a tenant. */
export interface GraphqlCaller {
  readonly principal: Principal;
  readonly headers: RequestHeaders;
}

/**
 * The one place the gateway decides who a request is and which tenant a field acts for, so
 * the decision can be swapped (sessions, roles) without touching resolvers. It defers to the
 * platform's `RequestPrincipalResolver`, the same rules the REST doors obey: the credential
 * (API key, session, YAML key; the local user with auth off), then per field the tenant named
 * by `X-Scope-OrgID` if the principal may use it, and the role the field's action needs.
 */
export class GraphqlCallerResolver {
  constructor(private readonly principals: RequestPrincipalResolver) {}

  /**
   * Authenticates a request (HTTP) or a connection (WebSocket). WebSocket connections are
   * authenticated as a state-changing request: a cookie alone is refused without the CSRF
   * token in the connection parameters, since browsers send cookies on cross-site sockets.
   */
  async authenticate(headers: RequestHeaders, method: string): Promise<GraphqlCaller | GraphQLError> {
    const result = await this.principals.resolve({ headers, method });
    if (!result.ok) return gatewayError(result.status === 401 ? 'UNAUTHENTICATED' : result.status === 403 ? 'FORBIDDEN' : 'BAD_INPUT', result.message);
    return { principal: result.principal, headers };
  }

  /** The tenant `action` runs in for this caller; throws FORBIDDEN / BAD_INPUT otherwise. */
  tenantFor(caller: GraphqlCaller, action: Action): string {
    const decision = this.principals.tenantFor(caller.principal, caller.headers, action);
    if (decision.ok) return decision.tenant;
    throw gatewayError(decision.status === 403 ? 'FORBIDDEN' : decision.status === 401 ? 'UNAUTHENTICATED' : 'BAD_INPUT', decision.message);
  }
}
