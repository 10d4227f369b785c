/**
 * Number-to-text conversions that must match Go's, because their output becomes label
 * values (`le`, `quantile`, attribute values) and so series identity.
 */

/** Go's `strconv.FormatFloat(v, 'f', -1, 64)`: shortest round-trip digits, never an exponent. */
export function formatFloatPlain(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Object.is(v, -0)) return '-0';
  const s = String(v);
  const e = s.indexOf('e');
  if (e < 0) return s;
  // String() switches to exponents below 1e-6 and from 1e21; expand the same digits.
  const negative = s.startsWith('-');
  const mantissa = s.slice(negative ? 1 : 0, e);
  const exponent = Number(s.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const digits = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  const pointAt = (dot < 0 ? mantissa.length : dot) + exponent;
  let out: string;
  if (pointAt <= 0) out = '0.' + '0'.repeat(-pointAt) + digits;
  else if (pointAt >= digits.length) out = digits + '0'.repeat(pointAt - digits.length);
  else out = digits.slice(0, pointAt) + '.' + digits.slice(pointAt);
  return negative ? '-' + out : out;
}

/**
 * pdata's `Value.AsString` for doubles: ECMAScript number-to-string (what `String()` does),
 * with Go's spelling of the non-finite values and of negative zero.
 */
export function formatAttributeDouble(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (Object.is(v, -0)) return '-0';
  return String(v);
}

const HEX = '0123456789abcdef';

/** Lower-case hex of `buf[start, end)` (trace and span ids). */
export function hexOf(buf: Uint8Array, start: number, end: number): string {
  let out = '';
  for (let i = start; i < end; i++) {
    const b = buf[i]!;
    out += HEX[b >>> 4]! + HEX[b & 15]!;
  }
  return out;
}

/** True when every byte of `buf[start, end)` is zero (an unset trace or span id). */
export function allZero(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] !== 0) return false;
  return true;
}
