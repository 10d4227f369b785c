import { identityAdministrationOf, type IdentityServices } from '#apps/common';
import type { IdentityAdministration, Principal, TenantLimitsApplier } from '#pharos/identity';
import { adminError } from './admin-mapping.js';
import type { GraphqlContext } from './context.js';
import { gatewayError } from './errors.js';

/**
 * Runs the admin resolvers' work through the identity API's own `IdentityAdministration`
 * (built over the same identity services and limits applier as the REST controllers), so the
 * two doors share every rule; failures leave as the gateway's stable codes.
 */
export class AdminRunner {
  private readonly admin: IdentityAdministration | undefined;

  constructor(
    readonly identity: IdentityServices | undefined,
    limits: TenantLimitsApplier | undefined,
  ) {
    this.admin = identity !== undefined && limits !== undefined ? identityAdministrationOf(identity, limits) : undefined;
  }

  async run<T>(ctx: GraphqlContext, work: (admin: IdentityAdministration, principal: Principal, identity: IdentityServices) => Promise<T>): Promise<T> {
    try {
      if (this.admin === undefined || this.identity === undefined) {
        throw gatewayError('UNAVAILABLE', 'administration needs the identity store, which this process has not opened (run the identity-api role, or turn auth on)');
      }
      return await work(this.admin, ctx.caller.principal, this.identity);
    } catch (err) {
      throw adminError(err);
    }
  }
}
