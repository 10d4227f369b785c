/** `TenantSettingsApplier`: applies run-time tenant limits and retention. */
export const TENANT_SETTINGS = Symbol('TenantSettingsApplier');
