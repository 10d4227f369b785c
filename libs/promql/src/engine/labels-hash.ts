import type { Labels } from '#pharos/metric-model';

/**
 * Prometheus' `labels.Labels.Hash()` in its default (`stringlabels`) build: XXH64 (seed 0) of
 * the label set's internal encoding, each name and value as its UTF-8 length (one byte below
 * 255, else 0xff and three bytes little-endian) followed by its bytes. `limit_ratio` samples
 * series by this hash, so it must be bit-exact to pick the series Prometheus picks. BigInt is
 * slow, but this runs once per series per query.
 */
export function labelsHash(labels: Labels): bigint {
  const encoder = new TextEncoder();
  const parts: number[] = [];
  const put = (text: string): void => {
    const bytes = encoder.encode(text);
    const n = bytes.length;
    if (n < 255) parts.push(n);
    else parts.push(255, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff);
    for (const b of bytes) parts.push(b);
  };
  for (let i = 0; i < labels.length; i += 2) {
    put(labels[i]!);
    put(labels[i + 1]!);
  }
  return xxh64(Uint8Array.from(parts));
}

const MASK = (1n << 64n) - 1n;
const P1 = 0x9e3779b185ebca87n;
const P2 = 0xc2b2ae3d27d4eb4fn;
const P3 = 0x165667b19e3779f9n;
const P4 = 0x85ebca77c2b2ae63n;
const P5 = 0x27d4eb2f165667c5n;

function rotl(x: bigint, r: bigint): bigint {
  return ((x << r) | (x >> (64n - r))) & MASK;
}

function round(acc: bigint, lane: bigint): bigint {
  return (rotl((acc + lane * P2) & MASK, 31n) * P1) & MASK;
}

function mergeRound(acc: bigint, v: bigint): bigint {
  return (((acc ^ round(0n, v)) * P1) & MASK) + P4 & MASK;
}

function u64(b: Uint8Array, i: number): bigint {
  let x = 0n;
  for (let k = 7; k >= 0; k--) x = (x << 8n) | BigInt(b[i + k]!);
  return x;
}

function u32(b: Uint8Array, i: number): bigint {
  return BigInt((b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0);
}

/** XXH64 with seed 0. */
export function xxh64(b: Uint8Array): bigint {
  const n = b.length;
  let i = 0;
  let h: bigint;
  if (n >= 32) {
    let v1 = (P1 + P2) & MASK;
    let v2 = P2;
    let v3 = 0n;
    let v4 = (-P1) & MASK;
    for (; i + 32 <= n; i += 32) {
      v1 = round(v1, u64(b, i));
      v2 = round(v2, u64(b, i + 8));
      v3 = round(v3, u64(b, i + 16));
      v4 = round(v4, u64(b, i + 24));
    }
    h = (rotl(v1, 1n) + rotl(v2, 7n) + rotl(v3, 12n) + rotl(v4, 18n)) & MASK;
    h = mergeRound(h, v1);
    h = mergeRound(h, v2);
    h = mergeRound(h, v3);
    h = mergeRound(h, v4);
  } else {
    h = P5;
  }
  h = (h + BigInt(n)) & MASK;
  for (; i + 8 <= n; i += 8) {
    h ^= round(0n, u64(b, i));
    h = (rotl(h, 27n) * P1 + P4) & MASK;
  }
  if (i + 4 <= n) {
    h ^= (u32(b, i) * P1) & MASK;
    h = (rotl(h, 23n) * P2 + P3) & MASK;
    i += 4;
  }
  for (; i < n; i++) {
    h ^= (BigInt(b[i]!) * P5) & MASK;
    h = (rotl(h, 11n) * P1) & MASK;
  }
  h ^= h >> 33n;
  h = (h * P2) & MASK;
  h ^= h >> 29n;
  h = (h * P3) & MASK;
  h ^= h >> 32n;
  return h;
}
