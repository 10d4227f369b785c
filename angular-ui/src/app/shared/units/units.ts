/**
 * Value units: how a number is shown on panels, axes, legends and tooltips. Unit ids and
 * output follow Grafana's value formats (packages/grafana-data/src/valueFormats), so a
 * dashboard imported from Grafana reads the same here: "short" gives "1.50 K", "bytes" gives
 * "1.50 MiB", "s" scales up to "2.50 min", and automatic decimals keep about three significant
 * digits. Two deliberate differences: NaN and infinities print as Prometheus does ("NaN",
 * "+Inf", "-Inf"), and automatic decimals are symmetric for negative values (Grafana's
 * heuristic drops a digit below zero by accident).
 *
 * An unknown unit id is shown as a suffix, as Grafana does for custom units, so an imported
 * dashboard never fails to render; `isKnownUnit` lets an editor warn about it. `prefix:X` and
 * `suffix:X` give a custom prefix or suffix.
 */

/** One entry of the unit picker. */
export interface UnitCategory {
  /** The id stored in `fieldConfig.unit`. */
  readonly id: string;
  readonly label: string;
  /** The picker's group heading. */
  readonly group: string;
}

/** Nice tick positions for an axis and their labels, formatted in the axis' unit. */
export interface AxisTicks {
  /** Ascending tick values, every one inside [min, max]. */
  readonly values: readonly number[];
  /** The distance between neighbouring ticks. */
  readonly step: number;
  /** `values` formatted with the unit, one decimal count across the axis. */
  readonly labels: readonly string[];
}

/**
 * How many decimals to print: a fixed count, automatic (null), or — for axis labels — enough
 * to tell neighbouring ticks apart, which depends on the scale the value is shown in (a step
 * of 512 MiB needs none when shown in MiB, one when shown in GiB).
 */
interface Precision {
  readonly decimals: number | null;
  /** The axis step in the unit's base value, or NaN outside an axis. */
  readonly step: number;
}

/** Formats a finite value. */
type Formatter = (value: number, p: Precision) => string;

const MAX_DECIMALS = 20;

// ---------------------------------------------------------------------------------------------
// Number formatting.

/** Grafana's automatic decimals: about three significant digits, none for whole numbers. */
function autoDecimals(value: number): number {
  // Scaling (5e-8 s × 1e9) leaves float dust (50.00000000000001) on what is a whole number.
  if (Math.abs(value - Math.round(value)) <= 1e-9 * Math.abs(value)) return 0;
  return Math.max(0, 2 - Math.floor(Math.log10(Math.abs(value))));
}

/** Decimals needed to print multiples of `step` exactly (0.25 → 2, 5 → 0). */
function stepDecimals(step: number): number {
  if (!(step > 0) || !Number.isFinite(step)) return 0;
  for (let d = 0; d < 12; d++) {
    const scaled = step * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-6 * scaled) return d;
  }
  return 12;
}

function toFixed(value: number, decimals: number | null): string {
  const d = decimals ?? autoDecimals(value);
  // toFixed switches to exponent notation from 1e21 on; so does Grafana's String().
  if (Math.abs(value) >= 1e21) return String(value);
  const factor = 10 ** d;
  // Half away from zero, so -1.5 and 1.5 round alike.
  const rounded = (Math.sign(value) * Math.round(Math.abs(value) * factor)) / factor;
  // -0 after rounding a small negative value prints as "0".
  return (rounded === 0 ? 0 : rounded).toFixed(d);
}

/** `value` (in the unit's base) shown as `value / divisor`. */
function scaledText(value: number, divisor: number, p: Precision): string {
  const decimals = p.decimals ?? (Number.isNaN(p.step) ? null : stepDecimals(p.step / divisor));
  return toFixed(value / divisor, decimals);
}

// ---------------------------------------------------------------------------------------------
// Formatter families, as Grafana's valueFormats builds them.

function fixedUnit(suffix: string, asPrefix = false): Formatter {
  if (suffix === '') return (v, p) => scaledText(v, 1, p);
  if (asPrefix) return (v, p) => suffix + scaledText(v, 1, p);
  return (v, p) => `${scaledText(v, 1, p)} ${suffix}`;
}

/**
 * Steps of `factor` with a suffix each; `base` is the index of the unscaled suffix (SI units
 * go down to femto). Values below the first or above the last suffix stay in that suffix.
 */
function scaledUnits(factor: number, suffixes: readonly string[], base = 0): Formatter {
  const lo = -base;
  const hi = suffixes.length - 1 - base;
  return (v, p) => {
    // Zero is shown unscaled ("0 B", not "0 fB"). The log of an exact power can land a hair
    // below the integer (log10(1e15)/3 = 4.999…).
    const exp = v === 0 ? 0 : Math.min(hi, Math.max(lo, Math.floor(Math.log(Math.abs(v)) / Math.log(factor) + 1e-9)));
    return scaledText(v, factor ** exp, p) + suffixes[exp + base]!;
  };
}

const SI = ['f', 'p', 'n', 'µ', 'm', '', 'k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];
const SI_BASE = SI.indexOf('');
const IEC = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi'];

function siPrefix(unit: string): Formatter {
  return scaledUnits(
    1000,
    SI.map((s) => ` ${s}${unit}`),
    SI_BASE,
  );
}

function binaryPrefix(unit: string): Formatter {
  return scaledUnits(
    1024,
    IEC.map((s) => ` ${s}${unit}`),
  );
}

/** Counts per time ("ops", "reqps"): K/M/B/T then the symbol, "1.50K ops". */
function countUnit(symbol: string): Formatter {
  const scaled = scaledUnits(1000, ['', 'K', 'M', 'B', 'T']);
  return (v, p) => `${scaled(v, p)} ${symbol}`;
}

function currency(symbol: string): Formatter {
  const scaled = scaledUnits(1000, ['', 'K', 'M', 'B', 'T']);
  return (v, p) => (v < 0 ? `-${symbol}${scaled(-v, p)}` : `${symbol}${scaled(v, p)}`);
}

/**
 * Durations that move to a larger unit as the value grows, as Grafana's s/ms/µs/ns formats:
 * `ladder` lists [upper bound, divisor, suffix] in the unit's base, the last bound Infinity.
 */
function timeLadder(ladder: readonly (readonly [number, number, string])[], zero: string): Formatter {
  return (v, p) => {
    if (v === 0 && Number.isNaN(p.step)) return `0 ${zero}`;
    const magnitude = v === 0 ? p.step : Math.abs(v);
    for (const [bound, divisor, suffix] of ladder) {
      if (magnitude < bound) return `${scaledText(v, divisor, p)} ${suffix}`;
    }
    throw new Error('unreachable: a time ladder ends at Infinity');
  };
}

const toSeconds = timeLadder(
  [
    [1e-6, 1e-9, 'ns'],
    [1e-3, 1e-6, 'µs'],
    [1, 1e-3, 'ms'],
    [60, 1, 's'],
    [3600, 60, 'min'],
    [86_400, 3600, 'hour'],
    [604_800, 86_400, 'day'],
    [31_536_000, 604_800, 'week'],
    [Infinity, 3.15569e7, 'year'],
  ],
  's',
);

const toMilliseconds = timeLadder(
  [
    [1000, 1, 'ms'],
    [60_000, 1000, 's'],
    [3_600_000, 60_000, 'min'],
    [86_400_000, 3_600_000, 'hour'],
    [31_536_000_000, 86_400_000, 'day'],
    [Infinity, 31_536_000_000, 'year'],
  ],
  'ms',
);

const toMicroseconds = timeLadder(
  [
    [1000, 1, 'µs'],
    [1e6, 1000, 'ms'],
    [Infinity, 1e6, 's'],
  ],
  'µs',
);

const toNanoseconds = timeLadder(
  [
    [1000, 1, 'ns'],
    [1e6, 1000, 'µs'],
    [1e9, 1e6, 'ms'],
    [60e9, 1e9, 's'],
    [Infinity, 60e9, 'min'],
  ],
  'ns',
);

const DURATION_PARTS: readonly (readonly [string, number])[] = [
  ['year', 31_536_000],
  ['month', 2_592_000],
  ['week', 604_800],
  ['day', 86_400],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
  ['millisecond', 0.001],
];

/**
 * Grafana's "duration (s)": whole calendar parts, the largest first ("2 hours"); each decimal
 * adds one more part ("2 hours, 5 minutes"). Negative durations read "… ago".
 */
function toDuration(seconds: number, p: Precision): string {
  if (seconds === 0) return '0 seconds';
  if (seconds < 0) return `${toDuration(-seconds, p)} ago`;
  let restMs = seconds * 1000;
  let partsLeft = (p.decimals ?? 0) + 1;
  const parts: string[] = [];
  for (const [name, size] of DURATION_PARTS) {
    if (partsLeft === 0) break;
    const sizeMs = size * 1000;
    const whole = Math.floor(restMs / sizeMs);
    if (whole >= 1 || parts.length > 0) {
      parts.push(`${whole} ${name}${whole === 1 ? '' : 's'}`);
      restMs -= whole * sizeMs;
      partsLeft--;
    }
  }
  // Below a millisecond nothing whole is left to say.
  return parts.length > 0 ? parts.join(', ') : '0 milliseconds';
}

function toPercent(v: number, p: Precision): string {
  return `${scaledText(v, 1, p)}%`;
}

function toPercentUnit(v: number, p: Precision): string {
  return `${scaledText(v * 100, 1, { decimals: p.decimals, step: p.step * 100 })}%`;
}

function toScientific(v: number, p: Precision): string {
  const decimals = p.decimals ?? (Number.isNaN(p.step) ? undefined : Math.min(MAX_DECIMALS, stepDecimals(p.step / 10 ** Math.floor(Math.log10(Math.abs(v) || p.step)))));
  return v.toExponential(decimals);
}

function toLocale(v: number, p: Precision): string {
  const decimals = p.decimals ?? (Number.isNaN(p.step) ? undefined : stepDecimals(p.step));
  return v.toLocaleString(undefined, decimals === undefined ? undefined : { minimumFractionDigits: Number.isNaN(p.step) ? 0 : decimals, maximumFractionDigits: decimals });
}

// ---------------------------------------------------------------------------------------------
// The unit table: picker entries and formatters in one place so they cannot drift apart.

interface UnitDef extends UnitCategory {
  readonly format: Formatter;
  /** How axis steps are chosen: decimal 1/2/5, time ladders (seconds per unit), or powers of two for IEC data. */
  readonly ticks: 'decimal' | { readonly secondsPerUnit: number } | 'binary';
}

const u = (group: string, id: string, label: string, format: Formatter, ticks: UnitDef['ticks'] = 'decimal'): UnitDef => ({ id, label, group, format, ticks });

const UNITS: readonly UnitDef[] = [
  u('Misc', 'none', 'None', fixedUnit('')),
  u('Misc', 'short', 'Short (K, Mil, Bil)', scaledUnits(1000, ['', ' K', ' Mil', ' Bil', ' Tri', ' Quadr', ' Quint', ' Sext', ' Sept'])),
  u('Misc', 'percent', 'Percent (0–100)', toPercent),
  u('Misc', 'percentunit', 'Percent (0.0–1.0)', toPercentUnit),
  u('Misc', 'sci', 'Scientific notation', toScientific),
  u('Misc', 'locale', 'Locale format', toLocale),
  u('Data (IEC)', 'bytes', 'bytes (IEC: KiB, MiB)', binaryPrefix('B'), 'binary'),
  u('Data (IEC)', 'bits', 'bits (IEC: Kib, Mib)', binaryPrefix('b'), 'binary'),
  u('Data (metric)', 'decbytes', 'bytes (SI: kB, MB)', siPrefix('B')),
  u('Data (metric)', 'decbits', 'bits (SI: kb, Mb)', siPrefix('b')),
  u('Data rate', 'bps', 'bits/sec (SI)', siPrefix('bps')),
  u('Data rate', 'Bps', 'bytes/sec (SI)', siPrefix('B/s')),
  u('Data rate', 'binBps', 'bytes/sec (IEC)', binaryPrefix('B/s'), 'binary'),
  u('Data rate', 'binbps', 'bits/sec (IEC)', binaryPrefix('bps'), 'binary'),
  u('Data rate', 'pps', 'packets/sec', siPrefix('pps')),
  u('Time', 'hertz', 'Hertz (1/s)', siPrefix('Hz')),
  u('Time', 'ns', 'nanoseconds (ns)', toNanoseconds, { secondsPerUnit: 1e-9 }),
  u('Time', 'µs', 'microseconds (µs)', toMicroseconds, { secondsPerUnit: 1e-6 }),
  u('Time', 'ms', 'milliseconds (ms)', toMilliseconds, { secondsPerUnit: 1e-3 }),
  u('Time', 's', 'seconds (s)', toSeconds, { secondsPerUnit: 1 }),
  u('Time', 'dtdurations', 'duration (s)', toDuration, { secondsPerUnit: 1 }),
  u('Throughput', 'ops', 'ops/sec (ops)', countUnit('ops')),
  u('Throughput', 'reqps', 'requests/sec (reqps)', countUnit('reqps')),
  u('Throughput', 'rps', 'reads/sec (rps)', countUnit('rps')),
  u('Throughput', 'wps', 'writes/sec (wps)', countUnit('wps')),
  u('Throughput', 'iops', 'I/O ops/sec (iops)', countUnit('iops')),
  u('Throughput', 'cps', 'counts/sec (cps)', countUnit('cps')),
  u('Throughput', 'rpm', 'reads/min (rpm)', countUnit('rpm')),
  u('Throughput', 'wpm', 'writes/min (wpm)', countUnit('wpm')),
  u('Temperature', 'celsius', 'Celsius (°C)', fixedUnit('°C')),
  u('Temperature', 'fahrenheit', 'Fahrenheit (°F)', fixedUnit('°F')),
  u('Currency', 'currencyUSD', 'Dollars ($)', currency('$')),
  u('Currency', 'currencyEUR', 'Euro (€)', currency('€')),
  u('Currency', 'currencyGBP', 'Pounds (£)', currency('£')),
];

const BY_ID: ReadonlyMap<string, UnitDef> = new Map(UNITS.map((d) => [d.id, d]));

/** Every unit the picker offers, grouped as Grafana's unit menu. */
export const UNIT_CATEGORIES: readonly UnitCategory[] = UNITS.map(({ id, label, group }) => ({ id, label, group }));

/** Whether `unit` is a listed id or a `prefix:`/`suffix:` custom unit (anything else is shown as a suffix). */
export function isKnownUnit(unit: string): boolean {
  return unit === '' || BY_ID.has(unit) || unit.startsWith('prefix:') || unit.startsWith('suffix:');
}

function unitDef(unit: string): UnitDef {
  const known = BY_ID.get(unit === '' ? 'none' : unit);
  if (known) return known;
  if (unit.startsWith('prefix:')) return u('Custom', unit, unit, fixedUnit(unit.slice(7), true));
  const suffix = unit.startsWith('suffix:') ? unit.slice(7) : unit;
  return u('Custom', unit, unit, fixedUnit(suffix));
}

function checkDecimals(decimals: number | null): void {
  if (decimals !== null && !(Number.isInteger(decimals) && decimals >= 0 && decimals <= MAX_DECIMALS)) {
    throw new RangeError(`decimals must be null (automatic) or a whole number from 0 to ${MAX_DECIMALS}, got ${decimals}`);
  }
}

function special(value: number): string | null {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return null;
}

/**
 * `value` in `unit` ("1.50 MiB", "250 ms", "42%"); `decimals` null picks them automatically.
 * Throws a RangeError for a decimals count that is not a whole number from 0 to 20.
 */
export function formatValue(value: number, unit: string, decimals: number | null): string {
  checkDecimals(decimals);
  return special(value) ?? unitDef(unit).format(value, { decimals, step: NaN });
}

/**
 * A value formatter bound to one unit and decimals, for hot paths (tooltips over hundreds of
 * series, legends) that should not look the unit up per value.
 */
export function valueFormatter(unit: string, decimals: number | null): (value: number) => string {
  checkDecimals(decimals);
  const { format } = unitDef(unit);
  const p: Precision = { decimals, step: NaN };
  return (value) => special(value) ?? format(value, p);
}

// ---------------------------------------------------------------------------------------------
// Axis ticks.

const DECIMAL_MANTISSAS = [1, 2, 5];
/** Steps of whole seconds a clock reads well in: 1/2/5/10/15/30 s, minutes likewise, hours, days, weeks. */
const SECOND_STEPS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800, 1_209_600, 2_592_000, 7_776_000,
  15_552_000, 31_536_000,
];

/** The smallest 1/2/5 × 10^k step ≥ raw. */
function niceDecimal(raw: number): number {
  const exp = Math.floor(Math.log10(raw));
  for (let e = exp; ; e++) {
    for (const m of DECIMAL_MANTISSAS) {
      const step = m * 10 ** e;
      if (step >= raw * (1 - 1e-12)) return step;
    }
  }
}

function niceStep(raw: number, ticks: UnitDef['ticks']): number {
  if (ticks === 'decimal') return niceDecimal(raw);
  if (ticks === 'binary') {
    // Whole powers of two from one byte up (256 MiB, 512 MiB, 1 GiB); fractions are decimal.
    return raw <= 1 ? niceDecimal(raw) : 2 ** Math.ceil(Math.log2(raw) - 1e-12);
  }
  const seconds = raw * ticks.secondsPerUnit;
  if (seconds < 1) return niceDecimal(raw);
  const clock = SECOND_STEPS.find((s) => s >= seconds * (1 - 1e-12));
  // Beyond a year: whole years in 1/2/5 steps.
  const stepSeconds = clock ?? niceDecimal(seconds / 31_536_000) * 31_536_000;
  return stepSeconds / ticks.secondsPerUnit;
}

function clean(v: number, step: number): number {
  return Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12));
}

/**
 * At most `maxTicks` nice tick values in [min, max] for an axis in `unit`: 1/2/5 × 10^k
 * generally, clock steps (1/2/5/10/15/30 s, 1/2/5/10/15/30 min, 1/2/3/6/12 h, days, weeks) for
 * time units, powers of two for IEC data units. Labels share one decimal count.
 */
export function axisTicks(min: number, max: number, maxTicks: number, unit: string, decimals: number | null = null): AxisTicks {
  if (!Number.isFinite(min) || !Number.isFinite(max)) throw new RangeError(`axis range must be finite, got [${min}, ${max}]`);
  if (min > max) throw new RangeError(`axis min ${min} is above max ${max}`);
  if (!(Number.isInteger(maxTicks) && maxTicks >= 1)) throw new RangeError(`maxTicks must be a whole number ≥ 1, got ${maxTicks}`);
  checkDecimals(decimals);
  const def = unitDef(unit);
  if (min === max) return { values: [min], step: 0, labels: [def.format(min, { decimals, step: NaN })] };
  // Walk up from a step certainly too fine (so it puts at least one tick in range) to the
  // first that gives at most maxTicks.
  const count = (s: number): number => Math.floor(max / s + 1e-9) - Math.ceil(min / s - 1e-9) + 1;
  let step = niceStep((max - min) / (maxTicks + 1) / 10, def.ticks);
  let finer = NaN;
  while (count(step) > maxTicks) {
    finer = step;
    step = niceStep(step * 1.000001, def.ticks);
  }
  const values: number[] = [];
  if (count(step) === 0) {
    // No multiple of the first coarse-enough step falls in range: one tick on the finer
    // grid, nearest the middle.
    step = finer;
    values.push(clean(Math.round((min + max) / 2 / step) * step, step));
  } else {
    const first = Math.ceil(min / step - 1e-9);
    const n = count(step);
    // Multiplying (not accumulating) keeps 0.1-steps from drifting to 0.30000000000000004.
    for (let i = 0; i < n; i++) values.push(clean((first + i) * step, step));
  }
  const p: Precision = { decimals, step };
  return { values, step, labels: values.map((v) => def.format(v, p)) };
}
