import { gaussianFrom, seededRandom } from '#pharos/anomaly';

/**
 * The project's seeded random source (mulberry32, `#pharos/anomaly`) with the draws the data
 * generator needs, so the comparison data set is the same on every run and machine: a failing
 * query can be reproduced from its text and the seed alone.
 */
export class SeededRandom {
  private readonly uniform: () => number;

  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
    this.uniform = seededRandom(seed);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uniform();
  }

  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.uniform() * (hi - lo + 1));
  }

  /** Uniform in [lo, hi). */
  between(lo: number, hi: number): number {
    return lo + this.uniform() * (hi - lo);
  }

  chance(p: number): boolean {
    return this.uniform() < p;
  }

  /** Standard normal. */
  normal(): number {
    return gaussianFrom(this.uniform);
  }

  /** Log-normal with the given median and shape: request latencies look like this. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }
}
