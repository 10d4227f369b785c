/**
 * Injection tokens of the infrastructure the platform builds before NestJS starts (see
 * apps/pharos/src/platform.ts) and that role modules inject. Symbols, not classes, keep
 * libs free of NestJS.
 */
export const CONFIG = Symbol('PharosConfig');
export const LOGGER = Symbol('Logger');
export const SELF_METRICS = Symbol('SelfMetrics');
export const STREAM = Symbol('Stream');
export const METRIC_STORE = Symbol('MetricStore');
export const TENANT_RESOLVER = Symbol('TenantResolver');
export const READINESS = Symbol('Readiness');
/** `VisibilityGate` (libs/ingest): the processor reports ack-to-readable delays, the collector refuses writes while they are high. */
export const VISIBILITY_GATE = Symbol('VisibilityGate');
/** The metadata store (libs/metadata), opened by the platform at start. */
export const METADATA_STORE = Symbol('MetadataStore');
/** `IdentityServices`: the identity rules over the metadata store. */
export const IDENTITY = Symbol('IdentityServices');
/** `RequestPrincipalResolver`: who a request is and which tenant it acts for. */
export const PRINCIPAL_RESOLVER = Symbol('RequestPrincipalResolver');

/** `TenantLimitsApplier` (libs/identity): applies run-time tenant limits and retention. */
export const TENANT_SETTINGS = Symbol('TenantSettingsApplier');
