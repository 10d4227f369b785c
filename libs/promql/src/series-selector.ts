import { parser } from '@prometheus-io/lezer-promql';
import { compileMatcher, METRIC_NAME_LABEL, type LabelMatcher } from '#pharos/metric-model';
import { LezerToAst } from './parser/lezer-to-ast.js';
import { PromQLParseError } from './parser/parse-error.js';
import { prepareForLezer, syntaxError } from './parser/syntax-errors.js';

export { PromQLParseError };

/**
 * Parses a series selector (`up{job="api"}`, `{__name__=~"http_.*"}`, Prometheus 3's
 * `{"my.metric", job="x"}`) into label matchers, as the `match[]` parameter of the series
 * and label APIs takes it. Same grammar and checks as `parsePromQL`; the metric name matcher
 * comes first.
 */
export function parseSeriesSelector(text: string): LabelMatcher[] {
  const prepared = prepareForLezer(text);
  const tree = parser.parse(prepared.text);
  const problem = syntaxError(text, prepared, tree.topNode);
  if (problem) throw problem;
  const top = tree.topNode.firstChild;
  if (!top || top.name !== 'VectorSelector' || top.nextSibling) {
    throw new PromQLParseError(`expected a series selector such as up{job="api"}, got ${JSON.stringify(text)}`);
  }
  const selector = new LezerToAst(text, prepared.functionNames).expr(top);
  if (selector.kind !== 'VectorSelector') throw new PromQLParseError(`expected a series selector, got ${JSON.stringify(text)}`);
  const names = selector.matchers.filter((m) => m.name === METRIC_NAME_LABEL && m.type === '=');
  if (selector.name !== undefined && names.length > 1) {
    throw PromQLParseError.at(text, selector.pos, `metric name must not be set twice: ${JSON.stringify(selector.name)} or ${JSON.stringify(names[0]!.value)}`);
  }
  if (selector.matchers.every((m) => compileMatcher(m)(''))) {
    throw PromQLParseError.at(text, selector.pos, `vector selector must contain at least one non-empty matcher: ${text}`);
  }
  const matchers = [...selector.matchers];
  if (selector.name !== undefined) matchers.unshift(matchers.pop()!);
  return matchers;
}
