import { describe, expect, it } from 'vitest';
import { formatExpr, parsePromQL, PromQLParseError, type BinaryExpr, type Expr } from '#pharos/promql';

/** The tree without positions, for comparing shapes. */
function shape(expr: Expr): unknown {
  return JSON.parse(JSON.stringify(expr, (k, v: unknown) => (k === 'pos' ? undefined : v)));
}

function errorOf(q: string): PromQLParseError {
  try {
    parsePromQL(q);
  } catch (err) {
    if (err instanceof PromQLParseError) return err;
    throw err;
  }
  throw new Error(`expected ${q} to be refused`);
}

describe('parsePromQL builds the AST', () => {
  it('a selector with every matcher type, the name matcher last as in Prometheus', () => {
    expect(parsePromQL('up{job="api",instance!="a",path=~"/v1/.*",code!~"5.."}')).toEqual({
      kind: 'VectorSelector',
      name: 'up',
      matchers: [
        { name: 'job', type: '=', value: 'api' },
        { name: 'instance', type: '!=', value: 'a' },
        { name: 'path', type: '=~', value: '/v1/.*' },
        { name: 'code', type: '!~', value: '5..' },
        { name: '__name__', type: '=', value: 'up' },
      ],
      offsetMs: 0,
      pos: { start: 0, end: 54 },
    });
  });

  it('a quoted UTF-8 metric name inside braces is a matcher, not a name (as Prometheus)', () => {
    expect(shape(parsePromQL('{"my.metric", "service.name"=\'a\\tb\'}'))).toEqual({
      kind: 'VectorSelector',
      matchers: [
        { name: '__name__', type: '=', value: 'my.metric' },
        { name: 'service.name', type: '=', value: 'a\tb' },
      ],
      offsetMs: 0,
    });
  });

  it('a range function call over a matrix selector with offset and @', () => {
    const e = parsePromQL('rate(http_requests_total[5m] offset -1h30m @ 1700000000.5)');
    expect(shape(e)).toEqual({
      kind: 'Call',
      func: 'rate',
      args: [
        {
          kind: 'MatrixSelector',
          rangeMs: 300_000,
          vector: {
            kind: 'VectorSelector',
            name: 'http_requests_total',
            matchers: [{ name: '__name__', type: '=', value: 'http_requests_total' }],
            offsetMs: -5_400_000,
            at: { kind: 'timestamp', ms: 1_700_000_000_500 },
          },
        },
      ],
    });
  });

  it('subqueries with and without step, with @ start() and offset', () => {
    expect(shape(parsePromQL('max_over_time(rate(x[1m])[1h:] @ end() offset 5m)'))).toMatchObject({
      args: [{ kind: 'SubqueryExpr', rangeMs: 3_600_000, stepMs: 0, offsetMs: 300_000, at: { kind: 'end' } }],
    });
    expect(shape(parsePromQL('x[30m:30s]'))).toMatchObject({ kind: 'SubqueryExpr', rangeMs: 1_800_000, stepMs: 30_000 });
  });

  it('aggregations with the modifier before or after, and parameters', () => {
    const before = shape(parsePromQL('sum by (job) (x)'));
    expect(shape(parsePromQL('sum(x) by (job)'))).toEqual(before);
    expect(before).toMatchObject({ kind: 'AggregateExpr', op: 'sum', grouping: ['job'], without: false });
    expect(shape(parsePromQL('topk without (a) (3, x)'))).toMatchObject({ op: 'topk', param: { kind: 'NumberLiteral', value: 3 }, without: true });
    expect(shape(parsePromQL('count_values("v", x)'))).toMatchObject({ param: { kind: 'StringLiteral', value: 'v' } });
    expect(shape(parsePromQL('limit_ratio(0.5, x)'))).toMatchObject({ op: 'limit_ratio', param: { value: 0.5 } });
  });

  it('vector matching only between two instant vectors; set operators are many-to-many', () => {
    const m = parsePromQL('a / on (x) group_left (y) b') as BinaryExpr;
    expect(m.matching).toEqual({ card: 'many-to-one', on: true, labels: ['x'], include: ['y'] });
    expect((parsePromQL('a - ignoring (x) group_right b') as BinaryExpr).matching).toEqual({
      card: 'one-to-many',
      on: false,
      labels: ['x'],
      include: [],
    });
    expect((parsePromQL('a and b') as BinaryExpr).matching?.card).toBe('many-to-many');
    expect((parsePromQL('a + 1') as BinaryExpr).matching).toBeUndefined();
    expect((parsePromQL('a > bool 1') as BinaryExpr).returnBool).toBe(true);
  });

  it('numbers as Prometheus reads them', () => {
    const value = (q: string): number => (parsePromQL(q) as { value: number }).value;
    expect(value('0x1f')).toBe(31);
    expect(value('010')).toBe(8); // Go's ParseInt with base 0: octal
    expect(value('1_000')).toBe(1000);
    expect(value('1e3')).toBe(1000);
    expect(value('.5')).toBe(0.5);
    expect(value('5.')).toBe(5);
    expect(value('Inf')).toBe(Infinity);
    expect(value('-inf')).toBe(-Infinity);
    expect(value('NaN')).toBeNaN();
    expect(value('1h30m')).toBe(5400); // a duration used as a number is its seconds
    expect(value('- 2')).toBe(-2);
  });

  it('keeps character positions of nodes', () => {
    const e = parsePromQL('sum(rate(x[5m])) + 1') as BinaryExpr;
    expect(e.pos).toEqual({ start: 0, end: 20 });
    expect(e.lhs.pos).toEqual({ start: 0, end: 16 });
    expect(e.rhs.pos).toEqual({ start: 19, end: 20 });
  });

  it('skips comments and accepts whitespace and newlines anywhere', () => {
    expect(formatExpr(parsePromQL('sum( # total\n  rate(x[5m])\n) by (job) # done'))).toBe('sum by (job) (rate(x[5m]))');
  });
});

describe('precedence and associativity as Prometheus', () => {
  const cases: [string, string][] = [
    ['-2^2', '-(2 ^ 2)'],
    ['2^3^2', '2 ^ (3 ^ 2)'],
    ['2 ^ -1 ^ 2', '2 ^ -(1 ^ 2)'],
    ['-a^2', '-(a ^ 2)'],
    ['-a * b', '-a * b'],
    ['a - b - c', '(a - b) - c'],
    ['a / b * c % d', '((a / b) * c) % d'],
    ['a + b * c', 'a + (b * c)'],
    ['a * b atan2 c', '(a * b) atan2 c'],
    ['a + b > c - d', '(a + b) > (c - d)'],
    ['a > b and c < d', '(a > b) and (c < d)'],
    ['a or b and c unless d', 'a or ((b and c) unless d)'],
    ['a == b != c', '(a == b) != c'],
  ];
  it.each(cases)('%s reads as %s', (q, explicit) => {
    const strip = (e: unknown): unknown =>
      JSON.parse(JSON.stringify(e, (k, v: unknown) => (k === 'pos' ? undefined : v)), (_k, v: { kind?: string; expr?: unknown }) =>
        v && typeof v === 'object' && v.kind === 'ParenExpr' ? v.expr : v,
      );
    expect(strip(parsePromQL(q))).toEqual(strip(parsePromQL(explicit)));
  });

  it('modifiers belong to the operand just before them, not to the whole expression', () => {
    const sum = parsePromQL('a + b offset 5m') as BinaryExpr;
    expect(sum.lhs).toMatchObject({ kind: 'VectorSelector', offsetMs: 0 });
    expect(sum.rhs).toMatchObject({ kind: 'VectorSelector', offsetMs: 300_000 });
    const at = parsePromQL('a * b @ 10') as BinaryExpr;
    expect(at.rhs).toMatchObject({ at: { kind: 'timestamp', ms: 10_000 } });
    expect(parsePromQL('-a offset 1m')).toMatchObject({ kind: 'UnaryExpr', expr: { kind: 'VectorSelector', offsetMs: 60_000 } });
    expect(errorOf('-a[5m]').message).toBe(
      '1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got "range vector"',
    );
  });
});

describe('errors name the problem and its position as Prometheus does', () => {
  const cases: [string, string][] = [
    ['', 'unknown position: parse error: no expression found in input'],
    ['foo(1)', '1:1: parse error: unknown function with name "foo"'],
    ['rate(x)', '1:6: parse error: expected type range vector in call to function "rate", got instant vector'],
    ['rate(x[5m], 1)', '1:1: parse error: expected 1 argument(s) in call to "rate", got 2'],
    ['round()', '1:1: parse error: expected at least 1 argument(s) in call to "round", got 0'],
    ['round(x, 1, 2)', '1:1: parse error: expected at most 2 argument(s) in call to "round", got 3'],
    ['topk(x, 3)', '1:9: parse error: expected type instant vector in aggregation expression, got scalar'],
    ['topk(x, y)', '1:6: parse error: expected type scalar in aggregation parameter, got instant vector'],
    ['sum(x[5m])', '1:5: parse error: expected type instant vector in aggregation expression, got range vector'],
    ['a and 1', '1:1: parse error: set operator "and" not allowed in binary scalar expression'],
    ['a + bool b', '1:3: parse error: bool modifier can only be used on comparison operators'],
    ['1 > 2', '1:3: parse error: comparisons between scalars must use BOOL modifier'],
    ['1 + on(a) b', '1:1: parse error: vector matching only allowed between instant vectors'],
    ['a + on(b) group_left(b) c', '1:3: parse error: label "b" must not occur in ON and GROUP clause at once'],
    ['a and on(b) group_left c', '1:1: parse error: no grouping allowed for "and" operation'],
    ['{a=""}', '1:1: parse error: vector selector must contain at least one non-empty matcher'],
    ['foo{__name__="bar"}', '1:1: parse error: metric name must not be set twice: "foo" or "bar"'],
    ['1 offset 5m', '1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery'],
    ['foo offset 1m offset 2m', '1:1: parse error: offset may not be set multiple times'],
    ['foo @ 1 @ 2', '1:1: parse error: @ <timestamp> may not be set multiple times'],
    ['foo @ Inf', '1:1: parse error: timestamp out of bounds for @ modifier: +Inf'],
    ['sum(x)[5m]', '1:7: parse error: ranges only allowed for vector selectors'],
    ['foo offset 5m [5m]', '1:15: parse error: no offset modifiers allowed before range'],
    ['foo[0]', '1:5: parse error: duration must be greater than 0'],
    ['x[5m][5m:]', '1:1: parse error: subquery is only allowed on instant vector, got matrix instead'],
    ['sum(a, b)', '1:1: parse error: wrong number of arguments for aggregate expression provided, expected 1, got 2'],
    ['rate(x[5m],)', '1:11: parse error: trailing commas not allowed in function call args'],
    ['sum(x) by', '1:10: parse error: unexpected end of input in grouping opts, expected "("'],
    ['foo offset', '1:11: parse error: unexpected end of input in offset, expected number, duration, step(), or range()'],
    ['sum(', '1:5: parse error: unclosed left parenthesis'],
    ['"abc', '1:1: parse error: unterminated quoted string'],
    ['{a="\\q"}', "1:4: parse error: unknown escape sequence U+0071 'q'"],
    ['1.5h', '1:1: parse error: unknown unit "." in duration "1.5h"'],
    ['1e400', '1:1: parse error: error parsing number: strconv.ParseFloat: parsing "1e400": value out of range'],
    ['a +\n  b{c=}', '2:7: parse error: unexpected "}" in label matching, expected string'],
    ['"é" + x{a="b"', '1:15: parse error: unexpected end of input inside braces'], // columns count UTF-8 bytes
  ];
  it.each(cases)('%j', (q, message) => {
    const err = errorOf(q);
    expect(err.message).toBe(message);
    expect(err.reason).toBe(message.replace(/^[^:]+(:\d+)?: parse error: /, ''));
  });

  it('steps the evaluator cannot take yet are refused, not guessed', () => {
    expect(errorOf('foo[step()]').message).toMatch(/step\(\) in durations is not supported/);
    expect(errorOf('a + on(x) fill(0) b').message).toBe('1:1: parse error: binop fill modifiers are experimental and not enabled');
  });
});
