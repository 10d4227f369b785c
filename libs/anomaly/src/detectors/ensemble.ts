import { LazyResult, RescoredResult } from './detector.js';
import type { Detector, DetectorResult } from './detector.js';

/** One member of an {@link EnsembleDetector}. */
export interface EnsembleMember {
  readonly name: string;
  /** Evidence weight (≥ 0): the member's score counts as if it had been seen `weight` times. */
  readonly weight: number;
  readonly detector: Detector;
  /**
   * The weight to use for the current point, when it depends on what the
   * members have learned about the series (read after every member has been
   * updated with the point). `weight` is then the weight reported.
   */
  readonly weightNow?: () => number;
}

/** JSON state of {@link EnsembleDetector}: each member's state by name. */
export type EnsembleState = Record<string, object>;

/**
 * Combines detectors by a weighted noisy-OR: score = 1 − Π (1 − sᵢ)^wᵢ.
 *
 * Why noisy-OR rather than a weighted mean: the members look for different
 * kinds of anomaly (a seasonal break, a level shift, an unseen pattern), so
 * usually only one of them sees a given incident; a mean would dilute that
 * one confident vote by the others' silence, while noisy-OR lets any member
 * raise the score alone and lets agreeing members reinforce each other. A
 * weight below 1 discounts a member that is noisier (fires more often without
 * cause), above 1 trusts it more. The reason is the member that contributed
 * most evidence (wᵢ·−ln(1 − sᵢ)).
 */
export class EnsembleDetector implements Detector<EnsembleState> {
  private readonly members: readonly EnsembleMember[];
  /** Each member's result for the current point (reused, so no array per point). */
  private readonly results: DetectorResult[];
  /** Per member: prefixes its name to its reason (made once, read lazily). */
  private readonly notes: ((reason: string) => string)[];

  constructor(members: readonly EnsembleMember[]) {
    if (members.length === 0) throw new RangeError('an ensemble needs at least one member');
    const names = new Set<string>();
    for (const m of members) {
      if (!(m.weight >= 0 && Number.isFinite(m.weight))) throw new RangeError(`member ${m.name}: weight must be a finite number ≥ 0, got ${m.weight}`);
      if (names.has(m.name)) throw new RangeError(`member name ${m.name} is used twice`);
      names.add(m.name);
    }
    this.members = members;
    this.results = members.map(() => ({ score: 0, reason: '' }));
    this.notes = members.map((m) => (reason: string) => `${m.name}: ${reason}`);
  }

  /** The members' names and weights, for reports. */
  get weights(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.members.map((m) => [m.name, m.weight]));
  }

  update(timestampMs: number, value: number): DetectorResult {
    const n = this.members.length;
    for (let i = 0; i < n; i++) this.results[i] = this.members[i]!.detector.update(timestampMs, value);
    let logQuiet = 0;
    let top = -1;
    let topEvidence = 0;
    for (let i = 0; i < n; i++) {
      const m = this.members[i]!;
      const r = this.results[i]!;
      const weight = m.weightNow === undefined ? m.weight : m.weightNow();
      if (!(weight >= 0 && Number.isFinite(weight))) throw new RangeError(`member ${m.name}: weightNow returned ${weight}, expected a finite number ≥ 0`);
      // 1 − s can round to 0 for s = 1; cap the evidence so the product stays defined.
      const evidence = -weight * Math.log(Math.max(1e-12, 1 - r.score));
      logQuiet -= evidence;
      if (evidence > topEvidence) {
        top = i;
        topEvidence = evidence;
      }
    }
    const score = Math.min(1, Math.max(0, 1 - Math.exp(logQuiet)));
    return top < 0 ? new LazyResult(score, explainQuiet) : new RescoredResult(score, this.results[top]!, this.notes[top]);
  }

  snapshot(): EnsembleState {
    return Object.fromEntries(this.members.map((m) => [m.name, m.detector.snapshot()]));
  }

  restore(state: EnsembleState): void {
    for (const m of this.members) {
      const s = state[m.name];
      if (s === undefined) throw new Error(`EnsembleDetector.restore: no state for member ${m.name}`);
      m.detector.restore(s);
    }
  }
}

function explainQuiet(): string {
  return 'no member sees an anomaly';
}
