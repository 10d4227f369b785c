import { isMetadataLabel, type Labels } from '#pharos/metric-model';
import type { Vector } from '../engine/values.js';
import type { FunctionArgValue } from './contract.js';

/**
 * Argument access and label helpers for vector functions. Argument types are checked by the
 * parser; a mismatch here is an evaluator bug, reported as such.
 */

export function vectorArg(args: readonly FunctionArgValue[], i: number, func: string): Vector {
  const a = args[i];
  if (a?.type !== 'vector') throw new TypeError(`${func}(): argument ${i + 1} must be an instant vector, got ${a?.type ?? 'nothing'}`);
  return a.vector;
}

export function scalarArg(args: readonly FunctionArgValue[], i: number, func: string): number {
  const a = args[i];
  if (a?.type !== 'scalar') throw new TypeError(`${func}(): argument ${i + 1} must be a scalar, got ${a?.type ?? 'nothing'}`);
  return a.value;
}

export function stringArg(args: readonly FunctionArgValue[], i: number, func: string): string {
  const a = args[i];
  if (a?.type !== 'string') throw new TypeError(`${func}(): argument ${i + 1} must be a string, got ${a?.type ?? 'nothing'}`);
  return a.value;
}

/** The label set without `__name__` and the other metadata labels Prometheus drops with it. */
export function withoutMetricName(labels: Labels): Labels {
  let i = 0;
  for (; i < labels.length; i += 2) if (isMetadataLabel(labels[i]!)) break;
  if (i >= labels.length) return labels;
  const out: string[] = [];
  for (let j = 0; j < labels.length; j += 2) if (!isMetadataLabel(labels[j]!)) out.push(labels[j]!, labels[j + 1]!);
  return out;
}


/** Sets one label (an empty value deletes it), keeping the flat set sorted by name. */
export { setLabel as withLabel } from '../engine/labels.js';

/** Prometheus' `labels.Compare`: label by label, names then values, then the shorter set first. */
export function compareLabels(a: Labels, b: Labels): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 2) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
    if (a[i + 1] !== b[i + 1]) return a[i + 1]! < b[i + 1]! ? -1 : 1;
  }
  return a.length - b.length;
}
