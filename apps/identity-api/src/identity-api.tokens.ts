// The token lives in apps/common so the GraphQL gateway (query-api) injects the same applier
// without importing this app.
export { TENANT_SETTINGS } from '#apps/common';
