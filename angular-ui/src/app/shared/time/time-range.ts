/**
 * Time ranges of the Explore view: relative ("last 1h", re-evaluated at each run) or absolute
 * (fixed instants). Pure functions, so the URL round trip and the step rules are unit-tested.
 */

export const RELATIVE_RANGES = ['5m', '15m', '1h', '6h', '24h', '7d'] as const;
export type RelativeRange = (typeof RELATIVE_RANGES)[number];

/** `last` is any duration ("3h" from an imported dashboard too); the picker offers RELATIVE_RANGES. */
export type TimeRange =
  | { readonly kind: 'relative'; readonly last: string }
  | { readonly kind: 'absolute'; readonly fromMs: number; readonly toMs: number };

export type TimeZone = 'local' | 'utc';

/** Prometheus refuses range queries over 11,000 points per series; the UI stays below it. */
export const MAX_POINTS_PER_SERIES = 11_000;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };
const DURATION = /^(?:\d+(?:ms|[smhdwy]))+$/;
const DURATION_PART = /(\d+)(ms|[smhdwy])/g;

/** Parses a Prometheus duration ("90s", "1h30m") into milliseconds; throws on anything else. */
export function parseDuration(text: string): number {
  if (!DURATION.test(text)) throw new Error(`"${text}" is not a duration (examples: 15s, 5m, 1h30m)`);
  let ms = 0;
  for (const m of text.matchAll(DURATION_PART)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  if (ms <= 0) throw new Error(`duration "${text}" must be greater than zero`);
  return ms;
}

/** Formats milliseconds as the shortest Prometheus duration ("1h30m", "15s", "250ms"). */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) throw new Error(`cannot format ${ms} ms as a duration`);
  let rest = Math.round(ms);
  let out = '';
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]] as const) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out;
}

export function isRelativeRange(text: string): text is RelativeRange {
  return (RELATIVE_RANGES as readonly string[]).includes(text);
}

/** The [start, end] instants a range stands for at `nowMs`. */
export function resolveRange(range: TimeRange, nowMs: number): { startMs: number; endMs: number } {
  if (range.kind === 'absolute') return { startMs: range.fromMs, endMs: range.toMs };
  return { startMs: nowMs - parseDuration(range.last), endMs: nowMs };
}

/**
 * The step that gives about one point per horizontal pixel, rounded up to a whole second, and
 * never so small that a series would exceed Prometheus' 11,000-point limit.
 */
export function autoStepMs(rangeMs: number, widthPx: number): number {
  if (!(rangeMs > 0)) throw new Error(`range must be positive, got ${rangeMs} ms`);
  const pixels = Math.max(100, Math.floor(widthPx));
  const perPixel = Math.ceil(rangeMs / pixels / 1000) * 1000;
  const floor = Math.ceil(rangeMs / MAX_POINTS_PER_SERIES / 1000) * 1000;
  return Math.max(1000, perPixel, floor);
}

/** Formats an instant for display in the chosen zone, as "YYYY-MM-DD HH:MM:SS". */
export function formatInstant(ms: number, zone: TimeZone): string {
  const d = new Date(ms);
  const utc = zone === 'utc';
  const p = (n: number): string => String(n).padStart(2, '0');
  const y = utc ? d.getUTCFullYear() : d.getFullYear();
  const mo = (utc ? d.getUTCMonth() : d.getMonth()) + 1;
  const day = utc ? d.getUTCDate() : d.getDate();
  const h = utc ? d.getUTCHours() : d.getHours();
  const mi = utc ? d.getUTCMinutes() : d.getMinutes();
  const s = utc ? d.getUTCSeconds() : d.getSeconds();
  return `${y}-${p(mo)}-${p(day)} ${p(h)}:${p(mi)}:${p(s)}`;
}

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/;

/** Parses "YYYY-MM-DD HH:MM[:SS]" in the chosen zone; throws a message naming the problem. */
export function parseInstant(text: string, zone: TimeZone): number {
  const m = INSTANT.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a date and time (expected YYYY-MM-DD HH:MM:SS)`);
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
  const ms = zone === 'utc' ? Date.UTC(y, mo - 1, d, h, mi, s) : new Date(y, mo - 1, d, h, mi, s).getTime();
  // Date rolls 2024-02-31 over into March; a calendar that does not exist is an input error.
  if (formatInstant(ms, zone).slice(0, 16) !== `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}`) {
    throw new Error(`"${text}" is not a valid calendar date and time`);
  }
  return ms;
}
