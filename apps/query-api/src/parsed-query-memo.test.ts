import { describe, expect, it } from 'vitest';
import { parsePromQL, type Expr, type ParseOptions } from '#pharos/promql';
import { ParsedQueryMemo } from './parsed-query-memo.js';

describe('ParsedQueryMemo', () => {
  const counting = () => {
    const calls: string[] = [];
    const parse = (q: string, o?: ParseOptions): Expr => {
      calls.push(q);
      return parsePromQL(q, o);
    };
    return { calls, parse };
  };

  it('parses a text once per set of options and returns the same tree', () => {
    const { calls, parse } = counting();
    const memo = new ParsedQueryMemo(parse);
    const a = memo.get('rate(x[5m])', { queryTimes: { stepMs: 60_000, rangeMs: 3_600_000 } });
    expect(memo.get('rate(x[5m])', { queryTimes: { stepMs: 60_000, rangeMs: 3_600_000 } })).toBe(a);
    expect(calls).toHaveLength(1);
    // Other options are another tree: `step()` in a duration folds to the step.
    const q = 'rate(x[step()*2])';
    const short = memo.get(q, { queryTimes: { stepMs: 60_000, rangeMs: 0 } });
    const long = memo.get(q, { queryTimes: { stepMs: 120_000, rangeMs: 0 } });
    expect(short).not.toBe(long);
    expect(JSON.stringify(short)).not.toBe(JSON.stringify(long));
    expect(calls).toHaveLength(3);
  });

  it('does not keep errors and forgets the least recently used text', () => {
    const { calls, parse } = counting();
    const memo = new ParsedQueryMemo(parse, 2);
    expect(() => memo.get('sum(')).toThrow();
    expect(() => memo.get('sum(')).toThrow();
    expect(calls).toHaveLength(2);
    memo.get('a');
    memo.get('b');
    memo.get('a');
    memo.get('c'); // evicts b
    memo.get('a');
    memo.get('b');
    expect(calls).toEqual(['sum(', 'sum(', 'a', 'b', 'c', 'b']);
  });
});
