import { describe, expect, it } from 'vitest';
import { formatExpr, parsePromQL, PromQLParseError, type Expr } from '#pharos/promql';

const utf8 = { unquotedUTF8Names: true } as const;

/**
 * The tree without positions, the `name` recorded for a name written outside the braces, and
 * the order of matchers (the name matcher comes last when written outside): what must be equal
 * between the unquoted and the quoted spelling.
 */
function shape(expr: Expr): string {
  return JSON.stringify(expr, function (this: unknown, k: string, v: unknown) {
    if (k === 'pos' || (k === 'name' && this !== null && typeof this === 'object' && 'matchers' in this)) return undefined;
    if (k === 'matchers' && Array.isArray(v)) return [...(v as { name: string }[])].sort((a, b) => a.name.localeCompare(b.name));
    return v;
  });
}

describe('unquoted UTF-8 names (promql-unquoted-utf8-names)', () => {
  it('reads dotted and Unicode names as their quoted spelling', () => {
    const pairs: [string, string][] = [
      ['http.server.requests{service.name="api"}', '{"http.server.requests", "service.name"="api"}'],
      ['温度{場所="東京"}', '{"温度", "場所"="東京"}'],
      ['sum by (service.name) (http.server.requests)', 'sum by ("service.name") ({"http.server.requests"})'],
      ['a * on (service.name) group_left (équipe) b', 'a * on ("service.name") group_left ("équipe") b'],
      ['max_over_time(x.y{k.l=~"w.*"}[2m])', 'max_over_time({"x.y", "k.l"=~"w.*"}[2m])'],
    ];
    for (const [unquoted, quoted] of pairs) {
      expect(shape(parsePromQL(unquoted, utf8))).toBe(shape(parsePromQL(quoted, utf8)));
    }
  });

  it('keeps the exact name: dots anywhere after the first character, words that are keywords elsewhere', () => {
    for (const name of ['foo..bar.', 'histogram.count', 'bool.total', 'rate.total', 'Inf.total', 'а', 'Björn']) {
      const e = parsePromQL(name, utf8);
      expect(e.kind).toBe('VectorSelector');
      expect(e.kind === 'VectorSelector' && e.name).toBe(name);
    }
    const sum = parsePromQL('Inf.total + Inf', utf8);
    expect(sum.kind === 'BinaryExpr' && sum.rhs.kind).toBe('NumberLiteral');
  });

  it('keeps positions in the original text', () => {
    const e = parsePromQL('温度 + rate(x.y[5m])', utf8);
    expect(e.kind === 'BinaryExpr' && e.rhs.pos).toEqual({ start: 5, end: 18 });
  });

  it('is off by default, with the error Prometheus gives then', () => {
    expect(() => parsePromQL('http.server.requests')).toThrow(PromQLParseError);
    expect(() => parsePromQL('Björn')).toThrow("unexpected character: 'ö'");
  });

  it('does not let a name start with a dot or a digit', () => {
    expect(() => parsePromQL('.foo', utf8)).toThrow(PromQLParseError);
    // Prometheus prints a name written outside the braces as written.
    expect(formatExpr(parsePromQL('foo.1', utf8))).toBe('foo.1');
  });
});
