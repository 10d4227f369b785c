import { labelValue } from '#pharos/metric-model';
import type { Sample, Vector } from '../engine/values.js';
import type { VectorFunctionImpl } from './contract.js';
import { compareLabels, stringArg, vectorArg } from './vector-args.js';

/**
 * `sort`, `sort_desc` (floats by value, NaN last, histograms dropped) and `sort_by_label`,
 * `sort_by_label_desc` (natural order of label values, then the whole label set). Samples keep
 * their labels, `__name__` included. Only an instant query's order is observable.
 */

function byValue(desc: boolean): VectorFunctionImpl {
  return {
    kind: 'vector',
    evaluate: (args) => {
      const floats = vectorArg(args, 0, desc ? 'sort_desc' : 'sort').filter((s) => !s.h);
      return floats.sort((a, b) => {
        const an = Number.isNaN(a.f);
        const bn = Number.isNaN(b.f);
        if (an || bn) return an === bn ? 0 : an ? 1 : -1;
        return desc ? b.f - a.f : a.f - b.f;
      });
    },
  };
}

/**
 * Natural order as `github.com/facette/natsort`'s `Compare(a, b)` (true when `a` sorts first):
 * strings split into digit and non-digit chunks; two digit chunks compare as integers (when they
 * fit an int64), anything else as strings.
 */
export function naturalLess(a: string, b: string): boolean {
  const ca = a.match(CHUNK) ?? [];
  const cb = b.match(CHUNK) ?? [];
  for (let i = 0; i < ca.length; i++) {
    if (i >= cb.length) return false;
    const x = ca[i]!;
    const y = cb[i]!;
    const xi = asInt64(x);
    const yi = asInt64(y);
    if (xi !== undefined && yi !== undefined) {
      if (xi === yi) {
        if (i === ca.length - 1) return true;
        if (i === cb.length - 1) return false;
        continue;
      }
      return xi < yi;
    }
    if (x === y) {
      if (i === ca.length - 1) return true;
      if (i === cb.length - 1) return false;
      continue;
    }
    return x < y;
  }
  return false;
}

const CHUNK = /[0-9]+|[^0-9]+/g;
const INT64_MAX = 9223372036854775807n;

/** Go's `strconv.Atoi` on a chunk: digits only, and only values that fit an int64. */
function asInt64(chunk: string): bigint | undefined {
  const c = chunk.charCodeAt(0);
  if (c < 48 || c > 57) return undefined;
  const v = BigInt(chunk);
  return v <= INT64_MAX ? v : undefined;
}

function byLabel(desc: boolean): VectorFunctionImpl {
  const name = desc ? 'sort_by_label_desc' : 'sort_by_label';
  return {
    kind: 'vector',
    evaluate: (args) => {
      const input = vectorArg(args, 0, name);
      const names: string[] = [];
      for (let i = 1; i < args.length; i++) names.push(stringArg(args, i, name));
      const sign = desc ? -1 : 1;
      return [...input].sort((a: Sample, b: Sample) => {
        for (const label of names) {
          const va = labelValue(a.labels, label);
          const vb = labelValue(b.labels, label);
          if (va === vb) continue;
          return naturalLess(va, vb) ? -sign : sign;
        }
        return sign * compareLabels(a.labels, b.labels);
      });
    },
  };
}

export const SORT_FUNCTIONS: ReadonlyMap<string, VectorFunctionImpl> = new Map([
  ['sort', byValue(false)],
  ['sort_desc', byValue(true)],
  ['sort_by_label', byLabel(false)],
  ['sort_by_label_desc', byLabel(true)],
]);

