/**
 * Readiness as a set of named conditions; `/-/ready` answers 200 once all hold. Roles add
 * theirs (the processor: "replay done"), so readiness means the same thing in every layout.
 */
export class Readiness {
  private readonly pending = new Map<string, () => boolean>();

  require(name: string, check: () => boolean): void {
    this.pending.set(name, check);
  }

  /** Names of conditions not yet met; empty when ready. */
  unmet(): string[] {
    return [...this.pending].filter(([, check]) => !check()).map(([name]) => name);
  }
}
