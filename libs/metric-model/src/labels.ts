/**
 * A series' label set, flattened as `[name0, value0, name1, value1, …]`, sorted by name,
 * with no empty values and no duplicate names. The flat form keeps one array per series
 * instead of one object per label, which matters at millions of active series.
 */
export type Labels = readonly string[];

/** The label that carries the metric name, as in Prometheus. */
export const METRIC_NAME_LABEL = '__name__';

/** Prometheus 3's type-and-unit labels (`schema.Metadata`): metadata, like the metric name. */
export const METRIC_TYPE_LABEL = '__type__';
export const METRIC_UNIT_LABEL = '__unit__';

/**
 * Labels PromQL drops together with the metric name (Prometheus' `schema.IsMetadataLabel`):
 * functions and operators that change a value's meaning drop all three.
 */
export const METADATA_LABEL_NAMES: readonly string[] = [METRIC_NAME_LABEL, METRIC_TYPE_LABEL, METRIC_UNIT_LABEL];

export function isMetadataLabel(name: string): boolean {
  return name === METRIC_NAME_LABEL || name === METRIC_TYPE_LABEL || name === METRIC_UNIT_LABEL;
}

/** Separator bytes that cannot appear in valid UTF-8 label text, so keys never collide. */
const KEY_PAIR_SEPARATOR = '\u0000';
const KEY_NAME_SEPARATOR = '\u0001';

/** Builds sorted flat labels from an object; empty values are dropped (Prometheus semantics). */
export function labelsFromRecord(record: Readonly<Record<string, string>>): Labels {
  const names = Object.keys(record).filter((n) => record[n] !== '').sort();
  const out: string[] = new Array(names.length * 2);
  for (let i = 0; i < names.length; i++) {
    out[2 * i] = names[i]!;
    out[2 * i + 1] = record[names[i]!]!;
  }
  return out;
}

export function labelsToRecord(labels: Labels): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < labels.length; i += 2) out[labels[i]!] = labels[i + 1]!;
  return out;
}

/** Value of a label, or '' when absent (Prometheus treats a missing label as empty). */
export function labelValue(labels: Labels, name: string): string {
  for (let i = 0; i < labels.length; i += 2) if (labels[i] === name) return labels[i + 1]!;
  return '';
}

/**
 * Canonical string key of a label set: equal label sets give equal keys. Used for series
 * identity within a tenant; the caller prefixes the tenant where identity spans tenants.
 */
export function seriesKey(labels: Labels): string {
  let key = '';
  for (let i = 0; i < labels.length; i += 2) {
    key += labels[i] + KEY_NAME_SEPARATOR + labels[i + 1] + KEY_PAIR_SEPARATOR;
  }
  return key;
}

/** Inverse of {@link seriesKey}. */
export function labelsFromSeriesKey(key: string): Labels {
  const out: string[] = [];
  let start = 0;
  while (start < key.length) {
    const nameEnd = key.indexOf(KEY_NAME_SEPARATOR, start);
    const pairEnd = key.indexOf(KEY_PAIR_SEPARATOR, nameEnd);
    out.push(key.slice(start, nameEnd), key.slice(nameEnd + 1, pairEnd));
    start = pairEnd + 1;
  }
  return out;
}

/** Sorts a flat label array in place by name (insertion sort: label sets are short). */
export function sortLabelsInPlace(labels: string[]): string[] {
  for (let i = 2; i < labels.length; i += 2) {
    const name = labels[i]!;
    const value = labels[i + 1]!;
    let j = i - 2;
    while (j >= 0 && labels[j]! > name) {
      labels[j + 2] = labels[j]!;
      labels[j + 3] = labels[j + 1]!;
      j -= 2;
    }
    labels[j + 2] = name;
    labels[j + 3] = value;
  }
  return labels;
}

/**
 * 32-bit FNV-1a over a string's UTF-16 code units. Stable across processes and versions
 * (it decides stream partitions, which must not move between releases).
 */
export function fnv1a32(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Stream partition of a series: chosen by tenant and series so one series stays in order. */
export function partitionFor(tenant: string, key: string, partitions: number): number {
  return fnv1a32(key, fnv1a32(tenant)) % partitions;
}
