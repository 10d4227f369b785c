import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exprToParseQueryJson, formatExpr, parsePromQL, PromQLParseError } from '#pharos/promql';

const metric = fc.constantFrom('up', 'http_requests_total', 'job:rate5m', 'a', 'sum_x');
const label = fc.constantFrom('job', 'instance', 'le', 'a_b');
const value = fc.string({ maxLength: 6 });
const matcher = fc
  .tuple(label, fc.constantFrom('=', '!=', '=~', '!~'), fc.constantFrom('api', 'x.*', 'a\\"b', 'é', ''), value)
  .map(([l, op, v]) => `${l}${op}"${v}"`);
const selector = fc
  .tuple(metric, fc.array(matcher, { maxLength: 3 }))
  .map(([m, ms]) => (ms.length > 0 ? `${m}{${ms.join(', ')}}` : m));
const duration = fc.constantFrom('5m', '1h30m', '30s', '1500ms', '2d', '1w', '90');
const offset = fc.option(fc.constantFrom(' offset 5m', ' offset -1h', ' @ 1700000000', ' @ start()', ' @ end() offset 1m'), { nil: '' });
const number = fc.oneof(
  fc.integer({ min: 0, max: 1000 }).map(String),
  fc.double({ min: 0, max: 1e6, noNaN: true }).map((d) => String(d)),
  fc.constantFrom('0x1f', '1e3', 'Inf', 'NaN', '.5', '5m'),
);

const { scalar, vector } = fc.letrec<{ scalar: string; vector: string }>((tie) => ({
  scalar: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    number,
    fc.constant('time()'),
    fc.tuple(tie('scalar'), fc.constantFrom('+', '-', '*', '/', '%', '^', 'atan2'), tie('scalar')).map(([a, op, b]) => `(${a}) ${op} (${b})`),
    fc.tuple(tie('scalar'), fc.constantFrom('==', '>', '<='), tie('scalar')).map(([a, op, b]) => `(${a}) ${op} bool (${b})`),
    tie('scalar').map((s) => `(${s})`),
    tie('scalar').map((s) => `-${s}`),
    tie('vector').map((v) => `scalar(${v})`),
  ),
  vector: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(selector, offset).map(([s, o]) => s + o),
    fc.tuple(fc.constantFrom('rate', 'increase', 'avg_over_time', 'last_over_time'), selector, duration, offset).map(
      ([f, s, d, o]) => `${f}(${s}[${d}]${o})`,
    ),
    fc.tuple(fc.constantFrom('sum', 'avg', 'max', 'count', 'group'), fc.constantFrom('', ' by (job)', ' without (a_b, le)'), tie('vector')).map(
      ([op, g, v]) => `${op}${g} (${v})`,
    ),
    fc.tuple(fc.constantFrom('topk', 'quantile', 'limitk'), tie('scalar'), tie('vector')).map(([op, p, v]) => `${op}(${p}, ${v})`),
    fc.tuple(tie('vector'), fc.constantFrom('+', '/', '>', '== bool', 'and', 'or', 'unless', '^'), fc.constantFrom('', ' on (job)', ' ignoring (a_b)'), tie('vector')).map(
      ([a, op, m, b]) => `(${a}) ${op}${m} (${b})`,
    ),
    fc.tuple(tie('vector'), fc.constantFrom('*', '-'), fc.constantFrom(' on (job) group_left ()', ' ignoring (le) group_right (a_b)'), tie('vector')).map(
      ([a, op, m, b]) => `(${a}) ${op}${m} (${b})`,
    ),
    fc.tuple(tie('vector'), fc.constantFrom('*', '>', '-'), tie('scalar')).map(([v, op, s]) => `(${v}) ${op} (${s})`),
    fc.tuple(tie('scalar'), fc.constantFrom('+', '<'), tie('vector')).map(([s, op, v]) => `(${s}) ${op} (${v})`),
    tie('vector').map((v) => `(${v})`),
    tie('vector').map((v) => `-${v}`),
    tie('vector').map((v) => `abs(${v})`),
    fc.tuple(tie('vector'), duration, fc.constantFrom('', '1m'), offset).map(([v, r, s, o]) => `max_over_time((${v})[${r}:${s}]${o})`),
    fc.tuple(tie('vector'), fc.constantFrom('"x"', "'y'", '`z`')).map(([v, s]) => `label_replace(${v}, ${s}, "$1", "job", "(.*)")`),
    tie('scalar').map((s) => `vector(${s})`),
  ),
}));

/** The tree without matcher order, which the printer sorts. */
function normalized(q: string): unknown {
  return JSON.parse(JSON.stringify(exprToParseQueryJson(parsePromQL(q))), (k, v: unknown) =>
    k === 'matchers' ? [...(v as { name: string; type: string; value: string }[])].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)) : v,
  );
}

describe('round trips', () => {
  it('parses every generated well-typed expression; printing and reparsing gives the same tree', () => {
    fc.assert(
      fc.property(fc.oneof(vector, scalar), (q) => {
        const printed = formatExpr(parsePromQL(q));
        expect(normalized(printed)).toEqual(normalized(q));
        expect(formatExpr(parsePromQL(printed))).toBe(printed);
      }),
      { numRuns: 400 },
    );
  });

  it('refuses any text it cannot parse with a PromQLParseError, never a crash', () => {
    const alphabet = fc.constantFrom(...'ab(){}[]:,"\'`=~!<>+-*/%^@ 0159.emshdwy#\n\\'.split(''), 'sum', 'by', 'offset', 'rate', 'on', 'bool', 'Inf');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 20 }).map((a) => a.join('')), (q) => {
        try {
          parsePromQL(q);
        } catch (err) {
          expect(err).toBeInstanceOf(PromQLParseError);
          expect((err as Error).message).toMatch(/^(\d+:\d+|unknown position): parse error: \S/);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
