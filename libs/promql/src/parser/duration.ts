/**
 * Prometheus durations (`model.ParseDuration` / `model.Duration.String` of prometheus/common):
 * one or more `<integer><unit>` pairs with units y, w, d, h, m, s, ms, biggest first, each at
 * most once; `0` alone is allowed. Pharos keeps durations as integer milliseconds.
 */

const UNITS: Readonly<Record<string, { readonly order: number; readonly ms: number }>> = {
  y: { order: 1, ms: 365 * 24 * 3_600_000 },
  w: { order: 2, ms: 7 * 24 * 3_600_000 },
  d: { order: 3, ms: 24 * 3_600_000 },
  h: { order: 4, ms: 3_600_000 },
  m: { order: 5, ms: 60_000 },
  s: { order: 6, ms: 1_000 },
  ms: { order: 7, ms: 1 },
};

/** Go's time.Duration is int64 nanoseconds, so Prometheus refuses durations past ~292 years. */
export const MAX_DURATION_MS = 9_223_372_036_854; // floor((2^63 - 1) / 1e6)

/** Thrown for a text that is not a Prometheus duration; the message is Prometheus' own. */
export class DurationParseError extends Error {
  override readonly name = 'DurationParseError';
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Parses a Prometheus duration such as `5m`, `1h30m` or `90s` into milliseconds.
 * Floats and negative values are not durations (the HTTP API accepts float seconds itself).
 */
export function parseDuration(text: string): number {
  if (text === '0') return 0;
  if (text === '') throw new DurationParseError('empty duration string');
  let total = 0n;
  let lastOrder = 0;
  let i = 0;
  while (i < text.length) {
    if (!isDigit(text.charCodeAt(i))) throw new DurationParseError(`not a valid duration string: ${goQuote(text)}`);
    const numStart = i;
    while (i < text.length && isDigit(text.charCodeAt(i))) i++;
    const value = BigInt(text.slice(numStart, i));
    const unitStart = i;
    while (i < text.length && !isDigit(text.charCodeAt(i))) i++;
    if (i === unitStart) throw new DurationParseError(`not a valid duration string: ${goQuote(text)}`);
    const unitText = text.slice(unitStart, i);
    const unit = Object.hasOwn(UNITS, unitText) ? UNITS[unitText] : undefined;
    if (!unit) throw new DurationParseError(`unknown unit ${goQuote(unitText)} in duration ${goQuote(text)}`);
    if (unit.order <= lastOrder) throw new DurationParseError(`not a valid duration string: ${goQuote(text)}`);
    lastOrder = unit.order;
    // Prometheus counts in nanoseconds and refuses anything past int64.
    const maxNs = (1n << 63n) - 1n;
    const unitNs = BigInt(unit.ms) * 1_000_000n;
    if (value > (1n << 63n) / unitNs) throw new DurationParseError('duration out of range');
    total += value * unitNs;
    if (total > maxNs) throw new DurationParseError('duration out of range');
  }
  return Number(total / 1_000_000n);
}

/**
 * Formats milliseconds as Prometheus prints durations: `1h30m`, `90d` (years and weeks only
 * when exact), `0s` for zero, a leading `-` for negative values.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) throw new RangeError(`cannot format non-finite duration ${ms}`);
  let rest = Math.trunc(ms);
  if (rest === 0) return '0s';
  let out = '';
  if (rest < 0) {
    out = '-';
    rest = -rest;
  }
  const emit = (unit: string, mult: number, exact: boolean): void => {
    if (exact && rest % mult !== 0) return;
    const v = Math.floor(rest / mult);
    if (v > 0) {
      out += `${v}${unit}`;
      rest -= v * mult;
    }
  };
  emit('y', UNITS.y!.ms, true);
  emit('w', UNITS.w!.ms, true);
  emit('d', UNITS.d!.ms, false);
  emit('h', UNITS.h!.ms, false);
  emit('m', UNITS.m!.ms, false);
  emit('s', UNITS.s!.ms, false);
  emit('ms', 1, false);
  return out;
}

/** Go's `%q` for the ASCII texts that appear in these messages. */
function goQuote(s: string): string {
  return JSON.stringify(s);
}
