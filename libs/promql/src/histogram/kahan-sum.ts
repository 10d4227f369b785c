import type { FloatHistogram } from '../engine/values.js';
import {
  cloneExpanded,
  combineInto,
  divideExpanded,
  expandedHasOverflow,
  scaleExpanded,
  zeroLike,
} from './arithmetic.js';
import { collapse, expand, type ExpandedHistogram } from './expanded.js';

/**
 * A running, Kahan-compensated histogram sum (Prometheus' `FloatHistogram.KahanAdd` with its
 * compensation histogram), used by `sum_over_time`, `avg_over_time` and aggregations. The
 * compensation keeps the sum's layout through schema reductions and zero-bucket widening.
 */
export class KahanHistogramSum {
  private constructor(
    private sum: ExpandedHistogram,
    private comp: ExpandedHistogram | undefined,
    /** A counter-reset hint met a not-reset hint in some addition. */
    public counterResetCollision: boolean,
    /** Some addition reconciled differing custom bucket bounds. */
    public boundsReconciled: boolean,
  ) {}

  static of(first: FloatHistogram): KahanHistogramSum {
    return new KahanHistogramSum(expand(first), undefined, false, false);
  }

  /** Adds `h` with compensation. Throws `IncompatibleHistogramSchemaError` on exponential/custom mixes. */
  add(h: FloatHistogram): void {
    this.comp ??= zeroLike(this.sum);
    const flags = combineInto(this.sum, expand(h), false, this.comp);
    this.comp.resetHint = this.sum.resetHint;
    this.counterResetCollision ||= flags.counterResetCollision;
    this.boundsReconciled ||= flags.boundsReconciled;
  }

  scale(factor: number): void {
    scaleExpanded(this.sum, factor);
    if (this.comp) scaleExpanded(this.comp, factor);
  }

  divide(s: number): void {
    divideExpanded(this.sum, s);
    if (this.comp) divideExpanded(this.comp, s);
  }

  hasOverflow(): boolean {
    return expandedHasOverflow(this.sum);
  }

  clone(): KahanHistogramSum {
    return new KahanHistogramSum(
      cloneExpanded(this.sum),
      this.comp && cloneExpanded(this.comp),
      this.counterResetCollision,
      this.boundsReconciled,
    );
  }

  /** The compensated total (`sum + compensation`), not compacted. */
  result(): FloatHistogram {
    if (!this.comp) return collapse(this.sum, false);
    const total = cloneExpanded(this.sum);
    const flags = combineInto(total, this.comp, false, undefined);
    this.boundsReconciled ||= flags.boundsReconciled;
    return collapse(total, false);
  }
}
