/**
 * Stacking of the visible series, as Grafana's "stack series": normal adds each series on top
 * of the ones before it; percent does the same on each step's share of the visible total. A
 * missing point (NaN) adds nothing to the stack (the series above continues from the one
 * below) and stays a gap in its own line. Negative values are added like any other (Grafana's
 * separate negative stack is not reproduced).
 */

export type Stacking = 'none' | 'normal' | 'percent';

/**
 * Scratch buffers for `stackSeries`, reused while the series count and length stay the same,
 * so a refresh of a stacked panel does not allocate.
 */
export class StackBuffers {
  private tops: Float64Array[] = [];
  private totals = new Float64Array(0);

  /** One top array per series, each of `steps` values. */
  ensure(series: number, steps: number): { tops: Float64Array[]; totals: Float64Array } {
    if (this.totals.length !== steps) {
      this.totals = new Float64Array(steps);
      this.tops = [];
    }
    while (this.tops.length < series) this.tops.push(new Float64Array(steps));
    return { tops: this.tops, totals: this.totals };
  }
}

/**
 * The y each visible series is drawn at: its own values for `none`, else the cumulative top
 * of the stack up to and including it (a fraction 0..1 for `percent`). Hidden series add
 * nothing and their entry is left as it was. The result may share arrays with `values`
 * (stacking none) or `buffers`: the caller must not modify it.
 */
export function stackSeries(values: readonly Float64Array[], visible: readonly boolean[], mode: Stacking, buffers: StackBuffers): readonly Float64Array[] {
  if (mode === 'none' || values.length === 0) return values;
  const steps = values[0]!.length;
  for (const v of values) {
    if (v.length !== steps) throw new RangeError(`every series must have ${steps} values to stack, one has ${v.length}`);
  }
  const { tops, totals } = buffers.ensure(values.length, steps);
  if (mode === 'percent') {
    totals.fill(0);
    for (let k = 0; k < values.length; k++) {
      if (!visible[k]) continue;
      const v = values[k]!;
      for (let i = 0; i < steps; i++) {
        const x = v[i]!;
        if (Number.isFinite(x)) totals[i] += x;
      }
    }
  }
  let below: Float64Array | null = null;
  for (let k = 0; k < values.length; k++) {
    if (!visible[k]) continue;
    const v = values[k]!;
    const top = tops[k]!;
    for (let i = 0; i < steps; i++) {
      const x = v[i]!;
      let add = Number.isFinite(x) ? x : 0;
      if (mode === 'percent') add = totals[i] === 0 ? 0 : add / totals[i]!;
      top[i] = (below === null ? 0 : below[i]!) + add;
    }
    below = top;
  }
  return tops.length === values.length ? tops : tops.slice(0, values.length);
}
