import type { WireReader } from '#pharos/protowire';
import { readAttributeFields } from './attributes.js';
import { Scratch } from './buckets.js';

/**
 * One data point as the decoders hand it to the translator. A single instance is reused for
 * every point of a request (the decoders fill it, the translator reads it), so decoding
 * allocates no object per point; only the fields of the point's kind are meaningful.
 */
export class PointScratch {
  /**
   * Attribute key/value strings, flat: `[k0, v0, k1, v1, …]` (values already `AsString`).
   * Complete only after {@link decodeAttributes} when {@link attrWire} is set.
   */
  readonly attrs: string[] = [];
  /**
   * Set by the protobuf walker when the point's attribute fields form one run of bytes,
   * `attrWire[attrStart, attrEnd)`, left undecoded: a series seen before is recognised by
   * these bytes alone, so decoding its attributes would be wasted work.
   */
  attrWire: Buffer | undefined;
  attrStart = 0;
  attrEnd = 0;
  private attrReader: WireReader | undefined;
  /** Some attribute fields were decoded as they were read: no run of bytes can key the point. */
  private attrsDecoded = false;
  /** A problem found while decoding the point (e.g. invalid UTF-8); the point is rejected. */
  problem: string | undefined;
  startMs = 0;
  timeMs = 0;
  flags = 0;

  /** Number points: the value (`as_int` converted to a float). */
  value = 0;

  /** Histogram, exponential histogram, summary. */
  count = 0;
  sum = 0;
  hasSum = false;

  /** Explicit-bucket histograms. */
  readonly bucketCounts = new Scratch(new Float64Array(32));
  readonly bounds = new Scratch(new Float64Array(32));

  /** Exponential histograms. */
  scale = 0;
  zeroCount = 0;
  zeroThreshold = 0;
  positiveOffset = 0;
  readonly positiveCounts = new Scratch(new Float64Array(64));
  negativeOffset = 0;
  readonly negativeCounts = new Scratch(new Float64Array(64));

  /** Summaries: `[quantile0, value0, quantile1, value1, …]`. */
  readonly quantiles = new Scratch(new Float64Array(16));

  /** Exemplars of this point: the first `exemplarCount` entries are in use. */
  readonly exemplars: ExemplarScratch[] = [];
  exemplarCount = 0;

  reset(): void {
    this.attrs.length = 0;
    this.attrWire = undefined;
    this.attrStart = this.attrEnd = 0;
    this.attrReader = undefined;
    this.attrsDecoded = false;
    this.problem = undefined;
    this.startMs = 0;
    this.timeMs = 0;
    this.flags = 0;
    this.value = 0;
    this.count = 0;
    this.sum = 0;
    this.hasSum = false;
    this.bucketCounts.length = 0;
    this.bounds.length = 0;
    this.scale = 0;
    this.zeroCount = 0;
    this.zeroThreshold = 0;
    this.positiveOffset = 0;
    this.positiveCounts.length = 0;
    this.negativeOffset = 0;
    this.negativeCounts.length = 0;
    this.quantiles.length = 0;
    this.exemplarCount = 0;
  }

  /**
   * An attribute field of the point, `buf[start, end)` from its tag, read by the protobuf
   * walker with `r`. The fields are left undecoded while they form one run of bytes (as
   * every SDK and the Collector write them); a field past another kind of field decodes them
   * all, and the series is then keyed by its decoded strings.
   */
  attributeField(r: WireReader, buf: Buffer, start: number, end: number): void {
    if (this.attrWire === undefined && this.attrReader === undefined && !this.attrsDecoded) {
      this.attrReader = r;
      this.attrWire = buf;
      this.attrStart = start;
      this.attrEnd = end;
      return;
    }
    if (this.attrWire !== undefined && this.attrEnd === start) {
      this.attrEnd = end;
      return;
    }
    this.decodeAttributes();
    this.attrsDecoded = true;
    const problem = readAttributeFields(r, buf, start, end, this.attrs);
    if (problem !== undefined) this.problem ??= problem;
  }

  /**
   * Decodes attributes left undecoded into {@link attrs} (a problem such as invalid UTF-8
   * goes to {@link problem}); a no-op when there are none. Throws the reader's error for
   * malformed bytes, as decoding them during the walk would have.
   */
  decodeAttributes(): void {
    const r = this.attrReader;
    if (r === undefined) return;
    const buf = this.attrWire!;
    this.attrReader = undefined;
    this.attrWire = undefined;
    this.attrsDecoded = true;
    const problem = readAttributeFields(r, buf, this.attrStart, this.attrEnd, this.attrs);
    if (problem !== undefined) this.problem ??= problem;
  }

  /** The next exemplar slot, cleared. */
  nextExemplar(): ExemplarScratch {
    let e = this.exemplars[this.exemplarCount];
    if (e === undefined) {
      e = new ExemplarScratch();
      this.exemplars.push(e);
    }
    e.reset();
    this.exemplarCount++;
    return e;
  }
}

/** An exemplar of the point being read. */
export class ExemplarScratch {
  readonly attrs: string[] = [];
  timeMs = 0;
  value = 0;
  hasValue = false;
  /** Lower-case hex, '' when absent (or all zero). */
  traceId = '';
  spanId = '';
  problem: string | undefined;

  reset(): void {
    this.attrs.length = 0;
    this.timeMs = 0;
    this.value = 0;
    this.hasValue = false;
    this.traceId = '';
    this.spanId = '';
    this.problem = undefined;
  }
}
