import type { TargetGroup } from '../scrape-config.js';

/**
 * A source of target groups. `start` calls `onUpdate` with the provider's complete current set
 * whenever it changes (the first call may come later, after a first read or request);
 * `stop` ends all watching and timers.
 */
export interface DiscoveryProvider {
  start(onUpdate: (groups: readonly TargetGroup[]) => void): void;
  stop(): void;
}

/** Groups that never change (`static_configs`). */
export class StaticDiscovery implements DiscoveryProvider {
  constructor(private readonly groups: readonly TargetGroup[]) {}

  start(onUpdate: (groups: readonly TargetGroup[]) => void): void {
    onUpdate(this.groups);
  }

  stop(): void {}
}

/** Reports discovery problems (a bad file, a failing endpoint) without stopping discovery. */
export type DiscoveryErrorSink = (message: string, err?: unknown) => void;
