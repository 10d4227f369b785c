import type { Labels } from './labels.js';

/**
 * A 53-bit hash of a label set, exact in a JS number, so hot paths can key typed-array
 * tables by it without allocating. Cached per `Labels` array: decoders intern label arrays
 * of recurring series, so steady-state traffic hashes each series once.
 */
const cache = new WeakMap<Labels, number>();

export function seriesHash(labels: Labels): number {
  const cached = cache.get(labels);
  if (cached !== undefined) return cached;
  let lo = 0x811c9dc5;
  let hi = 0x01000193 ^ labels.length;
  for (let i = 0; i < labels.length; i++) {
    const s = labels[i]!;
    for (let j = 0; j < s.length; j++) {
      const c = s.charCodeAt(j);
      lo = Math.imul(lo ^ c, 0x01000193);
      hi = Math.imul(hi ^ c, 0x5bd1e995);
    }
    // Field separator, so ["ab","c"] and ["a","bc"] differ.
    lo = Math.imul(lo ^ 0xff, 0x01000193);
    hi = Math.imul(hi ^ 0xff, 0x5bd1e995);
    hi ^= hi >>> 13;
  }
  const hash = (hi & 0x1fffff) * 0x100000000 + (lo >>> 0);
  cache.set(labels, hash);
  return hash;
}
