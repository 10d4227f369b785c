export { IdentityApiModule } from './identity-api.module.js';
export { TENANT_SETTINGS } from './identity-api.tokens.js';
export { TenantSettingsApplier, InvalidTenantSettings } from './tenant-settings-applier.js';
