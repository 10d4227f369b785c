import type { IdentityServices } from './identity-services.js';
import { IdentityAdministration, type TenantLimitsApplier } from '#pharos/identity';

/**
 * The administration rules over this process' identity services. The REST controllers and
 * the GraphQL gateway each build one from the same `IDENTITY` and `TENANT_SETTINGS`, so both
 * doors run the very same checks against the same stores and caches.
 */
export function identityAdministrationOf(identity: IdentityServices, limits: TenantLimitsApplier): IdentityAdministration {
  const { store } = identity;
  return new IdentityAdministration({
    tenants: store.tenants,
    users: store.users,
    memberships: store.memberships,
    apiKeys: store.apiKeys,
    tenantSettings: store.tenantSettings,
    authorizer: identity.authorizer,
    apiKeyIssuer: identity.apiKeyIssuer,
    apiKeyRevoker: identity.apiKeyRevoker,
    keyCache: identity.apiKeys,
    userProvisioner: identity.userProvisioner,
    passwordChanger: identity.passwordChanger,
    sessionRevoker: identity.sessionRevoker,
    limits,
  });
}
