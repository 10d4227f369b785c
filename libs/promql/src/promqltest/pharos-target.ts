import type { MetricStore } from '#pharos/storage';
import { PromQLEngine } from '../engine/engine.js';
import type { Expr } from '../ast.js';
import { parsePromQL, type ParseOptions } from '../parser/parse.js';
import type { PromQLTestOptions } from './runner.js';

/**
 * Pharos as a promqltest target: the real {@link PromQLEngine} reading the given store, loads
 * appended to that same store, and Pharos' parser for the step-invariance checks. Spread it
 * into {@link runPromQLTestScript}'s options: `runPromQLTestScript(text, { ...pharosPromQLTestTarget(store), name })`.
 *
 * Scripts start at the Unix epoch, so the store must not drop 1970 as past retention.
 */
export function pharosPromQLTestTarget(store: MetricStore): Pick<PromQLTestOptions, 'backend' | 'parse'> {
  // Prometheus' test engine parses with unquoted UTF-8 names and binop fill modifiers enabled
  // (`promqltest.TestParserOpts`).
  const parse = (query: string, options?: ParseOptions): Expr =>
    parsePromQL(query, { ...options, unquotedUTF8Names: true, binopFillModifiers: true });
  const engine = new PromQLEngine({ store, parse });
  return { backend: { append: (batch) => store.append(batch), engine }, parse };
}
