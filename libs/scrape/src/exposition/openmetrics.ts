import type { MetricType } from '#pharos/metric-model';
import { FloatSyntaxError, parseGoFloat } from './float.js';
import { LineScanner } from './line-scanner.js';
import { LabelOffsets, buildLabels, unescapeLabelValue, type EntryKind, type ParsedExemplar } from './parser.js';
import { BRACE_CLOSE, BRACE_OPEN, COMMA, EQUAL, HASH, NL, QUOTE, SPACE, isMetricNameStart, lineEnd, quote, quotedEnd } from './scan.js';

const OM_TYPES: Readonly<Record<string, MetricType>> = {
  counter: 'counter',
  gauge: 'gauge',
  histogram: 'histogram',
  gaugehistogram: 'gaugehistogram',
  summary: 'summary',
  info: 'info',
  stateset: 'stateset',
  unknown: 'unknown',
};

/**
 * OpenMetrics 1.0 text, as strict as Prometheus' parser (openmetricslex.l): single spaces,
 * every line ends in '\n', no blank lines or free comments, `# EOF` last and nothing after
 * it, timestamps in (float) seconds, exemplars after ` # `, `# UNIT` a suffix of the name.
 * `_created` series are ordinary samples, as Prometheus ingests them by default.
 */
export class OpenMetricsParser extends LineScanner {
  private readonly exemplarOffsets = new LabelOffsets();
  private hasExemplar = false;
  private exemplarValue = 0;
  private exemplarTs: number | undefined;
  private done = false;

  constructor(body: string) {
    super(body);
  }

  next(): EntryKind {
    if (this.done) return 'eof';
    const s = this.s;
    this.lineStart = this.i;
    this.hasExemplar = false;
    if (this.i >= s.length) throw this.fail('data does not end with # EOF');
    const c = s.charCodeAt(this.i);
    if (c === HASH) return this.meta();
    if (c === BRACE_OPEN) {
      this.nameStart = -1;
      this.i++;
      this.labelBlock(this.offsets, false);
      if (this.nameStart < 0) throw this.fail(`metric name not set while parsing: ${quote(s.slice(this.lineStart, this.i))}`);
      this.seriesEnd = this.i;
      this.sampleRest();
      return 'series';
    }
    if (isMetricNameStart(c)) {
      this.plainMetricName();
      this.offsets.length = 0;
      this.seriesEnd = this.i;
      if (s.charCodeAt(this.i) === BRACE_OPEN) {
        this.i++;
        this.labelBlock(this.offsets, false);
        this.seriesEnd = this.i;
      }
      this.sampleRest();
      return 'series';
    }
    throw this.unexpected('expected a valid start token');
  }

  seriesText(): string {
    return this.s.slice(this.lineStart, this.seriesEnd);
  }

  exemplar(): ParsedExemplar | undefined {
    if (!this.hasExemplar) return undefined;
    const labels = buildLabels(this.s, undefined, this.exemplarOffsets, 'unknown', () => this.currentLine());
    return { labels, value: this.exemplarValue, timestampMs: this.exemplarTs };
  }

  private meta(): EntryKind {
    const s = this.s;
    const eol = lineEnd(s, this.i);
    if (s.charCodeAt(this.i + 1) !== SPACE) throw this.unexpected('expected a valid start token');
    const k = this.i + 2;
    if (s.startsWith('EOF', k)) {
      let end = k + 3;
      if (s.charCodeAt(end) === NL) end++;
      if (end !== s.length) throw this.fail('unexpected data after # EOF');
      this.i = end;
      this.done = true;
      return 'eof';
    }
    const keyword = s.startsWith('HELP ', k) ? 'HELP' : s.startsWith('TYPE ', k) ? 'TYPE' : s.startsWith('UNIT ', k) ? 'UNIT' : undefined;
    if (!keyword) throw this.unexpected('expected a valid start token');
    this.i = k + 5;
    const c = s.charCodeAt(this.i);
    if (c === QUOTE) {
      const end = quotedEnd(s, this.i, true);
      if (end < 0) throw this.unexpected(`expected metric name after ${keyword}`);
      this.nameStart = this.i + 1;
      this.nameEnd = end - 1;
      this.i = end;
    } else if (isMetricNameStart(c)) {
      this.plainMetricName();
    } else {
      throw this.unexpected(`expected metric name after ${keyword}`);
    }
    if (s.charCodeAt(this.i) !== SPACE || eol >= s.length) throw this.fail(`expected text in ${keyword}`);
    const text = s.slice(this.i + 1, eol);
    this.i = eol + 1;
    if (keyword === 'TYPE') {
      const t = OM_TYPES[text];
      if (!t) throw this.fail(`invalid metric type ${JSON.stringify(text)}`);
      this.metricType = t;
      this.text = text;
      return 'type';
    }
    if (keyword === 'UNIT') {
      const name = s.slice(this.nameStart, this.nameEnd);
      if (text !== '' && (!name.endsWith(text) || name.length < text.length + 1 || name[name.length - text.length - 1] !== '_')) {
        throw this.fail(`unit ${JSON.stringify(text)} not a suffix of metric ${JSON.stringify(name)}`);
      }
      this.text = text;
      return 'unit';
    }
    this.text = text.includes('\\') ? unescapeLabelValue(text, 0, text.length) : text;
    return 'help';
  }

  /** Parses `…}` after the opening brace. OpenMetrics allows no spaces and needs commas between pairs. */
  private labelBlock(offsets: LabelOffsets, isExemplar: boolean): void {
    const s = this.s;
    offsets.length = 0;
    for (;;) {
      const c = s.charCodeAt(this.i);
      if (c === BRACE_CLOSE) {
        this.i++;
        return;
      }
      const quoted = this.labelName();
      const t = s.charCodeAt(this.i);
      if (quoted && (t === COMMA || t === BRACE_CLOSE)) {
        if (isExemplar) throw this.unexpected('expected label name');
        this.labelIsMetricName();
        if (t === COMMA) this.i++;
        continue;
      }
      if (t !== EQUAL) throw this.unexpected('expected equal');
      this.i++;
      if (s.charCodeAt(this.i) !== QUOTE) throw this.unexpected('expected label value');
      const vEnd = quotedEnd(s, this.i, false);
      if (vEnd < 0) throw this.unexpected('expected label value');
      offsets.push(this.labelStart, this.labelEnd, this.i + 1, vEnd - 1);
      this.i = vEnd;
      const after = s.charCodeAt(this.i);
      if (after === COMMA) this.i++;
      else if (after !== BRACE_CLOSE) throw this.unexpected('expected comma or brace close');
    }
  }

  /** ` value[ timestamp][ # {exemplar} value[ timestamp]]\n` */
  private sampleRest(): void {
    this.value = this.spacedFloat('expected value after metric');
    this.hasTimestamp = false;
    const s = this.s;
    if (this.i >= s.length) throw this.fail('data does not end with # EOF');
    if (s.charCodeAt(this.i) === NL) {
      this.i++;
      return;
    }
    if (this.atExemplar()) return this.exemplarRest();
    const ts = this.spacedFloat('expected timestamp or comment');
    if (Number.isNaN(ts) || !Number.isFinite(ts)) throw this.fail(`invalid timestamp ${ts}`);
    this.timestampMs = Math.trunc(ts * 1000);
    this.hasTimestamp = true;
    if (this.i >= s.length) throw this.fail('data does not end with # EOF');
    if (s.charCodeAt(this.i) === NL) {
      this.i++;
      return;
    }
    if (this.atExemplar()) return this.exemplarRest();
    throw this.unexpected('expected next entry after timestamp');
  }

  private atExemplar(): boolean {
    const s = this.s;
    return s.charCodeAt(this.i) === SPACE && s.charCodeAt(this.i + 1) === HASH && s.charCodeAt(this.i + 2) === SPACE && s.charCodeAt(this.i + 3) === BRACE_OPEN;
  }

  private exemplarRest(): void {
    const s = this.s;
    this.i += 4;
    this.labelBlock(this.exemplarOffsets, true);
    this.exemplarValue = this.spacedFloat('expected value after exemplar labels');
    this.exemplarTs = undefined;
    if (this.i >= s.length) throw this.fail('data does not end with # EOF');
    if (s.charCodeAt(this.i) !== NL) {
      if (s.charCodeAt(this.i) !== SPACE) throw this.unexpected('expected timestamp or comment');
      const ts = this.spacedFloat('expected timestamp or comment');
      if (Number.isNaN(ts) || !Number.isFinite(ts)) throw this.fail(`invalid exemplar timestamp ${ts}`);
      this.exemplarTs = Math.trunc(ts * 1000);
      if (this.i >= s.length) throw this.fail('data does not end with # EOF');
      if (s.charCodeAt(this.i) !== NL) throw this.unexpected('expected next entry after exemplar timestamp');
    }
    this.i++;
    this.hasExemplar = true;
  }

  /** A single space then a token of non-space characters, parsed as a Go float. */
  private spacedFloat(expected: string): number {
    const s = this.s;
    if (s.charCodeAt(this.i) !== SPACE) throw this.unexpected(expected);
    const start = this.i + 1;
    let j = start;
    while (j < s.length && s.charCodeAt(j) !== SPACE && s.charCodeAt(j) !== NL) j++;
    if (j === start) throw this.unexpected(expected);
    this.i = j;
    try {
      return parseGoFloat(s, start, j);
    } catch (err) {
      if (err instanceof FloatSyntaxError) throw this.fail(`${err.message} while parsing: ${quote(s.slice(this.lineStart, j))}`);
      throw err;
    }
  }
}
