import type { MetricType } from '#pharos/metric-model';
import { ExpositionError, LabelOffsets, buildLabels, unescapeLabelValue, type EntryKind, type ExpositionParser, type ParsedExemplar } from './parser.js';
import { QUOTE, isLabelNameChar, isLabelNameStart, isMetricNameChar, lineEnd, quote, quotedEnd } from './scan.js';

/**
 * What the text-format and OpenMetrics lexers share: the body and cursor, the current line,
 * where the series' name and labels are, the accessors built from them, the name and label
 * scanning steps, and Prometheus' error wording. Each lexer keeps its own line grammar,
 * because what they tolerate between tokens (blanks, commas, comments) is what differs.
 */
export abstract class LineScanner implements ExpositionParser {
  protected readonly s: string;
  protected i = 0;
  protected lineStart = 0;
  protected nameStart = 0;
  protected nameEnd = 0;
  protected nameQuoted = false;
  protected seriesEnd = 0;
  protected readonly offsets = new LabelOffsets();
  /** HELP text, TYPE or UNIT of the current metadata entry. */
  protected text = '';
  /** Where the label name scanned by {@link labelName} is. */
  protected labelStart = 0;
  protected labelEnd = 0;
  value = 0;
  hasTimestamp = false;
  timestampMs = 0;
  metricType: MetricType = 'unknown';

  protected constructor(body: string) {
    this.s = body;
  }

  abstract next(): EntryKind;
  abstract seriesText(): string;
  abstract exemplar(): ParsedExemplar | undefined;

  labels(): string[] {
    const name = this.nameQuoted ? unescapeLabelValue(this.s, this.nameStart, this.nameEnd) : this.s.slice(this.nameStart, this.nameEnd);
    return buildLabels(this.s, name, this.offsets, this.metricType, () => this.currentLine());
  }

  familyName(): string {
    return this.s.slice(this.nameStart, this.nameEnd);
  }

  metaText(): string {
    return this.text;
  }

  protected currentLine(): string {
    return this.s.slice(this.lineStart, lineEnd(this.s, this.lineStart));
  }

  /** An unquoted metric name at the cursor (its first character already checked). */
  protected plainMetricName(): void {
    this.nameStart = this.i;
    while (isMetricNameChar(this.s.charCodeAt(this.i))) this.i++;
    this.nameEnd = this.i;
    this.nameQuoted = false;
  }

  /**
   * A label name at the cursor, plain or quoted (UTF-8), into [labelStart, labelEnd).
   * Returns whether it was quoted: a quoted string alone may be the metric name instead.
   */
  protected labelName(): boolean {
    const s = this.s;
    const c = s.charCodeAt(this.i);
    if (isLabelNameStart(c)) {
      this.labelStart = this.i;
      while (isLabelNameChar(s.charCodeAt(this.i))) this.i++;
      this.labelEnd = this.i;
      return false;
    }
    if (c === QUOTE) {
      const end = quotedEnd(s, this.i, true);
      if (end < 0) throw this.unexpected('expected label name');
      this.labelStart = this.i + 1;
      this.labelEnd = end - 1;
      this.i = end;
      return true;
    }
    throw this.unexpected('expected label name');
  }

  /** The quoted string just scanned by {@link labelName} names the metric (`{"my.metric", a="b"}`). */
  protected labelIsMetricName(): void {
    if (this.nameStart !== -1) throw this.fail(`metric name already set while parsing: ${quote(this.s.slice(this.lineStart, this.i))}`);
    this.nameStart = this.labelStart;
    this.nameEnd = this.labelEnd;
    this.nameQuoted = true;
  }

  protected unexpected(expected: string): ExpositionError {
    const s = this.s;
    const got = this.i < s.length ? s[this.i]! : 'EOF';
    return this.fail(`${expected}, got ${JSON.stringify(got)} while parsing: ${quote(s.slice(this.lineStart, Math.min(s.length, this.i + 1)))}`);
  }

  protected fail(message: string): ExpositionError {
    return new ExpositionError(message);
  }
}
