export type { PharosConfig, TenantLimits, ApiKeyConfig } from './config.js';
export { loadConfig, mergeTenantLimits, ConfigError } from './loader.js';
export type { ConfigSources } from './loader.js';
export { configReferenceMarkdown } from './reference.js';
export { parseDurationMs, parseBytes } from './units.js';
