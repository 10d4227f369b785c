/**
 * xorshift32 for the store's randomized tests: reproducible pseudo-random unsigned 32-bit
 * integers, so a failing seed can be replayed.
 */
export function xorshift32(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}
