/**
 * InfluxDB line protocol (v1 and v2 are the same text):
 * `measurement[,tag=value…] field=value[,field=value…] [timestamp]`, one point per line.
 * Hand-written scanner with InfluxDB's escaping rules: in measurements `\,` and `\ `; in tag
 * keys, tag values and field keys also `\=`; in string field values `\"` and `\\`; any other
 * backslash is literal. A bad line is reported with its number and InfluxDB's wording and the
 * scan goes on with the next line, so one bad point does not sink the request.
 */

export type FieldValue =
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'integer'; readonly value: number }
  | { readonly type: 'unsigned'; readonly value: number }
  | { readonly type: 'boolean'; readonly value: boolean }
  | { readonly type: 'string'; readonly value: string };

export interface Point {
  readonly measurement: string;
  /** Flat `[key, value, …]` in line order. */
  readonly tags: readonly string[];
  readonly fields: ReadonlyArray<readonly [string, FieldValue]>;
  /** In the request's precision; undefined when the line has none (server time). */
  readonly timestamp: bigint | undefined;
}

export interface LineError {
  /** 1-based line number in the request body. */
  readonly line: number;
  readonly message: string;
}

export type Precision = 'ns' | 'us' | 'ms' | 's' | 'm' | 'h';

/** Nanoseconds per unit of each precision. */
const NS_PER: Readonly<Record<Precision, bigint>> = { ns: 1n, us: 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n };

/** A precision name as the v2 (`ns us ms s`) or v1 (`n ns u us ms s m h`) API spells it, or undefined. */
export function parsePrecision(text: string | undefined, v1: boolean): Precision | undefined {
  if (text === undefined || text === '') return 'ns';
  const t = text.toLowerCase();
  if (t === 'ns' || t === 'us' || t === 'ms' || t === 's') return t;
  if (v1) {
    if (t === 'n') return 'ns';
    if (t === 'u' || t === 'µ') return 'us';
    if (t === 'm' || t === 'h') return t;
  }
  return undefined;
}

/** Milliseconds since the epoch of a timestamp in `precision` (sub-millisecond digits truncated toward -∞). */
export function timestampToMs(ts: bigint, precision: Precision): number {
  const ns = ts * NS_PER[precision];
  let ms = ns / 1_000_000n;
  if (ns < 0n && ns % 1_000_000n !== 0n) ms -= 1n;
  return Number(ms);
}

const NL = 10;
const SPACE = 32;
const TAB = 9;
const COMMA = 44;
const EQUAL = 61;
const QUOTE = 34;
const BACKSLASH = 92;
const HASH = 35;
const CR = 13;

const INT64_MAX = 9_223_372_036_854_775_807n;
const INT64_MIN = -9_223_372_036_854_775_808n;
const UINT64_MAX = 18_446_744_073_709_551_615n;

class LineSyntaxError extends Error {}

/**
 * Parses a whole body. Every good line reaches `onPoint`; every bad one `onError` with its
 * line number and message. Returns the number of non-blank, non-comment lines.
 */
export function parseLineProtocol(text: string, onPoint: (p: Point) => void, onError: (e: LineError) => void): number {
  const s = text;
  const n = s.length;
  let i = 0;
  let line = 1;
  let lines = 0;
  while (i < n) {
    // Skip blank lines and leading whitespace.
    let c = s.charCodeAt(i);
    if (c === NL) {
      i++;
      line++;
      continue;
    }
    if (c === SPACE || c === TAB || c === CR) {
      i++;
      continue;
    }
    if (c === HASH) {
      while (i < n && s.charCodeAt(i) !== NL) i++;
      continue;
    }
    lines++;
    const start = i;
    const parser = new LineParser(s, i);
    try {
      const point = parser.point();
      i = parser.i;
      // Lines inside quoted strings were consumed too.
      for (let k = start; k < i; k++) if (s.charCodeAt(k) === NL) line++;
      onPoint(point);
    } catch (err) {
      if (!(err instanceof LineSyntaxError)) throw err;
      let end = s.indexOf('\n', start);
      if (end < 0) end = n;
      const shown = s.slice(start, Math.min(end, start + 256)).replace(/\r$/, '');
      onError({ line, message: `unable to parse '${shown}${end - start > 256 ? '…' : ''}': ${err.message}` });
      i = end;
    }
    c = s.charCodeAt(i);
    if (i < n && c === NL) {
      i++;
      line++;
    }
  }
  return lines;
}

class LineParser {
  constructor(
    private readonly s: string,
    public i: number,
  ) {}

  point(): Point {
    const measurement = this.token(false);
    if (measurement === '') throw new LineSyntaxError('missing measurement');
    const tags: string[] = [];
    while (this.s.charCodeAt(this.i) === COMMA) {
      this.i++;
      const key = this.token(true);
      if (key === '') throw new LineSyntaxError('missing tag key');
      if (this.s.charCodeAt(this.i) !== EQUAL) throw new LineSyntaxError('missing tag value');
      this.i++;
      const value = this.token(true);
      if (value === '') throw new LineSyntaxError('missing tag value');
      tags.push(key, value);
    }
    if (!this.blank()) throw new LineSyntaxError(this.atEnd() ? 'missing fields' : 'invalid tag format');
    const fields: Array<[string, FieldValue]> = [];
    for (;;) {
      const key = this.token(true);
      if (key === '') throw new LineSyntaxError(this.atEnd() ? 'missing fields' : 'missing field key');
      if (this.s.charCodeAt(this.i) !== EQUAL) throw new LineSyntaxError('missing field value');
      this.i++;
      fields.push([key, this.fieldValue()]);
      if (this.s.charCodeAt(this.i) === COMMA) {
        this.i++;
        continue;
      }
      break;
    }
    let timestamp: bigint | undefined;
    if (this.blank() && !this.atEnd()) {
      const start = this.i;
      while (!this.atEnd() && !this.isSpace(this.s.charCodeAt(this.i))) this.i++;
      const text = this.s.slice(start, this.i);
      if (!/^-?\d{1,19}$/.test(text)) throw new LineSyntaxError(`bad timestamp`);
      timestamp = BigInt(text);
      if (timestamp > INT64_MAX || timestamp < INT64_MIN) throw new LineSyntaxError('bad timestamp');
      this.blank();
    }
    if (!this.atEnd()) throw new LineSyntaxError(timestamp === undefined ? 'invalid field format' : 'bad timestamp');
    return { measurement, tags, fields, timestamp };
  }

  /** True when at end of line (or body). */
  private atEnd(): boolean {
    return this.i >= this.s.length || this.s.charCodeAt(this.i) === NL || (this.s.charCodeAt(this.i) === CR && (this.i + 1 >= this.s.length || this.s.charCodeAt(this.i + 1) === NL));
  }

  private isSpace(c: number): boolean {
    return c === SPACE || c === TAB;
  }

  /** Skips spaces; true when there was at least one. */
  private blank(): boolean {
    const start = this.i;
    while (this.i < this.s.length && this.isSpace(this.s.charCodeAt(this.i))) this.i++;
    if (this.s.charCodeAt(this.i) === CR && this.atEnd()) this.i++;
    return this.i > start;
  }

  /**
   * A measurement, tag key/value or field key: up to an unescaped space, comma (or '=' when
   * `stopAtEqual`). Returns it unescaped.
   */
  private token(stopAtEqual: boolean): string {
    const s = this.s;
    const start = this.i;
    let hasEscape = false;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === BACKSLASH && this.i + 1 < s.length && s.charCodeAt(this.i + 1) !== NL) {
        hasEscape = true;
        this.i += 2;
        continue;
      }
      if (c === SPACE || c === TAB || c === COMMA || c === NL || (stopAtEqual && c === EQUAL)) break;
      this.i++;
    }
    const raw = s.slice(start, this.i);
    if (!hasEscape) return raw;
    return raw.replace(stopAtEqual ? /\\([, =])/g : /\\([, ])/g, '$1');
  }

  private fieldValue(): FieldValue {
    const s = this.s;
    if (s.charCodeAt(this.i) === QUOTE) {
      let out = '';
      let j = this.i + 1;
      let segment = j;
      for (;;) {
        if (j >= s.length) throw new LineSyntaxError('unbalanced quotes');
        const c = s.charCodeAt(j);
        if (c === BACKSLASH && j + 1 < s.length && (s.charCodeAt(j + 1) === QUOTE || s.charCodeAt(j + 1) === BACKSLASH)) {
          out += s.slice(segment, j) + s[j + 1];
          j += 2;
          segment = j;
          continue;
        }
        if (c === QUOTE) break;
        j++;
      }
      out += s.slice(segment, j);
      this.i = j + 1;
      return { type: 'string', value: out };
    }
    const start = this.i;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === SPACE || c === TAB || c === COMMA || c === NL || c === CR) break;
      this.i++;
    }
    const text = s.slice(start, this.i);
    if (text === '') throw new LineSyntaxError('missing field value');
    switch (text) {
      case 't':
      case 'T':
      case 'true':
      case 'True':
      case 'TRUE':
        return { type: 'boolean', value: true };
      case 'f':
      case 'F':
      case 'false':
      case 'False':
      case 'FALSE':
        return { type: 'boolean', value: false };
    }
    const last = text.charCodeAt(text.length - 1);
    if (last === 105 /* i */) {
      const digits = text.slice(0, -1);
      if (!/^[-+]?\d+$/.test(digits)) throw new LineSyntaxError(`invalid integer: ${JSON.stringify(text)}`);
      const v = BigInt(digits);
      if (v > INT64_MAX || v < INT64_MIN) throw new LineSyntaxError(`unable to parse integer ${digits}: value out of range`);
      return { type: 'integer', value: Number(v) };
    }
    if (last === 117 /* u */) {
      const digits = text.slice(0, -1);
      if (!/^\+?\d+$/.test(digits)) throw new LineSyntaxError(`invalid unsigned integer: ${JSON.stringify(text)}`);
      const v = BigInt(digits);
      if (v > UINT64_MAX) throw new LineSyntaxError(`unable to parse unsigned ${digits}: value out of range`);
      return { type: 'unsigned', value: Number(v) };
    }
    if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new LineSyntaxError(`invalid number: ${JSON.stringify(text)}`);
    const v = Number(text);
    if (!Number.isFinite(v)) throw new LineSyntaxError(`invalid number: ${JSON.stringify(text)} is out of range`);
    return { type: 'float', value: v };
  }
}
