import type { Detector, DetectorResult } from './detector.js';

const NEVER: DetectorResult = { score: 0, reason: 'null detector' };

/** Never reports anything: NAB's "null" baseline (normalised score 0 by definition). */
export class NullDetector implements Detector<Record<string, never>> {
  update(): DetectorResult {
    return NEVER;
  }
  snapshot(): Record<string, never> {
    return {};
  }
  restore(): void {}
}
