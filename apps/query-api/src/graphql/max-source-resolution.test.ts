import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { BadArgumentError } from './errors.js';
import { sourceResolution } from './metric-query.resolver.js';

describe('rangeQuery(maxSourceResolution)', () => {
  it('takes the REST parameter’s forms, the configured default when absent, and leaves raw out', () => {
    expect(sourceResolution('5m', 0)).toEqual({ maxSourceResolution: 300_000 });
    expect(sourceResolution('3600', 0)).toEqual({ maxSourceResolution: 3_600_000 });
    expect(sourceResolution('auto', 0)).toEqual({ maxSourceResolution: 'auto' });
    expect(sourceResolution('raw', 300_000)).toEqual({});
    expect(sourceResolution('0s', 'auto')).toEqual({});
    expect(sourceResolution(null, 3_600_000)).toEqual({ maxSourceResolution: 3_600_000 });
    expect(sourceResolution(undefined, 'auto')).toEqual({ maxSourceResolution: 'auto' });
    expect(sourceResolution(undefined, 0)).toEqual({});
  });

  it('refuses a bad value naming the argument', () => {
    expect(() => sourceResolution('fast', 0)).toThrow(new BadArgumentError('maxSourceResolution: cannot parse "fast" to a valid duration'));
    expect(() => sourceResolution('-5m', 0)).toThrow(BadArgumentError);
  });
});
