import type { NumberLiteral } from '../ast.js';
import { DurationParseError, parseDuration } from './duration.js';

/**
 * Number literals written as durations (`5m` used as a number). Prometheus prints them back
 * as durations; the AST has no field for it yet, so the parser marks them here.
 */
export const durationLiterals = new WeakSet<NumberLiteral>();

/** The value of a number or duration token, in seconds for durations as Prometheus does. */
export interface NumberToken {
  readonly value: number;
  /** Written as a duration (`5m`): Prometheus keeps that to print it back as one. */
  readonly duration: boolean;
}

const HEX = /^0[xX]_?[0-9a-fA-F_]+$/;
const OCTAL = /^0[0-7_]+$/;
const INTEGER = /^[0-9][0-9_]*$/;
const MAX_INT64 = (1n << 63n) - 1n;

/**
 * Reads an unsigned number or duration token as Prometheus' parser does: `strconv.ParseInt(s, 0, 64)`
 * first (so hex `0x1f`, octal `010` = 8 and `1_000` are integers), then `strconv.ParseFloat`
 * (decimals, exponents, `Inf`, `NaN` in any case); a token with a unit is a duration, its
 * value in seconds. Throws an Error with Prometheus' reason on bad input.
 */
export function readNumberToken(text: string): NumberToken {
  const lower = text.toLowerCase();
  if (lower === 'inf' || lower === '+inf') return { value: Infinity, duration: false };
  if (lower === 'nan') return { value: NaN, duration: false };
  if (!HEX.test(text) && /[smhdwy]/.test(text)) {
    try {
      return { value: parseDuration(text) / 1000, duration: true };
    } catch (err) {
      if (err instanceof DurationParseError) throw new Error(err.message);
      throw err;
    }
  }
  const asInt = parseGoInt(text);
  if (asInt !== undefined) return { value: Number(asInt), duration: false };
  if (HEX.test(text)) {
    // Past int64, Go's ParseFloat wants a `p` exponent for hex mantissas, so this is an error.
    throw new Error(`error parsing number: strconv.ParseFloat: parsing ${JSON.stringify(text)}: invalid syntax`);
  }
  const value = Number(text.replaceAll('_', ''));
  if (Number.isNaN(value)) throw new Error(`error parsing number: strconv.ParseFloat: parsing ${JSON.stringify(text)}: invalid syntax`);
  if (!Number.isFinite(value)) throw new Error(`error parsing number: strconv.ParseFloat: parsing ${JSON.stringify(text)}: value out of range`);
  return { value, duration: false };
}

/** `strconv.ParseInt(s, 0, 64)` for the unsigned forms the lexer produces; undefined when it fails. */
function parseGoInt(text: string): bigint | undefined {
  let n: bigint;
  if (HEX.test(text)) n = BigInt(`0x${text.slice(2).replaceAll('_', '')}`);
  else if (OCTAL.test(text)) n = BigInt(`0o${text.slice(1).replaceAll('_', '') || '0'}`);
  else if (INTEGER.test(text)) {
    // A leading 0 makes Go read octal, which 8 and 9 are not: ParseInt fails, ParseFloat reads decimal.
    if (text.length > 1 && text[0] === '0') return undefined;
    n = BigInt(text.replaceAll('_', ''));
  } else return undefined;
  return n > MAX_INT64 ? undefined : n;
}
