import type { MetricType } from '#pharos/metric-model';
import { FloatSyntaxError, parseGoFloat } from './float.js';
import { LineScanner } from './line-scanner.js';
import { unescapeHelp, type EntryKind, type ParsedExemplar } from './parser.js';
import { BRACE_CLOSE, BRACE_OPEN, COMMA, EQUAL, HASH, NL, QUOTE, SPACE, TAB, isMetricNameStart, lineEnd, quote, quotedEnd } from './scan.js';

const TEXT_TYPES: Readonly<Record<string, MetricType>> = {
  counter: 'counter',
  gauge: 'gauge',
  histogram: 'histogram',
  summary: 'summary',
  untyped: 'unknown',
};

/**
 * The Prometheus text exposition format 0.0.4, with the leniencies of Prometheus' own lexer
 * (promlex.l): spaces and tabs between tokens, blank lines, free comments, trailing commas,
 * label pairs without a comma between them, UTF-8 names as quoted strings inside the braces.
 * Hand-written scanner: one pass of charCodeAt over the body, no regular expression per line.
 */
export class PromTextParser extends LineScanner {
  private seriesStart = 0;

  constructor(body: string) {
    super(body.length > 0 && body.charCodeAt(body.length - 1) === NL ? body : body + '\n');
  }

  next(): EntryKind {
    const s = this.s;
    const n = s.length;
    for (;;) {
      this.lineStart = this.i;
      this.skipBlanks();
      if (this.i >= n) return 'eof';
      const c = s.charCodeAt(this.i);
      if (c === NL) {
        this.i++;
        continue;
      }
      if (c === HASH) {
        const kind = this.comment();
        if (kind) return kind;
        continue;
      }
      this.seriesStart = this.i;
      if (c === BRACE_OPEN) {
        this.nameStart = -1;
        this.i++;
        this.labelBlock();
        if (this.nameStart < 0) throw this.fail(`metric name not set while parsing: ${quote(s.slice(this.lineStart, this.i))}`);
        this.seriesEnd = this.i;
        this.sampleRest();
        return 'series';
      }
      if (isMetricNameStart(c)) {
        this.plainMetricName();
        this.offsets.length = 0;
        this.seriesEnd = this.nameEnd;
        this.skipBlanks();
        if (s.charCodeAt(this.i) === BRACE_OPEN) {
          this.i++;
          this.labelBlock();
          this.seriesEnd = this.i;
        }
        this.sampleRest();
        return 'series';
      }
      throw this.unexpected('expected a valid start token');
    }
  }

  seriesText(): string {
    return this.s.slice(this.seriesStart, this.seriesEnd);
  }

  exemplar(): ParsedExemplar | undefined {
    return undefined;
  }

  private skipBlanks(): void {
    const s = this.s;
    let c = s.charCodeAt(this.i);
    while (c === SPACE || c === TAB) c = s.charCodeAt(++this.i);
  }

  /** A `#` line: HELP or TYPE metadata, or a comment (skipped). */
  private comment(): EntryKind | undefined {
    const s = this.s;
    const eol = lineEnd(s, this.i);
    let k = this.i + 1;
    const afterHash = s.charCodeAt(k);
    if (afterHash === SPACE || afterHash === TAB) {
      while (s.charCodeAt(k) === SPACE || s.charCodeAt(k) === TAB) k++;
      const keyword = s.startsWith('HELP', k) ? 'help' : s.startsWith('TYPE', k) ? 'type' : undefined;
      const sep = s.charCodeAt(k + 4);
      if (keyword && (sep === SPACE || sep === TAB)) {
        this.i = k + 4;
        this.skipBlanks();
        this.metaName(keyword === 'help' ? 'HELP' : 'TYPE', eol);
        const rest = s.slice(this.nameEnd + (this.nameQuoted ? 1 : 0), eol);
        const text = rest.length > 1 ? rest.slice(1) : '';
        this.i = eol + 1;
        if (keyword === 'type') {
          const t = TEXT_TYPES[text];
          if (!t) throw this.fail(`invalid metric type ${JSON.stringify(text)}`);
          this.metricType = t;
          this.text = text;
          return 'type';
        }
        this.text = unescapeHelp(text);
        return 'help';
      }
    }
    this.i = eol + 1;
    return undefined;
  }

  private metaName(keyword: string, eol: number): void {
    const s = this.s;
    const c = s.charCodeAt(this.i);
    if (c === QUOTE) {
      const end = quotedEnd(s, this.i, true);
      if (end < 0 || end > eol) throw this.unexpected(`expected metric name after ${keyword}`);
      this.nameStart = this.i + 1;
      this.nameEnd = end - 1;
      this.nameQuoted = true;
      return;
    }
    if (!isMetricNameStart(c)) throw this.unexpected(`expected metric name after ${keyword}`);
    this.plainMetricName();
  }

  /** Parses `…}` after the opening brace, recording label offsets (and a quoted metric name). */
  private labelBlock(): void {
    const s = this.s;
    this.offsets.length = 0;
    for (;;) {
      this.skipBlanks();
      const c = s.charCodeAt(this.i);
      if (c === BRACE_CLOSE) {
        this.i++;
        return;
      }
      const quoted = this.labelName();
      this.skipBlanks();
      const t = s.charCodeAt(this.i);
      if (quoted && (t === COMMA || t === BRACE_CLOSE)) {
        this.labelIsMetricName();
        if (t === COMMA) this.i++;
        continue;
      }
      if (t !== EQUAL) throw this.unexpected('expected equal');
      this.i++;
      this.skipBlanks();
      if (s.charCodeAt(this.i) !== QUOTE) throw this.unexpected('expected label value');
      const vEnd = quotedEnd(s, this.i, true);
      if (vEnd < 0) throw this.unexpected('expected label value');
      this.offsets.push(this.labelStart, this.labelEnd, this.i + 1, vEnd - 1);
      this.i = vEnd;
      this.skipBlanks();
      if (s.charCodeAt(this.i) === COMMA) this.i++;
    }
  }

  /** Value and optional timestamp after the series, up to the end of the line. */
  private sampleRest(): void {
    const s = this.s;
    this.skipBlanks();
    const vs = this.i;
    let c = s.charCodeAt(this.i);
    while (c !== SPACE && c !== TAB && c !== NL && c !== BRACE_OPEN && this.i < s.length) c = s.charCodeAt(++this.i);
    if (this.i === vs) throw this.unexpected('expected value after metric');
    try {
      this.value = parseGoFloat(s, vs, this.i);
    } catch (err) {
      if (err instanceof FloatSyntaxError) throw this.fail(`${err.message} while parsing: ${quote(s.slice(this.lineStart, this.i))}`);
      throw err;
    }
    this.hasTimestamp = false;
    this.skipBlanks();
    c = s.charCodeAt(this.i);
    if (c === NL) {
      this.i++;
      return;
    }
    if (c < 48 || c > 57) throw this.unexpected('expected timestamp or new record');
    const ts = this.i;
    while (s.charCodeAt(this.i) >= 48 && s.charCodeAt(this.i) <= 57) this.i++;
    const digits = s.slice(ts, this.i);
    const t = Number(digits);
    if (digits.length > 19 || t > 9_223_372_036_854_775_807) {
      throw this.fail(`strconv.ParseInt: parsing ${JSON.stringify(digits)}: value out of range while parsing: ${quote(s.slice(this.lineStart, this.i))}`);
    }
    this.timestampMs = t;
    this.hasTimestamp = true;
    this.skipBlanks();
    if (s.charCodeAt(this.i) !== NL) throw this.unexpected('expected next entry after timestamp');
    this.i++;
  }
}
