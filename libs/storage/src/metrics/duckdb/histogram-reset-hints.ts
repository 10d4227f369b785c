import { counterResetHintOnAppend, type NativeHistogram } from '#pharos/metric-model';

/**
 * Assigns the counter-reset hint of each native histogram as it is appended, the way
 * Prometheus' TSDB does (`counterResetHintOnAppend`): "not a reset" for a counter histogram
 * that continues the series' previous sample, "unknown" where that is not known, gauge stays
 * gauge. The query engine then skips reset detection where the hint says "not a reset", and
 * results carry the hints Prometheus' do (`sum` of such samples is `not_reset`).
 *
 * Keeps the newest histogram of each series in memory. Whatever this cannot vouch for is
 * "unknown", which is always safe: the first histogram of a series after a restart, a sample
 * at or before the newest one (out of order, or a replayed duplicate: the stored original
 * keeps its hint, as the larger encoding wins at equal values), and a histogram that follows
 * a float sample (or a float staleness marker) of the same series.
 */
export class HistogramResetHints {
  private readonly newest = new Map<number, { t: number; h: NativeHistogram }>();

  /**
   * The histogram to store for series `id` at `t`: `h` itself when its hint is already the
   * right one, else a copy with that hint. `newestFloatT` is the series' newest float sample
   * time (-Infinity when none).
   */
  assign(id: number, t: number, h: NativeHistogram, newestFloatT: number): NativeHistogram {
    const last = this.newest.get(id);
    if (last !== undefined && t <= last.t) return withHint(h, counterResetHintOnAppend(undefined, h));
    // A float sample after the previous histogram starts a new chunk in Prometheus; one at a
    // later time than `t` may or may not lie between them, so both count as "not known".
    const prev = last !== undefined && newestFloatT < last.t ? last.h : undefined;
    const out = withHint(h, counterResetHintOnAppend(prev, h));
    if (last === undefined) {
      this.newest.set(id, { t, h: out });
    } else {
      last.t = t;
      last.h = out;
    }
    return out;
  }

  /** Forgets the newest histogram of series whose samples in `[start, end]` were removed. */
  removeRange(ids: Iterable<number>, start: number, end: number): void {
    for (const id of ids) {
      const last = this.newest.get(id);
      if (last !== undefined && last.t >= start && last.t <= end) this.newest.delete(id);
    }
  }
}

function withHint(h: NativeHistogram, hint: number): NativeHistogram {
  return h.resetHint === hint ? h : { ...h, resetHint: hint };
}
