import type { SyntaxNode } from '@lezer/common';
import { parser } from '@prometheus-io/lezer-promql';
import { METRIC_NAME_LABEL, type LabelMatcher, type MatchType } from '#pharos/metric-model';
import { unquoteStringLiteral } from './string-literal.js';

/** A PromQL text that is not what was asked for; the message names the position. */
export class PromQLParseError extends Error {
  override readonly name = 'PromQLParseError';
}

const MATCH_OPS: Record<string, MatchType> = { EqlSingle: '=', Neq: '!=', EqlRegex: '=~', NeqRegex: '!~' };

/**
 * Parses a series selector (`up{job="api"}`, `{__name__=~"http_.*"}`, Prometheus 3's
 * `{"my.metric", job="x"}`) into label matchers, as the `match[]` parameter of the series
 * and label APIs takes it. Parsed with Prometheus' own grammar (lezer-promql).
 */
export function parseSeriesSelector(text: string): LabelMatcher[] {
  const tree = parser.parse(text);
  const top = tree.topNode.firstChild;
  const error = findError(tree.topNode);
  if (error) throw new PromQLParseError(`1:${error.from + 1}: parse error: unexpected ${describeAt(text, error.from)}`);
  if (!top || top.name !== 'VectorSelector' || top.nextSibling) {
    throw new PromQLParseError(`expected a series selector such as up{job="api"}, got ${JSON.stringify(text)}`);
  }
  const matchers: LabelMatcher[] = [];
  let name: string | undefined;
  for (let child = top.firstChild; child; child = child.nextSibling) {
    if (child.name === 'Identifier') name = text.slice(child.from, child.to);
    if (child.name === 'LabelMatchers') {
      for (let m = child.firstChild; m; m = m.nextSibling) {
        if (m.name === 'UnquotedLabelMatcher' || m.name === 'QuotedLabelMatcher') matchers.push(readMatcher(text, m));
        else if (m.name === 'QuotedLabelName') {
          // A bare quoted name inside braces is the metric name (Prometheus 3 UTF-8 syntax).
          if (name !== undefined) throw new PromQLParseError(`metric name given twice in ${JSON.stringify(text)}`);
          name = unquote(text, m.getChild('StringLiteral')!);
        }
      }
    }
  }
  if (name !== undefined) matchers.unshift({ name: METRIC_NAME_LABEL, type: '=', value: name });
  if (!matchers.some((m) => !matchesEmpty(m))) {
    throw new PromQLParseError(`vector selector must contain at least one non-empty matcher: ${text}`);
  }
  return matchers;
}

function readMatcher(text: string, node: SyntaxNode): LabelMatcher {
  const nameNode = node.getChild('LabelName') ?? node.getChild('QuotedLabelName')?.getChild('StringLiteral');
  const opNode = node.getChild('MatchOp')?.firstChild;
  const valueNode = node.getChild('StringLiteral');
  if (!nameNode || !opNode || !valueNode) throw new PromQLParseError(`incomplete label matcher ${text.slice(node.from, node.to)}`);
  const name = nameNode.name === 'StringLiteral' ? unquote(text, nameNode) : text.slice(nameNode.from, nameNode.to);
  const matcher: LabelMatcher = { name, type: MATCH_OPS[opNode.name]!, value: unquote(text, valueNode) };
  if (matcher.type === '=~' || matcher.type === '!~') {
    try {
      new RegExp(matcher.value, 'u');
    } catch (err) {
      throw new PromQLParseError(`invalid regular expression in ${text.slice(node.from, node.to)}: ${(err as Error).message}`);
    }
  }
  return matcher;
}

function unquote(text: string, node: SyntaxNode): string {
  try {
    return unquoteStringLiteral(text.slice(node.from, node.to));
  } catch (err) {
    throw new PromQLParseError(`1:${node.from + 1}: ${(err as Error).message}`);
  }
}

/** A matcher that an empty label value satisfies selects everything; Prometheus refuses those alone. */
function matchesEmpty(m: LabelMatcher): boolean {
  switch (m.type) {
    case '=':
      return m.value === '';
    case '!=':
      return m.value !== '';
    case '=~':
      return new RegExp(`^(?:${m.value})$`, 'su').test('');
    case '!~':
      return !new RegExp(`^(?:${m.value})$`, 'su').test('');
  }
}

function findError(node: SyntaxNode): SyntaxNode | undefined {
  if (node.type.isError) return node;
  for (let child = node.firstChild; child; child = child.nextSibling) {
    const found = findError(child);
    if (found) return found;
  }
  return undefined;
}

function describeAt(text: string, pos: number): string {
  return pos >= text.length ? 'end of input' : JSON.stringify(text.slice(pos, pos + 10));
}
