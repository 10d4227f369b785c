/**
 * Go's float formatting where Prometheus puts numbers into text users see: `count_values`
 * labels (`strconv.FormatFloat(f, 'f', -1, 64)`) and error/annotation messages (`%v`, `%g`).
 * JavaScript and Go agree on the shortest round-trip digits; only the layout differs.
 */

/** Shortest digits and decimal-point position: |x| = 0.DIGITS × 10^dp. */
function shortest(x: number): { digits: string; dp: number } {
  const [mantissa, exp] = Math.abs(x).toExponential().split('e') as [string, string];
  return { digits: mantissa.replace('.', ''), dp: Number(exp) + 1 };
}

function special(x: number): string | undefined {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  return undefined;
}

/** `strconv.FormatFloat(x, 'f', -1, 64)`: never an exponent. */
export function formatFloatF(x: number): string {
  const s = special(x);
  if (s !== undefined) return s;
  const { digits, dp } = shortest(x);
  const sign = x < 0 ? '-' : '';
  if (dp <= 0) return `${sign}0.${'0'.repeat(-dp)}${digits}`;
  if (dp >= digits.length) return sign + digits + '0'.repeat(dp - digits.length);
  return `${sign}${digits.slice(0, dp)}.${digits.slice(dp)}`;
}

/** Go's `%v` / `%g` of a float64: exponent form when the decimal exponent is < -4 or ≥ 6 (`ftoa.go`). */
export function formatFloatG(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const { digits, dp } = shortest(x);
  const exp = dp - 1;
  const sign = x < 0 ? '-' : '';
  if (exp < -4 || exp >= 6) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp).toString().padStart(2, '0');
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${e}`;
  }
  return formatFloatF(x);
}
