/**
 * Number parsing and formatting with Go's rules, because the exposition formats are defined
 * by what Prometheus' Go parser accepts: `strconv.ParseFloat` minus hex floats and digit
 * underscores (Prometheus keeps to pre-Go 1.13 float syntax). JavaScript's `Number()` is both
 * looser (hex and binary integers, surrounding whitespace, '' → 0) and stricter (no `inf`,
 * `nan`), so the text is checked here first.
 */

const CH_0 = 48;
const CH_9 = 57;
const CH_PLUS = 43;
const CH_MINUS = 45;
const CH_DOT = 46;
const CH_E = 101;
const CH_UPPER_E = 69;

/** Why a value text is not a float, or undefined when it is one. */
export function floatSyntaxError(s: string, start: number, end: number): string | undefined {
  let i = start;
  if (i < end && (s.charCodeAt(i) === CH_PLUS || s.charCodeAt(i) === CH_MINUS)) i++;
  const first = s.charCodeAt(i) | 0x20;
  if (first === 105 /* i */ || first === 110 /* n */) {
    const rest = s.slice(i, end).toLowerCase();
    return rest === 'inf' || rest === 'infinity' || rest === 'nan' ? undefined : 'invalid syntax';
  }
  let digits = 0;
  while (i < end && isDigit(s.charCodeAt(i))) (i++, digits++);
  if (i < end && s.charCodeAt(i) === CH_DOT) {
    i++;
    while (i < end && isDigit(s.charCodeAt(i))) (i++, digits++);
  }
  if (digits === 0) return 'invalid syntax';
  if (i < end && (s.charCodeAt(i) === CH_E || s.charCodeAt(i) === CH_UPPER_E)) {
    i++;
    if (i < end && (s.charCodeAt(i) === CH_PLUS || s.charCodeAt(i) === CH_MINUS)) i++;
    let exp = 0;
    while (i < end && isDigit(s.charCodeAt(i))) (i++, exp++);
    if (exp === 0) return 'invalid syntax';
  }
  return i === end ? undefined : 'invalid syntax';
}

/**
 * Parses `s[start, end)` as Go's ParseFloat would, throwing a message in Go's wording when it
 * would fail (including out-of-range values such as 1e400, which Go refuses).
 */
export function parseGoFloat(s: string, start: number, end: number): number {
  // Fast path, no allocation but the one slice Number() needs: plain decimal syntax.
  let i = start;
  let c = s.charCodeAt(i);
  if (c === CH_PLUS || c === CH_MINUS) c = s.charCodeAt(++i);
  if ((c >= CH_0 && c <= CH_9) || c === CH_DOT) {
    if (floatSyntaxError(s, start, end) === undefined) {
      const v = Number(s.slice(start, end));
      if (Number.isFinite(v)) return v;
      throw new FloatSyntaxError(`strconv.ParseFloat: parsing ${JSON.stringify(s.slice(start, end))}: value out of range`);
    }
  }
  const text = s.slice(start, end);
  for (let k = start; k < end; k++) {
    const ch = s.charCodeAt(k);
    if (ch === 95 /* _ */ || ch === 112 /* p */ || ch === 80 /* P */) throw new FloatSyntaxError('unsupported character in float');
  }
  const problem = floatSyntaxError(s, start, end);
  if (problem) throw new FloatSyntaxError(`strconv.ParseFloat: parsing ${JSON.stringify(text)}: ${problem}`);
  // Only inf/infinity/nan (any case, signed) are left.
  const negative = text.charCodeAt(0) === CH_MINUS;
  const unsigned = (text.charCodeAt(0) === CH_PLUS || negative ? text.slice(1) : text).toLowerCase();
  if (unsigned === 'nan') return NaN;
  return negative ? -Infinity : Infinity;
}

export class FloatSyntaxError extends Error {
  override readonly name = 'FloatSyntaxError';
}

function isDigit(c: number): boolean {
  return c >= CH_0 && c <= CH_9;
}

/**
 * Go's `strconv.FormatFloat(f, 'g', -1, 64)`: the shortest decimal that round-trips, in
 * exponent form when the decimal exponent is < -4 or >= 6 (Go's rule for shortest 'g'), so
 * 1e6 prints as `1e+06` and 100000 as `100000`.
 */
export function formatGoFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  // JS's toExponential() without digits is also the shortest round-trip representation.
  const [mantissa, expText] = Math.abs(f).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const exp = Number(expText);
  const sign = f < 0 ? '-' : '';
  if (exp < -4 || exp >= 6) return sign + goExponent(digits, exp);
  if (exp >= 0) {
    const intPart = digits.length > exp + 1 ? digits.slice(0, exp + 1) : digits.padEnd(exp + 1, '0');
    const frac = digits.length > exp + 1 ? digits.slice(exp + 1) : '';
    return sign + intPart + (frac ? '.' + frac : '');
  }
  return sign + '0.' + '0'.repeat(-exp - 1) + digits;
}

function goExponent(digits: string, exp: number): string {
  const m = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
  const e = Math.abs(exp);
  return `${m}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' + e : e}`;
}

/**
 * Prometheus' `FormatOpenMetricsFloat`: Go's shortest 'g' form with `.0` appended when it has
 * neither a '.' nor an 'e' — how `le` and `quantile` label values are normalised on scrape.
 */
export function formatOpenMetricsFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  const s = formatGoFloat(f);
  return s.includes('.') || s.includes('e') ? s : s + '.0';
}
