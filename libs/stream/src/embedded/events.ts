import type { EmbeddedStreamEvents } from './options.js';

/** Calls an event hook; a hook that throws is ignored, so telemetry never breaks the log. */
export function emitEvent<K extends keyof EmbeddedStreamEvents>(
  events: EmbeddedStreamEvents,
  name: K,
  e: Parameters<NonNullable<EmbeddedStreamEvents[K]>>[0],
): void {
  try {
    (events[name] as ((x: typeof e) => void) | undefined)?.(e);
  } catch {
    // Deliberately swallowed: see above.
  }
}
