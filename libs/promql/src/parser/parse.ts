import { parser } from '@prometheus-io/lezer-promql';
import type { Expr } from '../ast.js';
import { LezerToAst } from './lezer-to-ast.js';
import { PromQLParseError } from './parse-error.js';
import { prepareForLezer, syntaxError } from './syntax-errors.js';
import { typeCheck } from './type-check.js';
import type { QueryTimes } from './duration-expr.js';

export interface ParseOptions {
  /** The step (0 for an instant query) and `end - start` of the query being evaluated. */
  readonly queryTimes?: QueryTimes;
  /**
   * Accept names with Unicode letters and dots unquoted (`http.server.requests{service.name="api"}`),
   * as Prometheus does with `--enable-feature=promql-unquoted-utf8-names`. Off by default, as there.
   */
  readonly unquotedUTF8Names?: boolean;
  /**
   * Accept the binary-operator fill modifiers `fill(v)`, `fill_left(v)`, `fill_right(v)`, as
   * Prometheus does with `--enable-feature=promql-binop-fill-modifiers` (its parser option
   * `EnableBinopFillModifiers`). Off by default, as there. (`anchored`/`smoothed` range
   * selectors need no option: Prometheus 3.16 always accepts them.)
   */
  readonly binopFillModifiers?: boolean;
}

/**
 * Parses a PromQL expression into our AST, with Prometheus 3's syntax and type rules
 * (`promql/parser`), and throws `PromQLParseError` with Prometheus' message otherwise.
 *
 * The syntax is read with Prometheus' own lezer grammar (`@prometheus-io/lezer-promql`);
 * what that grammar leaves to the Go parser (number and duration syntax, modifiers on the
 * right nodes, type rules) is checked here.
 *
 * Durations are folded into the tree. `step()` and `range()` in durations (Prometheus 3's
 * `promql-duration-expr`) need the query's step and range, `options.queryTimes`: the engine
 * parses with them; without them such a query is refused with a clear error.
 */
export function parsePromQL(text: string, options?: ParseOptions): Expr {
  const prepared = prepareForLezer(text, { unquotedUTF8Names: options?.unquotedUTF8Names === true });
  const tree = parser.parse(prepared.text);
  const top = tree.topNode.firstChild;
  const problem = syntaxError(text, prepared, tree.topNode);
  if (problem) throw problem;
  if (!top) throw new PromQLParseError('1:1: parse error: no expression found in input', { start: 0, end: 0 }, 'no expression found in input');
  const converter = new LezerToAst(text, prepared.functionNames, options?.queryTimes, options?.binopFillModifiers === true);
  const expr = converter.expr(top);
  typeCheck(expr, text, converter.notes);
  return expr;
}
