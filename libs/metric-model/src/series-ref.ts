import { hash } from 'node:crypto';
import type { Labels } from './labels.js';

/**
 * Words of a series ref: 128 bits, as four unsigned 32-bit words.
 *
 * A series ref names a tenant's series by content: the first 128 bits of SHA-256 over the
 * tenant and the label set. Anyone holding the labels computes the same ref, so a stream
 * record may carry the ref instead of the labels once the consumer is known to hold them
 * (docs/adr/0010-series-refs-on-the-stream.md). 128 bits make an accidental collision
 * among even billions of series negligible (~n²/2¹²⁹), and SHA-256 makes a deliberate one
 * infeasible; the store still checks that a resolved series belongs to the record's tenant.
 * Computed once per new series (a few µs), never per sample.
 */
export const SERIES_REF_WORDS = 4;

/** Writes the ref of `(tenant, labels)` into `out[at .. at + 4)`. */
export function writeSeriesRef(tenant: string, labels: Labels, out: Uint32Array, at: number): void {
  // JSON of an array of strings is an unambiguous encoding: no separator can be forged.
  const digest = hash('sha256', JSON.stringify([tenant, labels]), 'buffer');
  out[at] = digest.readUInt32LE(0);
  out[at + 1] = digest.readUInt32LE(4);
  out[at + 2] = digest.readUInt32LE(8);
  out[at + 3] = digest.readUInt32LE(12);
}

/** The ref of `(tenant, labels)` as a fresh 4-word array. */
export function seriesRef(tenant: string, labels: Labels): Uint32Array {
  const out = new Uint32Array(SERIES_REF_WORDS);
  writeSeriesRef(tenant, labels, out, 0);
  return out;
}

/** Refs of every series of a batch, 4 words each, in series order. */
export function seriesRefsOf(tenant: string, series: readonly Labels[]): Uint32Array {
  const out = new Uint32Array(SERIES_REF_WORDS * series.length);
  for (let i = 0; i < series.length; i++) writeSeriesRef(tenant, series[i]!, out, SERIES_REF_WORDS * i);
  return out;
}

/** Hex form of a ref, for messages. */
export function seriesRefHex(refs: Uint32Array, at: number): string {
  let s = '';
  for (let k = 0; k < SERIES_REF_WORDS; k++) s += refs[at + k]!.toString(16).padStart(8, '0');
  return s;
}
