import type { SyntaxNode } from '@lezer/common';
import { compileAnchoredRE2, METRIC_NAME_LABEL, type LabelMatcher, type MatchType } from '#pharos/metric-model';
import type { NumberLiteral, PositionRange, VectorSelector } from '../ast.js';
import { unquoteStringLiteral } from '../string-literal.js';
import { durationLiterals, readNumberToken } from './number-literal.js';
import { PromQLParseError } from './parse-error.js';

const MATCH_OPS: Readonly<Record<string, MatchType>> = { EqlSingle: '=', Neq: '!=', EqlRegex: '=~', NeqRegex: '!~' };

/**
 * Reads the leaves of a lezer-promql tree as Prometheus' grammar actions do: numbers and
 * durations, strings, selectors and their matchers, grouping label lists.
 */
export class LeafReader {
  constructor(private readonly text: string) {}

  error(pos: PositionRange, reason: string): PromQLParseError {
    return PromQLParseError.at(this.text, pos, reason);
  }

  slice(node: SyntaxNode): string {
    return this.text.slice(node.from, node.to);
  }

  signedNumber(node: SyntaxNode): { value: number; duration: boolean } {
    const raw = this.slice(node);
    const sign = raw[0] === '-' ? -1 : 1;
    const body = raw.replace(/^[-+]\s*/, '');
    try {
      const tok = readNumberToken(body);
      return { value: sign * tok.value, duration: tok.duration };
    } catch (err) {
      throw this.error({ start: node.from, end: node.to }, (err as Error).message);
    }
  }

  unquote(node: SyntaxNode): string {
    const raw = this.slice(node);
    try {
      return unquoteStringLiteral(raw);
    } catch (err) {
      throw this.error({ start: node.from, end: node.to }, `error unquoting string ${JSON.stringify(raw)}: ${(err as Error).message}`);
    }
  }

  vectorSelector(node: SyntaxNode): VectorSelector {
    let name: string | undefined;
    const matchers: LabelMatcher[] = [];
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.name === 'Identifier') name = this.slice(child);
      else if (child.name === 'LabelMatchers') {
        for (let m = child.firstChild; m; m = m.nextSibling) {
          if (m.name === 'UnquotedLabelMatcher' || m.name === 'QuotedLabelMatcher') matchers.push(this.matcher(m));
          else if (m.name === 'QuotedLabelName') {
            // A bare quoted name inside braces is a `__name__` matcher (Prometheus 3 UTF-8 syntax).
            matchers.push({ name: METRIC_NAME_LABEL, type: '=', value: this.unquote(m.getChild('StringLiteral')!) });
          }
        }
      }
    }
    // Prometheus appends the matcher for a name written outside the braces last.
    if (name !== undefined) matchers.push({ name: METRIC_NAME_LABEL, type: '=', value: name });
    const vs: VectorSelector = { kind: 'VectorSelector', matchers, offsetMs: 0, pos: { start: node.from, end: node.to } };
    return name === undefined ? vs : { ...vs, name };
  }

  matcher(node: SyntaxNode): LabelMatcher {
    const quoted = node.getChild('QuotedLabelName')?.getChild('StringLiteral');
    const nameNode = node.getChild('LabelName');
    const opNode = node.getChild('MatchOp')?.firstChild;
    const valueNode = node.getChild('StringLiteral');
    const pos = { start: node.from, end: node.to };
    if ((!quoted && !nameNode) || !opNode || !valueNode) throw this.error(pos, `incomplete label matcher ${this.slice(node)}`);
    const name = quoted ? this.unquote(quoted) : this.slice(nameNode!);
    const matcher: LabelMatcher = { name, type: MATCH_OPS[opNode.name]!, value: this.unquote(valueNode) };
    if (matcher.type === '=~' || matcher.type === '!~') {
      // Validated as Go RE2, as Prometheus compiles it (`(?i)` is fine, lookaround is not).
      try {
        compileAnchoredRE2(matcher.value);
      } catch (err) {
        throw this.error(pos, `error parsing regexp: ${(err as Error).message}`);
      }
    }
    return matcher;
  }

  groupingLabels(node: SyntaxNode): string[] {
    const out: string[] = [];
    for (let c = node.firstChild; c; c = c.nextSibling) {
      if (c.name === 'LabelName') {
        const name = this.slice(c);
        // Prometheus' lexer reads these as numbers, which a label list cannot hold.
        const lower = name.toLowerCase();
        if (lower === 'inf' || lower === 'nan') {
          throw this.error({ start: c.from, end: c.to }, `unexpected number ${JSON.stringify(name)} in grouping opts, expected label`);
        }
        out.push(name);
      }
      else if (c.name === 'QuotedLabelName') {
        const s = c.getChild('StringLiteral')!;
        const label = this.unquote(s);
        if (label === '') throw this.error({ start: s.from, end: s.to }, `invalid label name for grouping: ${JSON.stringify(label)}`);
        out.push(label);
      }
    }
    return out;
  }
}

export function markDuration(literal: NumberLiteral, duration: boolean): NumberLiteral {
  if (duration) durationLiterals.add(literal);
  return literal;
}

/** The index-th child of `node` that is an expression. */
export function exprChild(node: SyntaxNode, index: number): SyntaxNode {
  let i = 0;
  for (let c = node.firstChild; c; c = c.nextSibling) {
    if (c.type.is('Expr')) {
      if (i === index) return c;
      i++;
    }
  }
  throw new PromQLParseError(`internal error: ${node.name} has no expression child ${index}`);
}

/**
 * Seconds to milliseconds as Prometheus does: rounded to nanoseconds (time.Duration), then
 * truncated to milliseconds.
 */
export function secondsToMs(seconds: number): number {
  return Math.trunc(Math.round(seconds * 1e9) / 1e6) + 0; // + 0 turns -0 into 0
}

/** Go's `%f`. */
export function goPercentF(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (Math.abs(v) < 1e21) return v.toFixed(6);
  return `${BigInt(v).toString()}.000000`;
}
