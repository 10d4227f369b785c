import { describe, expect, it } from 'vitest';
import { exprToParseQueryJson, formatExpr, parsePromQL, PromQLParseError, type BinaryExpr, type Call, type Expr } from '#pharos/promql';

/**
 * Syntax of Prometheus 3's extended range selectors (`anchored`, `smoothed`; always on since
 * 3.16) and of the experimental binop fill modifiers (behind `binopFillModifiers`, as
 * `EnableBinopFillModifiers` in Prometheus), with the checks of Prometheus' grammar actions
 * (`setAnchored`, `setSmoothed`, `newBinaryExpression`, `checkAST`) and its printer.
 */

const withFill = { binopFillModifiers: true } as const;

function errorOf(q: string, options = withFill): string {
  try {
    parsePromQL(q, options);
  } catch (e) {
    if (e instanceof PromQLParseError) return e.message;
    throw e;
  }
  throw new Error(`${q} parsed`);
}

function binary(e: Expr): BinaryExpr {
  if (e.kind !== 'BinaryExpr') throw new Error(`not a binary expression: ${e.kind}`);
  return e;
}

describe('anchored and smoothed', () => {
  it('mark the selector of a range, also after offset and @', () => {
    const call = parsePromQL('rate(x[5m] anchored offset 1m)') as Call;
    const arg = call.args[0]!;
    expect(arg.kind).toBe('MatrixSelector');
    if (arg.kind !== 'MatrixSelector') return;
    expect(arg.vector.anchored).toBe(true);
    expect(arg.vector.smoothed).toBeUndefined();
    expect(arg.vector.offsetMs).toBe(60_000);
    expect(formatExpr(call)).toBe('rate(x[5m] anchored offset 1m)');
  });

  it('bind to the operand they follow, tighter than any operator', () => {
    const e = binary(parsePromQL('a offset -100 smoothed + 0'));
    expect(e.lhs.kind === 'VectorSelector' && e.lhs.smoothed).toBe(true);
    expect(formatExpr(e)).toBe('a smoothed offset -1m40s + 0');
    expect(formatExpr(parsePromQL('a @ 100 smoothed'))).toBe('a @ 100.000 smoothed');
    expect(formatExpr(parsePromQL('x[5m] smoothed @ 100'))).toBe('x[5m] smoothed @ 100.000');
  });

  it('print where Prometheus prints them and parse back to the same tree', () => {
    for (const q of ['increase(x[1m] anchored)', 'delta(x{a="b"}[1m] smoothed @ 30.000 offset 5s)', 'x smoothed', 'x anchored']) {
      const e = parsePromQL(q);
      expect(formatExpr(e)).toBe(q);
      expect(exprToParseQueryJson(parsePromQL(formatExpr(e)))).toEqual(exprToParseQueryJson(e));
    }
  });

  it('appear in the parse_query tree', () => {
    expect(exprToParseQueryJson(parsePromQL('x[1m] anchored'))).toMatchObject({ type: 'matrixSelector', anchored: true, smoothed: false });
    expect(exprToParseQueryJson(parsePromQL('x smoothed'))).toMatchObject({ type: 'vectorSelector', anchored: false, smoothed: true });
  });

  it('are refused where Prometheus refuses them', () => {
    expect(errorOf('x[5m] anchored smoothed')).toBe('1:1: parse error: anchored and smoothed modifiers cannot be used together');
    expect(errorOf('x smoothed anchored')).toBe('1:1: parse error: anchored and smoothed modifiers cannot be used together');
    expect(errorOf('x[5m:1m] anchored')).toBe('1:1: parse error: anchored modifier is not supported for subqueries');
    expect(errorOf('rate(x[5m])[5m:] smoothed')).toBe('1:1: parse error: smoothed modifier is not supported for subqueries');
    expect(errorOf('sum(x) anchored')).toBe('1:1: parse error: anchored modifier not implemented');
    expect(errorOf('1[5m] smoothed')).toBe('1:2: parse error: ranges only allowed for vector selectors');
  });

  it('stay metric and label names where they are not modifiers', () => {
    expect(formatExpr(parsePromQL('anchored{job="a"} + smoothed'))).toBe('anchored{job="a"} + smoothed');
    expect(formatExpr(parsePromQL('sum by (anchored) (x)'))).toBe('sum by (anchored) (x)');
  });
});

describe('fill modifiers', () => {
  it('set the fill value of each side', () => {
    expect(binary(parsePromQL('a + fill(0) b', withFill)).matching?.fill).toEqual({ lhs: 0, rhs: 0 });
    expect(binary(parsePromQL('a + fill_left(-5) b', withFill)).matching?.fill).toEqual({ lhs: -5, rhs: undefined });
    expect(binary(parsePromQL('a + fill_right(1m) b', withFill)).matching?.fill).toEqual({ lhs: undefined, rhs: 60 });
    expect(binary(parsePromQL('a - on(x) group_right fill_right(7) fill_left(5) b', withFill)).matching?.fill).toEqual({ lhs: 5, rhs: 7 });
    const nan = binary(parsePromQL('a + fill(NaN) b', withFill)).matching?.fill;
    expect(Number.isNaN(nan?.lhs) && Number.isNaN(nan?.rhs)).toBe(true);
    expect(binary(parsePromQL('a + b', withFill)).matching?.fill).toBeUndefined();
  });

  it('print as Prometheus prints them (equal values as one fill) and parse back', () => {
    const cases: [string, string][] = [
      ['a + fill(0) b', 'a + fill (0) b'],
      ['a + fill_left(5) fill_right(5) b', 'a + fill (5) b'],
      ['a - on(x) group_left fill_left(-5) fill_right(7) b', 'a - on (x) group_left () fill_left (-5) fill_right (7) b'],
      ['a > bool fill(-Inf) b', 'a > bool fill (-Inf) b'],
      ['a + fill_right(1000000) b', 'a + fill_right (1e+06) b'],
    ];
    for (const [q, printed] of cases) {
      const e = parsePromQL(q, withFill);
      expect(formatExpr(e)).toBe(printed);
      expect(exprToParseQueryJson(parsePromQL(printed, withFill))).toEqual(exprToParseQueryJson(e));
    }
    expect(exprToParseQueryJson(parsePromQL('a + fill_left(3) b', withFill))).toMatchObject({ matching: { fillValues: { lhs: 3, rhs: null } } });
  });

  it('are refused where Prometheus refuses them', () => {
    expect(errorOf('a + fill(0) b', {} as typeof withFill)).toBe('1:1: parse error: binop fill modifiers are experimental and not enabled');
    expect(errorOf('a + fill(0) 1')).toBe('1:1: parse error: filling in missing series only allowed between instant vectors');
    expect(errorOf('a or fill(0) b')).toBe('1:1: parse error: filling in missing series not allowed for set operators');
  });

  it('leave metrics named fill, fill_left and fill_right alone', () => {
    expect(formatExpr(parsePromQL('fill + fill(0) fill_left', withFill))).toBe('fill + fill (0) fill_left');
    expect(binary(parsePromQL('other + fill_right', withFill)).matching?.fill).toBeUndefined();
  });
});
