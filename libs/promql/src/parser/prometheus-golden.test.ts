import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exprToParseQueryJson, formatExpr, parsePromQL, prettifyExpr, PromQLParseError } from '#pharos/promql';

/**
 * Every query of the fixture was sent to a real Prometheus 3.16 (`format_query` and
 * `parse_query`); our parser must give the same text, the same tree, or the same error.
 */
interface GoldenCase {
  readonly q: string;
  readonly prom: { readonly error: string } | { readonly format: string; readonly json: unknown };
}

function readFixture(name: string): GoldenCase[] {
  return (JSON.parse(readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8')) as { cases: GoldenCase[] }).cases;
}

/**
 * `prometheus-3.16-precedence.json` (written by `testdata/record-precedence.mjs`) pairs every two
 * binary operators with postfix modifiers and signs on the operands: lezer-promql binds those
 * modifiers looser than any operator, Prometheus tighter, so the tree must be rebuilt.
 */
const fixture = { cases: [...readFixture('prometheus-3.16-parser.json'), ...readFixture('prometheus-3.16-precedence.json')] };

/** Where Pharos differs on purpose or for a reason outside the parser; each says why. */
const DEVIATIONS: Readonly<Record<string, string>> = {
  'holt_winters(foo[5m], 0.1, 0.2)': 'Pharos keeps holt_winters as an alias of double_exponential_smoothing',
  'holt_winters(foo, 1, 2)': 'same alias: Pharos type-checks it instead of calling it unknown',
  offset: 'keywords used as metric names are not in lezer-promql’s grammar',
  '  offset 5m[5m]': 'keywords used as metric names are not in lezer-promql’s grammar',
  // The AST folds duration arithmetic to milliseconds: same values, printed folded.
  'foo[5m + 1m]': 'duration expressions are folded',
  'foo[5m * 2]': 'duration expressions are folded',
  'foo[(5m)]': 'duration expressions are folded',
  'foo[max_of(5m, 1h)]': 'duration expressions are folded',
  'foo offset (5m)': 'duration expressions are folded',
  'foo offset -(5m)': 'duration expressions are folded',
  'foo offset min_of(5m, 1h)': 'duration expressions are folded',
  'foo[-(5m)]': 'a computed range ≤ 0 is refused while parsing, where Prometheus refuses it when evaluating',
  'foo[10m - 15m]': 'a computed range ≤ 0 is refused while parsing, where Prometheus refuses it when evaluating',
  'foo[5m:step()]': 'step() and range() need an AST node for unevaluated durations',
  'foo[step()]': 'step() and range() need an AST node for unevaluated durations',
  'foo offset step()': 'step() and range() need an AST node for unevaluated durations',
  'x offset 0.0001': 'offsets are whole milliseconds in the AST; Prometheus keeps 100µs and prints it as 0s',
};

function sortMatchers(json: unknown): unknown {
  if (Array.isArray(json)) return json.map(sortMatchers);
  if (json === null || typeof json !== 'object') return json;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(json)) {
    out[k] = k === 'matchers' ? [...(v as { name: string; type: string; value: string }[])].sort((a, b) => (`${a.name}\0${a.type}\0${a.value}` < `${b.name}\0${b.type}\0${b.value}` ? -1 : 1)) : sortMatchers(v);
  }
  return out;
}

/** Printed forms that do not parse back, in Prometheus as here: a sub-millisecond range prints as `0s`. */
const NO_ROUND_TRIP = new Set(['x[0.0005]']);

describe('parsePromQL against Prometheus 3.16', () => {
  const cases = fixture.cases.filter((c) => DEVIATIONS[c.q] === undefined);
  const failures = cases.filter((c) => 'error' in c.prom);
  const successes = cases.filter((c) => !('error' in c.prom));

  it('has a broad fixture', () => {
    expect(failures.length).toBeGreaterThan(80);
    expect(successes.length).toBeGreaterThan(250);
  });

  it.each(successes.map((c) => [c.q, c.prom] as const))('%s', (q, prom) => {
    const expr = parsePromQL(q);
    const expected = prom as { format: string; json: unknown };
    expect(prettifyExpr(expr)).toBe(expected.format);
    expect(exprToParseQueryJson(expr)).toEqual(expected.json);
    // Key order too: the API can send our tree as is.
    expect(JSON.stringify(exprToParseQueryJson(expr))).toBe(JSON.stringify(expected.json));
    // Round trip: the printed form parses back to the same tree (the printer sorts matchers).
    if (NO_ROUND_TRIP.has(q)) return;
    const again = parsePromQL(formatExpr(expr));
    expect(sortMatchers(exprToParseQueryJson(again))).toEqual(sortMatchers(exprToParseQueryJson(expr)));
    expect(formatExpr(again)).toBe(formatExpr(expr));
  });

  it.each(failures.map((c) => [c.q, (c.prom as { error: string }).error] as const))('refuses %s', (q, message) => {
    let caught: unknown;
    try {
      parsePromQL(q);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PromQLParseError);
    expect((caught as Error).message).toBe(message);
  });

  it('lists only deviations that still differ', () => {
    for (const q of Object.keys(DEVIATIONS)) {
      const c = fixture.cases.find((x) => x.q === q);
      expect(c, q).toBeDefined();
      let ours: string;
      try {
        ours = prettifyExpr(parsePromQL(q));
      } catch (err) {
        ours = (err as Error).message;
      }
      const theirs = 'error' in c!.prom ? c!.prom.error : c!.prom.format;
      expect(ours, q).not.toBe(theirs);
    }
  });
});
