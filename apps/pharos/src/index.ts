export { main } from './main.js';
export { startPlatform } from './platform.js';
export type { RunningPlatform } from './platform.js';
export { ROLES, ALL_ROLES, selectRoles } from './module-table.js';
