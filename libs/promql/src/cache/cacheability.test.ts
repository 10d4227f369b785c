import { describe, expect, it } from 'vitest';
import { parsePromQL } from '../parser/parse.js';
import { analyzeForCache } from './cacheability.js';

describe('analyzeForCache with extended range selectors', () => {
  it('does not cache smoothed selectors per step: they read past the step by the lookback delta', () => {
    expect(analyzeForCache(parsePromQL('rate(x[5m] smoothed)')).perStep).toBe(false);
    expect(analyzeForCache(parsePromQL('sum(x smoothed)')).perStep).toBe(false);
  });

  it('caches anchored selectors, which read only backwards', () => {
    expect(analyzeForCache(parsePromQL('increase(x[5m] anchored)'))).toEqual({ perStep: true, forwardMs: 0 });
    expect(analyzeForCache(parsePromQL('increase(x[5m] anchored offset -1m)'))).toEqual({ perStep: true, forwardMs: 60_000 });
  });
});
