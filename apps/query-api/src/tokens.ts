/**
 * Injection tokens of the query API. `BUILD_INFO` is provided by the platform (it knows the
 * version and start time); the engine and telemetry are built by `QueryApiModule` itself.
 */
export const QUERY_ENGINE = Symbol('QueryEngine');
export const QUERY_TELEMETRY = Symbol('QueryTelemetry');
export const BUILD_INFO = Symbol('BuildInfo');

/** What `/api/v1/status/buildinfo` and `runtimeinfo` report about the running process. */
export interface BuildInfo {
  readonly version: string;
  /** When the platform started (ms since the epoch). */
  readonly startTimeMs: number;
}
