export { QueryApiModule } from './query-api.module.js';
export { BUILD_INFO } from './tokens.js';
export type { BuildInfo } from './tokens.js';
