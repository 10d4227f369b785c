import { describe, expect, it } from 'vitest';
import {
  type Labels,
  type MetricBatch,
  type NativeHistogram,
  MetricBatchBuilder,
  MetricBatchCodecError,
  SERIES_REF_WORDS,
  UNRESOLVED_LABELS,
  compressEncodedBatch,
  decodeMetricBatch,
  encodeMetricBatch,
  labelsFromRecord,
  seriesRef,
  seriesRefHex,
  seriesRefsOf,
} from '#pharos/metric-model';

const histogram: NativeHistogram = {
  isInteger: true,
  schema: 3,
  zeroThreshold: 1e-128,
  zeroCount: 1,
  count: 3,
  sum: 7.5,
  positiveSpans: new Int32Array([0, 2]),
  positiveCounts: new Float64Array([1, 1]),
  negativeSpans: new Int32Array(0),
  negativeCounts: new Float64Array(0),
  resetHint: 0,
  customValues: new Float64Array(0),
};

/** Three series: two float series, one histogram series with an exemplar on series 1. */
function batch(tenant = 't1'): MetricBatch {
  const b = new MetricBatchBuilder(tenant);
  b.addSeries(labelsFromRecord({ __name__: 'a', host: 'h1' }));
  b.addSample(1000, 1);
  b.addSample(2000, 2);
  b.addSeries(labelsFromRecord({ __name__: 'b', host: 'h1' }));
  b.addSample(1000, 10);
  b.addSeries(labelsFromRecord({ __name__: 'h', host: 'h2' }));
  b.addHistogram(2, 1500, histogram);
  b.addExemplar({ seriesIndex: 1, labels: ['trace_id', 'x'], timestamp: 1000, value: 10 });
  b.addMetadata({ metricFamilyName: 'a', type: 'counter', help: 'A.', unit: '' });
  return b.build();
}

/** A resolver over a fixed set of series, as a store's index would be. */
function resolverOf(tenant: string, series: readonly Labels[]) {
  const known = new Map(series.map((l) => [seriesRefHex(seriesRef(tenant, l), 0), l]));
  return (t: string, refs: Uint32Array, at: number): Labels | undefined => (t === tenant ? known.get(seriesRefHex(refs, at)) : undefined);
}

describe('series refs', () => {
  it('are 128-bit content hashes of tenant and labels', () => {
    const a = labelsFromRecord({ __name__: 'up', job: 'x' });
    expect(seriesRef('t', a)).toEqual(seriesRef('t', labelsFromRecord({ job: 'x', __name__: 'up' })));
    expect(seriesRef('t', a)).not.toEqual(seriesRef('u', a));
    // No separator can be forged: ["ab","c"] and ["a","bc"] differ.
    expect(seriesRef('t', ['ab', 'c'])).not.toEqual(seriesRef('t', ['a', 'bc']));
    expect(seriesRef('t', a)).toHaveLength(SERIES_REF_WORDS);
    expect(seriesRefHex(seriesRef('t', a), 0)).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('batch codec version 2 (series refs)', () => {
  it('round-trips refs and labels, and leaves out the labels it is told to', () => {
    const b = batch();
    const refs = seriesRefsOf(b.tenant, b.series);
    const full = decodeMetricBatch(encodeMetricBatch(b, { refs }));
    expect(full.series).toEqual(b.series);
    expect(Array.from(full.seriesRefs!)).toEqual(Array.from(refs));

    const omit = Uint8Array.from([1, 0, 1]);
    const bytes = encodeMetricBatch(b, { refs, omitLabels: omit });
    expect(bytes.length).toBeLessThan(encodeMetricBatch(b, { refs }).length);
    // Without a resolver the left-out series are placeholders, and nothing else changes.
    const bare = decodeMetricBatch(bytes, { interner: null });
    expect(bare.series[0]).toBe(UNRESOLVED_LABELS);
    expect(bare.series[1]).toEqual(b.series[1]);
    expect(bare.series[2]).toBe(UNRESOLVED_LABELS);
    expect(Array.from(bare.values)).toEqual([1, 2, 10]);
    // With one, the batch is the original.
    const resolved = decodeMetricBatch(bytes, { resolve: resolverOf(b.tenant, b.series) });
    expect(resolved.series).toEqual(b.series);
    expect(resolved.histograms[0]!.seriesIndex).toBe(2);
    expect(resolved.exemplars[0]!.labels).toEqual(['trace_id', 'x']);
    // Another tenant's resolver knows none of them.
    expect(decodeMetricBatch(bytes, { resolve: resolverOf('other', b.series) }).series[0]).toBe(UNRESOLVED_LABELS);
  });

  it('reports the definitions it carried and prefers the resolver when it knows a series', () => {
    const b = batch();
    const refs = seriesRefsOf(b.tenant, b.series);
    const defined: string[] = [];
    const onlyFirst = resolverOf(b.tenant, [b.series[0]!]);
    const decoded = decodeMetricBatch(compressEncodedBatch(encodeMetricBatch(b, { refs })), {
      resolve: onlyFirst,
      onDefinition: (tenant, r, at, labels) => {
        expect(seriesRefHex(r, at)).toBe(seriesRefHex(seriesRef(tenant, labels), 0));
        defined.push(labels[1]!);
      },
    });
    // The resolver's own array is returned for the series it knows; the others are definitions.
    expect(decoded.series[0]).toBe(b.series[0]);
    expect(defined).toEqual(['b', 'h']);
  });

  it('encodes a subset of series with their sections re-indexed, and metadata on request', () => {
    const b = batch();
    const refs = seriesRefsOf(b.tenant, b.series);
    const part = decodeMetricBatch(encodeMetricBatch(b, { series: Uint32Array.from([2, 1]), refs, metadata: false }));
    expect(part.series).toEqual([b.series[2], b.series[1]]);
    expect(Array.from(part.sampleOffsets)).toEqual([0, 0, 1]);
    expect(Array.from(part.values)).toEqual([10]);
    expect(part.histograms.map((h) => h.seriesIndex)).toEqual([0]);
    expect(part.exemplars.map((e) => e.seriesIndex)).toEqual([1]);
    expect(part.metadata).toEqual([]);
    expect(Array.from(part.seriesRefs!)).toEqual([...refs.subarray(8, 12), ...refs.subarray(4, 8)]);
    const other = decodeMetricBatch(encodeMetricBatch(b, { series: Uint32Array.from([0]) }));
    expect(other.seriesRefs).toBeUndefined();
    expect(Array.from(other.timestamps)).toEqual([1000, 2000]);
    expect(other.histograms).toEqual([]);
    expect(other.metadata).toHaveLength(1);
  });

  it('refuses what it could not encode faithfully', () => {
    const b = batch();
    expect(() => encodeMetricBatch(b, { omitLabels: new Uint8Array(3) })).toThrow(/series refs/);
    const empty = new MetricBatchBuilder('t');
    empty.addSeries([]);
    empty.addSample(1, 1);
    const e = empty.build();
    // Version 1 carries an empty label set; version 2 cannot, since empty means "left out".
    expect(decodeMetricBatch(encodeMetricBatch(e)).series[0]).toEqual([]);
    expect(() => encodeMetricBatch(e, { refs: seriesRefsOf('t', e.series) })).toThrow(/no labels/);
    expect(() => encodeMetricBatch(b, { series: Uint32Array.from([3]) })).toThrow(RangeError);
  });

  it('decodes a record at any byte offset to the same columns and refs, in its own memory or the caller\'s', () => {
    const b = batch();
    // Three series: the offsets column (4 words) leaves the refs column behind 4 bytes of padding.
    const bytes = encodeMetricBatch(b, { refs: seriesRefsOf(b.tenant, b.series) });
    const aligned = decodeMetricBatch(bytes, { interner: null });
    const columns = (x: MetricBatch): unknown => [[...x.timestamps], [...x.values], [...x.sampleOffsets], [...x.seriesRefs!], x.series];
    for (let shift = 1; shift < 8; shift++) {
      const shifted = new Uint8Array(bytes.length + shift);
      shifted.set(bytes, shift);
      const input = shifted.subarray(shift);
      const own = decodeMetricBatch(input, { interner: null });
      expect(columns(own)).toEqual(columns(aligned));
      const block = new Uint8Array(1024);
      const lent = decodeMetricBatch(input, { interner: null, columnMemory: (n) => block.subarray(8 * shift, 8 * shift + n) });
      expect(lent.seriesRefs!.buffer).toBe(block.buffer);
      expect(columns(lent)).toEqual(columns(aligned));
    }
  });

  it('rejects every truncation of a version 2 record with a codec error', () => {
    const b = batch();
    const bytes = encodeMetricBatch(b, { refs: seriesRefsOf(b.tenant, b.series), omitLabels: Uint8Array.from([1, 0, 0]) });
    expect(bytes[4]).toBe(2);
    for (let len = 0; len < bytes.length; len++) {
      expect(() => decodeMetricBatch(bytes.subarray(0, len))).toThrow(MetricBatchCodecError);
    }
  });
});
