import type { Expr, ParseOptions } from '#pharos/promql';

const DEFAULT_ENTRIES = 512;

/**
 * The parsed expression of recent query texts, so that a dashboard refresh (the same texts
 * every few seconds, and for the result cache's tail evaluation once more) does not run the
 * lezer parser and the type checks each time: about a tenth of a cached refresh's CPU.
 * Parse options are part of the key (the query's step and range fold into the tree). Expressions are
 * never mutated by the engine, so one tree serves every evaluation; errors are not kept.
 */
export class ParsedQueryMemo {
  private readonly entries = new Map<string, Expr>();

  constructor(
    private readonly parse: (query: string, options?: ParseOptions) => Expr,
    private readonly maxEntries = DEFAULT_ENTRIES,
  ) {}

  get(query: string, options?: ParseOptions): Expr {
    // Every option is part of the key, including ones added later (the options are plain data).
    const key = `${options === undefined ? '' : JSON.stringify(options)}\u0000${query}`;
    let expr = this.entries.get(key);
    if (expr !== undefined) {
      // Most recently used last.
      this.entries.delete(key);
    } else {
      expr = this.parse(query, options);
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(key, expr);
    return expr;
  }
}
