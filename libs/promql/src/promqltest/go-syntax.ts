/**
 * The small pieces of Go syntax that promqltest scripts inherit from Prometheus' Go runner
 * (`promql/promqltest/test.go`): durations as `model.ParseDuration` reads them, numbers as
 * `strconv.ParseInt(s, 0, 64)` then `strconv.ParseFloat` read them, and float formatting
 * close to Go's `%v` for readable diffs.
 */

/** A script that does not follow the promqltest language; `line` is 1-based. */
export class PromQLTestSyntaxError extends Error {
  override readonly name = 'PromQLTestSyntaxError';
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

const DURATION_UNITS: Readonly<Record<string, { readonly ms: number; readonly order: number }>> = {
  y: { ms: 365 * 24 * 3600_000, order: 1 },
  w: { ms: 7 * 24 * 3600_000, order: 2 },
  d: { ms: 24 * 3600_000, order: 3 },
  h: { ms: 3600_000, order: 4 },
  m: { ms: 60_000, order: 5 },
  s: { ms: 1000, order: 6 },
  ms: { ms: 1, order: 7 },
};

/**
 * Parses a Prometheus duration (`1h30m`, `90s`, `0`) into milliseconds, as
 * `model.ParseDuration`: units from largest to smallest, each at most once, no sign, no
 * fractions; a bare `0` is allowed. Throws a plain Error naming the problem.
 */
export function parseDurationMs(text: string): number {
  if (text === '0') return 0;
  if (text === '') throw new Error('empty duration string');
  let rest = text;
  let total = 0;
  let lastOrder = 0;
  while (rest !== '') {
    const m = /^(\d+)([^\d]+)/.exec(rest);
    if (!m) throw new Error(`not a valid duration string: "${text}"`);
    const unit = DURATION_UNITS[m[2]!];
    if (!unit) throw new Error(`unknown unit "${m[2]}" in duration "${text}"`);
    if (unit.order <= lastOrder) throw new Error(`not a valid duration string: "${text}"`);
    lastOrder = unit.order;
    total += Number(m[1]) * unit.ms;
    rest = rest.slice(m[0].length);
  }
  if (!Number.isSafeInteger(total)) throw new Error('duration out of range');
  return total;
}

const GO_INT = /^[+-]?(?:0[xX]_?[0-9a-fA-F]+(?:_[0-9a-fA-F]+)*|0[oO]?_?[0-7]+(?:_[0-7]+)*|0[bB]_?[01]+(?:_[01]+)*|[1-9]\d*(?:_\d+)*|0)$/;
const GO_FLOAT = /^[+-]?(?:(?:\d+(?:_\d+)*(?:\.(?:\d+(?:_\d+)*)?)?|\.\d+(?:_\d+)*)(?:[eE][+-]?\d+(?:_\d+)*)?)$/;
const GO_HEX_FLOAT = /^([+-]?)0[xX]([0-9a-fA-F_]*)(?:\.([0-9a-fA-F_]*))?[pP]([+-]?\d+)$/;

/**
 * Parses a number as Prometheus' runner does: first as a Go integer literal with base prefix
 * (`0x1f`, `0o17`, `017` is octal, `0b101`, underscores between digits), then as a Go float
 * (`1.5e3`, `Inf`, `+Inf`, `-Infinity`, `NaN`, hex floats `0x1p-2`). Returns undefined when
 * the text is not a number.
 */
export function parseGoNumber(text: string): number | undefined {
  if (GO_INT.test(text)) {
    const negative = text.startsWith('-');
    let body = text.replace(/^[+-]/, '').replace(/_/g, '');
    let value: number;
    if (/^0[xX]/.test(body)) value = parseInt(body.slice(2), 16);
    else if (/^0[bB]/.test(body)) value = parseInt(body.slice(2), 2);
    else if (/^0[oO]/.test(body)) value = parseInt(body.slice(2), 8);
    else if (body.length > 1 && body.startsWith('0')) value = parseInt((body = body.slice(1)), 8);
    else value = Number(body);
    // Go's ParseInt fails past int64 and ParseFloat then reads decimal text as a float; the
    // float value of the decimal digits is what both would give below 2^63.
    return negative ? -value : value;
  }
  const lower = text.toLowerCase();
  const unsigned = lower.replace(/^[+-]/, '');
  if (unsigned === 'inf' || unsigned === 'infinity') return lower.startsWith('-') ? -Infinity : Infinity;
  if (unsigned === 'nan') return NaN;
  if (GO_FLOAT.test(text)) return Number(text.replace(/_/g, ''));
  const hex = GO_HEX_FLOAT.exec(text);
  if (hex) {
    const intPart = (hex[2] ?? '').replace(/_/g, '');
    const fracPart = (hex[3] ?? '').replace(/_/g, '');
    if (intPart === '' && fracPart === '') return undefined;
    const mantissa = parseInt(intPart + fracPart || '0', 16);
    const value = mantissa * 2 ** (Number(hex[4]) - 4 * fracPart.length);
    return hex[1] === '-' ? -value : value;
  }
  return undefined;
}

/** Formats a float for messages the way Go's `%v`/`%g` does for the common cases. */
export function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Object.is(v, -0)) return '-0';
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e21)) {
    // Go writes 1e-05 and 1e+21: at least two exponent digits.
    return v.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  }
  return String(v);
}

/** Formats a millisecond timestamp or duration as Prometheus does (`1h30m`, `0s`, `-5m`). */
export function formatDurationMs(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  let out = '';
  for (const [unit, { ms: size }] of Object.entries(DURATION_UNITS)) {
    // Years and weeks only when exact, as model.Duration.String.
    if ((unit === 'y' || unit === 'w') && rest % size !== 0) continue;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return sign + out;
}
