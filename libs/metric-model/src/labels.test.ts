import { describe, expect, it } from 'vitest';
import { labelsFromRecord, labelsFromSeriesKey, seriesKey, sortLabelsInPlace } from '#pharos/metric-model';

describe('labels', () => {
  it('sorts by name and drops empty values', () => {
    expect(labelsFromRecord({ b: '2', a: '1', c: '' })).toEqual(['a', '1', 'b', '2']);
  });
  it('round-trips through the series key', () => {
    const l = labelsFromRecord({ __name__: 'up', job: 'x', instance: 'h:1' });
    expect(labelsFromSeriesKey(seriesKey(l))).toEqual(l);
  });
  it('sorts flat arrays in place', () => {
    expect(sortLabelsInPlace(['z', '1', 'a', '2', 'm', '3'])).toEqual(['a', '2', 'm', '3', 'z', '1']);
  });
});
