import type { Labels } from '#pharos/metric-model';

/**
 * A small mutable label set with Prometheus `labels.Builder` semantics: setting an empty
 * value deletes the label. Label sets are short (tens of labels), so linear scans beat maps.
 */
export class LabelScratch {
  readonly names: string[] = [];
  readonly values: string[] = [];
  size = 0;

  clear(): void {
    this.size = 0;
  }

  get(name: string): string {
    const i = this.indexOf(name);
    return i < 0 ? '' : this.values[i]!;
  }

  set(name: string, value: string): void {
    const i = this.indexOf(name);
    if (value === '') {
      if (i >= 0) this.removeAt(i);
      return;
    }
    if (i >= 0) {
      this.values[i] = value;
      return;
    }
    this.names[this.size] = name;
    this.values[this.size] = value;
    this.size++;
  }

  /** Copies another set's labels in, overwriting. */
  setAll(other: LabelScratch): void {
    for (let i = 0; i < other.size; i++) this.set(other.names[i]!, other.values[i]!);
  }

  /**
   * The labels plus up to two extra labels (set last, overwriting), as a new sorted flat
   * array: the base stays reusable for the next series of the same data point.
   */
  build(extraName1?: string, extraValue1?: string, extraName2?: string, extraValue2?: string): Labels {
    const n = this.size;
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const name = this.names[i]!;
      if (name === extraName1 || name === extraName2) continue;
      out.push(name, this.values[i]!);
    }
    if (extraName1 !== undefined && extraValue1 !== undefined && extraValue1 !== '') out.push(extraName1, extraValue1);
    if (extraName2 !== undefined && extraValue2 !== undefined && extraValue2 !== '') out.push(extraName2, extraValue2);
    sortPairs(out);
    return out;
  }

  private indexOf(name: string): number {
    for (let i = 0; i < this.size; i++) if (this.names[i] === name) return i;
    return -1;
  }

  private removeAt(i: number): void {
    const last = this.size - 1;
    this.names[i] = this.names[last]!;
    this.values[i] = this.values[last]!;
    this.size = last;
  }
}

/** Insertion sort of a flat pair array by name (label sets are short and often nearly sorted). */
export function sortPairs(pairs: string[]): void {
  for (let i = 2; i < pairs.length; i += 2) {
    const name = pairs[i]!;
    const value = pairs[i + 1]!;
    let j = i - 2;
    while (j >= 0 && pairs[j]! > name) {
      pairs[j + 2] = pairs[j]!;
      pairs[j + 3] = pairs[j + 1]!;
      j -= 2;
    }
    pairs[j + 2] = name;
    pairs[j + 3] = value;
  }
}
