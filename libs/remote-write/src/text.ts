import { isUtf8 } from 'node:buffer';

/**
 * Byte-level checks and string creation over the uncompressed body. Everything works on
 * byte ranges of one Buffer so that no sub-Buffer is created on the common (ASCII) path.
 */

interface BufferWithSlices extends Buffer {
  utf8Slice(start: number, end: number): string;
}

// `utf8Slice` is what `toString('utf8', a, b)` ends up calling; calling it directly skips
// the encoding-name dispatch, measurable when a body holds a million label strings.
const hasUtf8Slice =
  typeof (Buffer.prototype as Partial<BufferWithSlices>).utf8Slice === 'function';

/** Decodes `buf[start, end)` as UTF-8 (callers validate first). */
export function sliceUtf8(buf: Buffer, start: number, end: number): string {
  if (start === end) return '';
  return hasUtf8Slice ? (buf as BufferWithSlices).utf8Slice(start, end) : buf.toString('utf8', start, end);
}

// Label names and many values (job, region, env, …) recur across series. A direct-mapped
// table of short ASCII strings returns the existing string when the bytes match, so a new
// series costs fewer native string creations and its strings are shared in memory.
const SHORT_STRING_SLOTS = 4096;
const MAX_SHORT_STRING = 48;
const shortStrings: string[] = new Array<string>(SHORT_STRING_SLOTS).fill('');

/** Like {@link sliceUtf8}, returning a shared string for recurring short ASCII text. */
export function internedUtf8(buf: Buffer, start: number, end: number): string {
  const len = end - start;
  if (len === 0) return '';
  if (len > MAX_SHORT_STRING) return sliceUtf8(buf, start, end);
  let h = len;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c >= 0x80) return sliceUtf8(buf, start, end);
    h = Math.imul(h ^ c, 0x01000193);
  }
  const slot = (h ^ (h >>> 15)) & (SHORT_STRING_SLOTS - 1);
  const cached = shortStrings[slot]!;
  if (cached.length === len) {
    let i = 0;
    while (i < len && cached.charCodeAt(i) === buf[start + i]) i++;
    if (i === len) return cached;
  }
  const s = sliceUtf8(buf, start, end);
  shortStrings[slot] = s;
  return s;
}

/** True when `buf[start, end)` is valid UTF-8; pure-ASCII ranges are checked in JS. */
export function isValidUtf8(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    if (buf[i]! >= 0x80) return isUtf8(buf.subarray(start, end));
  }
  return true;
}

/** `[a-zA-Z_][a-zA-Z0-9_]*` over bytes (Prometheus' legacy label-name rule). */
export function isLegacyLabelName(buf: Uint8Array, start: number, end: number): boolean {
  if (start === end) return false;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    const alpha = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
    if (!alpha && !(i > start && c >= 0x30 && c <= 0x39)) return false;
  }
  return true;
}

/** `[a-zA-Z_:][a-zA-Z0-9_:]*` over bytes (Prometheus' legacy metric-name rule). */
export function isLegacyMetricName(buf: Uint8Array, start: number, end: number): boolean {
  if (start === end) return false;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    const ok =
      (c >= 0x61 && c <= 0x7a) ||
      (c >= 0x41 && c <= 0x5a) ||
      c === 0x5f ||
      c === 0x3a ||
      (i > start && c >= 0x30 && c <= 0x39);
    if (!ok) return false;
  }
  return true;
}

/** String forms of the same rules, for label sets that are already strings (v2 symbols). */
export function isLegacyLabelNameString(s: string): boolean {
  return /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(s);
}

export function isLegacyMetricNameString(s: string): boolean {
  return /^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(s);
}

/** Renders a label set for an error message, bounded so one bad series cannot flood a log. */
export function describeLabels(pairs: readonly string[]): string {
  let out = '{';
  for (let i = 0; i < pairs.length; i += 2) {
    if (i > 0) out += ', ';
    out += `${pairs[i]}=${JSON.stringify(pairs[i + 1] ?? '')}`;
    if (out.length > 200) return out.slice(0, 200) + '…}';
  }
  return out + '}';
}
