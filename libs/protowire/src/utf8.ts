import { isUtf8 } from 'node:buffer';

/**
 * Strings out of protobuf bytes. Everything works on byte ranges of one Buffer so that no
 * sub-Buffer is created on the common (ASCII) path.
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
