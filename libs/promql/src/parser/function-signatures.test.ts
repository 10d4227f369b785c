import { describe, expect, it } from 'vitest';
import { AGGREGATOR_SIGNATURES, FUNCTION_SIGNATURES, getFunctionSignature, parsePromQL } from '#pharos/promql';

describe('FUNCTION_SIGNATURES', () => {
  it('holds the functions of Prometheus 3.16 and the holt_winters alias', () => {
    expect(FUNCTION_SIGNATURES.size).toBe(92);
    expect(getFunctionSignature('rate')).toEqual({ name: 'rate', argTypes: ['matrix'], variadic: 0, returnType: 'vector', experimental: false });
    expect(getFunctionSignature('label_join')).toMatchObject({ variadic: -1 });
    expect(getFunctionSignature('nope')).toBeUndefined();
  });

  it('flags what Prometheus gates behind promql-experimental-functions', () => {
    const experimental = [...FUNCTION_SIGNATURES.values()].filter((s) => s.experimental && !s.aliasOf).map((s) => s.name).sort();
    expect(experimental).toEqual([
      'double_exponential_smoothing', 'end', 'histogram_quantiles', 'info', 'integral', 'mad_over_time', 'max_of', 'min_of', 'range',
      'sort_by_label', 'sort_by_label_desc', 'start', 'start_timestamp', 'step', 'ts_of_first_over_time', 'ts_of_last_over_time',
      'ts_of_max_over_time', 'ts_of_min_over_time',
    ]);
    expect(AGGREGATOR_SIGNATURES.get('limitk')).toMatchObject({ experimental: true, paramType: 'scalar' });
    expect(AGGREGATOR_SIGNATURES.get('count_values')).toMatchObject({ experimental: false, paramType: 'string' });
  });

  it('aliases point at a function with the same signature', () => {
    for (const sig of FUNCTION_SIGNATURES.values()) {
      if (!sig.aliasOf) continue;
      const target = getFunctionSignature(sig.aliasOf)!;
      expect(target).toBeDefined();
      expect(target.argTypes).toEqual(sig.argTypes);
      expect(target.returnType).toBe(sig.returnType);
    }
  });

  it('the parser accepts a well-typed call of every function', () => {
    const argFor = { vector: 'x', matrix: 'x[5m]', scalar: '1', string: '"a"', none: '' } as const;
    for (const sig of FUNCTION_SIGNATURES.values()) {
      // info's second argument selects info metrics by labels only.
      const args = sig.argTypes.map((t, i) => (sig.name === 'info' && i === 1 ? '{job="a"}' : argFor[t]));
      const call = `${sig.name}(${args.join(', ')})`;
      expect(parsePromQL(call), call).toMatchObject({ kind: 'Call', func: sig.name, args: expect.any(Array) });
    }
  });
});
