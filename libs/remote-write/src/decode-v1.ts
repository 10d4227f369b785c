import { METRIC_TYPES, type Labels } from '#pharos/metric-model';
import { type DecodeContext, growInt32 } from './context.js';
import { WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, type WireReader, internedUtf8, isValidUtf8, sliceUtf8, wrongWireType } from '#pharos/protowire';
import { isLegacyLabelName, isLegacyMetricName } from './text.js';

// Tags (field << 3 | wire type) of the fields the 1.0 walker reads; see proto/prometheus/.
const TAG_WRITE_TIMESERIES = (1 << 3) | WIRE_LEN;
const TAG_WRITE_METADATA = (3 << 3) | WIRE_LEN;
const TAG_SERIES_LABEL = (1 << 3) | WIRE_LEN;
const TAG_SERIES_SAMPLE = (2 << 3) | WIRE_LEN;
const TAG_SERIES_EXEMPLAR = (3 << 3) | WIRE_LEN;
const TAG_SERIES_HISTOGRAM = (4 << 3) | WIRE_LEN;
const TAG_LABEL_NAME = (1 << 3) | WIRE_LEN;
const TAG_LABEL_VALUE = (2 << 3) | WIRE_LEN;
const TAG_SAMPLE_VALUE = (1 << 3) | WIRE_FIXED64;
const TAG_SAMPLE_TIMESTAMP = (2 << 3) | WIRE_VARINT;
const TAG_EXEMPLAR_LABEL = (1 << 3) | WIRE_LEN;
const TAG_EXEMPLAR_VALUE = (2 << 3) | WIRE_FIXED64;
const TAG_EXEMPLAR_TIMESTAMP = (3 << 3) | WIRE_VARINT;
const TAG_METADATA_TYPE = (1 << 3) | WIRE_VARINT;
const TAG_METADATA_NAME = (2 << 3) | WIRE_LEN;
const TAG_METADATA_HELP = (4 << 3) | WIRE_LEN;
const TAG_METADATA_UNIT = (5 << 3) | WIRE_LEN;

/** Walks a `prometheus.WriteRequest` held in `ctx.buf` into `ctx.builder`. */
export function decodeV1(ctx: DecodeContext): void {
  const r = ctx.reader;
  const buf = ctx.buf;
  const end = r.end;
  while (r.pos < end) {
    const at = r.pos;
    // A TimeSeries of under 16 KiB (nearly all): one tag byte and a length of one or two
    // bytes, read here rather than by the reader's general varint loop (which reads the
    // two-byte length of every series); anything else takes that path, errors included.
    if (buf[at] === TAG_WRITE_TIMESERIES && at + 2 < end) {
      const c1 = buf[at + 1]!;
      let seriesStart = -1;
      let len = 0;
      if (c1 < 0x80) {
        seriesStart = at + 2;
        len = c1;
      } else if (buf[at + 2]! < 0x80) {
        seriesStart = at + 3;
        len = (c1 & 0x7f) | (buf[at + 2]! << 7);
      }
      if (seriesStart >= 0 && seriesStart + len <= end) {
        decodeSeries(ctx, seriesStart, seriesStart + len);
        r.pos = seriesStart + len;
        continue;
      }
    }
    const tag = r.tag();
    if (tag === TAG_WRITE_TIMESERIES) {
      const seriesEnd = r.lengthEnd();
      decodeSeries(ctx, r.pos, seriesEnd);
      r.pos = seriesEnd;
    } else if (tag === TAG_WRITE_METADATA) {
      const metaEnd = r.lengthEnd();
      decodeMetadata(ctx, metaEnd);
    } else if (tag >>> 3 === 1 || tag >>> 3 === 3) {
      wrongWireType('WriteRequest', tag >>> 3, tag & 7, at);
    } else {
      r.skip(tag & 7);
    }
  }
}

/**
 * One `TimeSeries` in two passes: the first finds the label messages (labels may legally
 * follow samples) and counts samples, so labels are settled before any sample is added; the
 * second adds samples, histograms and exemplars.
 */
function decodeSeries(ctx: DecodeContext, start: number, end: number): void {
  const r = ctx.reader;
  const buf = ctx.buf;
  r.pos = start;
  const saved = r.enter(end);
  // Steady state: the series the label cache expects next, its label bytes first. They are
  // whole Label messages, so they need no walk; the rest must hold no other label, which
  // would make this another label set (and one the slow path does not cache).
  const expected = ctx.labelCache.lookupPrefix(buf, start, end);
  if (expected !== undefined) {
    const labelsEnd = start + ctx.labelCache.lastKeyLength;
    if (!hasLabelField(r, labelsEnd, end)) {
      addItems(ctx, expected, ctx.labelCache.lastSlot, labelsEnd, end);
      r.leave(saved);
      return;
    }
    r.pos = start;
  }
  let spans = ctx.labelSpans;
  let labelCount = 0;
  let items = 0;
  let regionStart = 0;
  let regionEnd = 0;
  let contiguous = true;
  while (r.pos < end) {
    const at = r.pos;
    // A label of under 128 bytes (nearly all): its tag and length are one byte each, read
    // here without the reader's general varint path; anything else takes that path.
    let labelStart = -1;
    let labelEnd = 0;
    if (buf[at] === TAG_SERIES_LABEL && at + 1 < end) {
      const len = buf[at + 1]!;
      if (len < 0x80 && at + 2 + len <= end) {
        labelStart = at + 2;
        labelEnd = labelStart + len;
      }
    }
    const tag = labelStart >= 0 ? TAG_SERIES_LABEL : r.tag();
    if (tag === TAG_SERIES_LABEL) {
      if (labelStart < 0) {
        labelEnd = r.lengthEnd();
        labelStart = r.pos;
      }
      if (spans.length < 2 * labelCount + 2) spans = ctx.labelSpans = growInt32(spans, 2 * labelCount + 2);
      spans[2 * labelCount] = labelStart;
      spans[2 * labelCount + 1] = labelEnd;
      if (labelCount === 0) regionStart = at;
      else if (regionEnd !== at) contiguous = false;
      regionEnd = labelEnd;
      labelCount++;
      r.pos = labelEnd;
    } else if (tag === TAG_SERIES_SAMPLE || tag === TAG_SERIES_HISTOGRAM) {
      r.pos = r.lengthEnd();
      items++;
    } else if (tag === TAG_SERIES_EXEMPLAR) {
      r.pos = r.lengthEnd();
    } else if (tag >>> 3 >= 1 && tag >>> 3 <= 4) {
      wrongWireType('TimeSeries', tag >>> 3, tag & 7, at);
    } else {
      r.skip(tag & 7);
    }
  }

  // The raw label bytes identify the series: in steady state the same bytes arrive every
  // scrape, and the cache turns them back into the labels decoded the first time.
  const cacheable = contiguous && labelCount > 0;
  let cached: Labels | undefined;
  let slot = -1;
  if (cacheable) {
    cached = ctx.labelCache.lookup(ctx.view, buf, regionStart, regionEnd);
    slot = ctx.labelCache.lastSlot;
  }
  if (cached === undefined) {
    const decoded = decodeLabels(ctx, labelCount, items);
    if (decoded === null) {
      r.leave(saved);
      return;
    }
    if (cacheable) {
      ctx.labelCache.set(ctx.labelCache.lastHash, buf, regionStart, regionEnd, decoded);
      slot = ctx.labelCache.lastSlot;
    }
    cached = decoded;
  }
  // Labels usually come first and together; then the second pass starts after them.
  addItems(ctx, cached, slot, cacheable && regionStart === start ? regionEnd : start, end);
  r.leave(saved);
}

/**
 * True when a field from `from` to `end` (the reader's bound) is a label; checks wire types
 * as the first pass of {@link decodeSeries} does.
 */
function hasLabelField(r: WireReader, from: number, end: number): boolean {
  r.pos = from;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag();
    if (tag === TAG_SERIES_LABEL) return true;
    if (tag === TAG_SERIES_SAMPLE || tag === TAG_SERIES_HISTOGRAM || tag === TAG_SERIES_EXEMPLAR) r.pos = r.lengthEnd();
    else if (tag >>> 3 >= 1 && tag >>> 3 <= 4) wrongWireType('TimeSeries', tag >>> 3, tag & 7, at);
    else r.skip(tag & 7);
  }
  return false;
}

/**
 * The second pass of {@link decodeSeries}: adds the series and its samples, histograms and
 * exemplars from `from` to `end`, skipping labels (settled by the caller); the series is
 * dropped again when none of them is kept.
 */
function addItems(ctx: DecodeContext, labels: Labels, slot: number, from: number, end: number): void {
  const r = ctx.reader;
  const builder = ctx.builder;
  const seriesIndex = builder.addSeries(labels);
  ctx.setSeriesSlot(seriesIndex, slot);
  let kept = 0;
  r.pos = from;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === TAG_SERIES_SAMPLE) {
      const sampleEnd = r.lengthEnd();
      readSample(ctx, r, sampleEnd);
      if (ctx.addSample(labels, ctx.sampleTs, ctx.sampleValue)) kept++;
    } else if (tag === TAG_SERIES_HISTOGRAM) {
      if (ctx.readSeriesHistogram(r, r.lengthEnd(), labels, seriesIndex)) kept++;
    } else if (tag === TAG_SERIES_EXEMPLAR) {
      const exEnd = r.lengthEnd();
      if (readExemplar(ctx, seriesIndex, labels, exEnd)) kept++;
    } else {
      r.skip(tag & 7); // Labels (settled above) and unknown fields; wire types checked in pass 1.
    }
  }
  if (kept === 0) builder.dropLastSeries();
}

/** Reads a `Sample` into `ctx.sampleTs`/`ctx.sampleValue` (no object per sample). */
function readSample(ctx: DecodeContext, r: WireReader, end: number): void {
  const saved = r.enter(end);
  let value = 0;
  let ts = 0;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag();
    if (tag === TAG_SAMPLE_VALUE) value = r.double();
    else if (tag === TAG_SAMPLE_TIMESTAMP) ts = r.varint64(true);
    else if (tag >>> 3 === 1 || tag >>> 3 === 2) wrongWireType('Sample', tag >>> 3, tag & 7, at);
    else r.skip(tag & 7);
  }
  r.leave(saved);
  ctx.sampleValue = value;
  ctx.sampleTs = ts;
}

/**
 * Parses a `Label` message at `[start, end)`; writes name and value byte ranges into
 * `out[o..o+3]`.
 */
function readLabel(r: WireReader, start: number, end: number, out: Int32Array, o: number): void {
  r.pos = start;
  const saved = r.enter(end);
  let ns = 0;
  let ne = 0;
  let vs = 0;
  let ve = 0;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag();
    if (tag === TAG_LABEL_NAME) {
      ne = r.lengthEnd();
      ns = r.pos;
      r.pos = ne;
    } else if (tag === TAG_LABEL_VALUE) {
      ve = r.lengthEnd();
      vs = r.pos;
      r.pos = ve;
    } else if (tag >>> 3 === 1 || tag >>> 3 === 2) {
      wrongWireType('Label', tag >>> 3, tag & 7, at);
    } else {
      r.skip(tag & 7);
    }
  }
  r.leave(saved);
  out[o] = ns;
  out[o + 1] = ne;
  out[o + 2] = vs;
  out[o + 3] = ve;
}

/** Lossy label strings for an error message (invalid UTF-8 shows as U+FFFD). */
function lossyPairs(buf: Buffer, nv: Int32Array, count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const o = 4 * i;
    out.push(sliceUtf8(buf, nv[o]!, Math.min(nv[o + 1]!, nv[o]! + 64)));
    out.push(sliceUtf8(buf, nv[o + 2]!, Math.min(nv[o + 3]!, nv[o + 2]! + 64)));
  }
  return out;
}

/** Decodes and validates the labels of the current series (cache miss path). */
function decodeLabels(ctx: DecodeContext, count: number, items: number): Labels | null {
  const r = ctx.reader;
  const buf = ctx.buf;
  const spans = ctx.labelSpans;
  let nv = ctx.nv;
  if (nv.length < 4 * count) nv = ctx.nv = growInt32(nv, 4 * count);
  let nonEmpty = 0;
  for (let i = 0; i < count; i++) {
    readLabel(r, spans[2 * i]!, spans[2 * i + 1]!, nv, 4 * i);
    if (nv[4 * i + 3]! > nv[4 * i + 2]!) nonEmpty++;
  }
  const lim = ctx.limits;
  if (nonEmpty > lim.maxLabelsPerSeries) {
    return ctx.rejectSeries('too_many_labels', items, lossyPairs(buf, nv, count), `${nonEmpty} labels, limit ${lim.maxLabelsPerSeries}`);
  }
  for (let i = 0; i < count; i++) {
    const o = 4 * i;
    const ns = nv[o]!;
    const ne = nv[o + 1]!;
    const vs = nv[o + 2]!;
    const ve = nv[o + 3]!;
    if (ne - ns > lim.maxLabelNameLength) {
      return ctx.rejectSeries('label_name_too_long', items, lossyPairs(buf, nv, count), `label name of ${ne - ns} bytes, limit ${lim.maxLabelNameLength}`);
    }
    if (ve - vs > lim.maxLabelValueLength) {
      return ctx.rejectSeries('label_value_too_long', items, lossyPairs(buf, nv, count), `value of label ${JSON.stringify(sliceUtf8(buf, ns, Math.min(ne, ns + 64)))} is ${ve - vs} bytes, limit ${lim.maxLabelValueLength}`);
    }
    if (!isValidUtf8(buf, ns, ne) || !isValidUtf8(buf, vs, ve)) {
      return ctx.rejectSeries('invalid_utf8', items, lossyPairs(buf, nv, count), `label ${i} is not valid UTF-8`);
    }
    if (lim.legacyNames ? !isLegacyLabelName(buf, ns, ne) : ne === ns) {
      return ctx.rejectSeries('invalid_label_name', items, lossyPairs(buf, nv, count), `invalid label name ${JSON.stringify(sliceUtf8(buf, ns, ne))}`);
    }
  }
  const pairs = ctx.pairs;
  pairs.length = 0;
  for (let i = 0; i < count; i++) {
    const o = 4 * i;
    pairs.push(internedUtf8(buf, nv[o]!, nv[o + 1]!), internedUtf8(buf, nv[o + 2]!, nv[o + 3]!));
  }
  return ctx.finishLabels(items);
}

function readExemplar(ctx: DecodeContext, seriesIndex: number, series: Labels, end: number): boolean {
  const r = ctx.reader;
  const buf = ctx.buf;
  const saved = r.enter(end);
  const pairs = ctx.exemplarPairs;
  pairs.length = 0;
  let value = 0;
  let ts = 0;
  let problem: string | undefined;
  const nv = ctx.nv; // Free while exemplars are read: the series' labels are settled.
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag();
    if (tag === TAG_EXEMPLAR_LABEL) {
      const labelEnd = r.lengthEnd();
      readLabel(r, r.pos, labelEnd, nv, 0);
      const ns = nv[0]!;
      const ne = nv[1]!;
      const vs = nv[2]!;
      const ve = nv[3]!;
      if (!isValidUtf8(buf, ns, ne) || !isValidUtf8(buf, vs, ve)) problem ??= 'exemplar label is not valid UTF-8';
      else if (ctx.limits.legacyNames ? !isLegacyLabelName(buf, ns, ne) : ne === ns) problem ??= 'invalid exemplar label name';
      else pairs.push(sliceUtf8(buf, ns, ne), sliceUtf8(buf, vs, ve));
    } else if (tag === TAG_EXEMPLAR_VALUE) {
      value = r.double();
    } else if (tag === TAG_EXEMPLAR_TIMESTAMP) {
      ts = r.varint64(true);
    } else if (tag >>> 3 >= 1 && tag >>> 3 <= 3) {
      wrongWireType('Exemplar', tag >>> 3, tag & 7, at);
    } else {
      r.skip(tag & 7);
    }
  }
  r.leave(saved);
  return ctx.addExemplar(seriesIndex, series, value, ts, problem);
}

/** Request-level `MetricMetadata` (1.0). */
function decodeMetadata(ctx: DecodeContext, end: number): void {
  const r = ctx.reader;
  const buf = ctx.buf;
  const saved = r.enter(end);
  let type = 0;
  let nameStart = 0;
  let nameEnd = 0;
  let helpStart = 0;
  let helpEnd = 0;
  let unitStart = 0;
  let unitEnd = 0;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag();
    if (tag === TAG_METADATA_TYPE) {
      type = r.uint32();
    } else if (tag === TAG_METADATA_NAME) {
      nameEnd = r.lengthEnd();
      nameStart = r.pos;
      r.pos = nameEnd;
    } else if (tag === TAG_METADATA_HELP) {
      helpEnd = r.lengthEnd();
      helpStart = r.pos;
      r.pos = helpEnd;
    } else if (tag === TAG_METADATA_UNIT) {
      unitEnd = r.lengthEnd();
      unitStart = r.pos;
      r.pos = unitEnd;
    } else if (tag >>> 3 === 1 || tag >>> 3 === 2 || tag >>> 3 === 4 || tag >>> 3 === 5) {
      wrongWireType('MetricMetadata', tag >>> 3, tag & 7, at);
    } else {
      r.skip(tag & 7);
    }
  }
  r.leave(saved);
  let problem: string | undefined;
  if (!isValidUtf8(buf, nameStart, nameEnd) || !isValidUtf8(buf, helpStart, helpEnd) || !isValidUtf8(buf, unitStart, unitEnd)) {
    problem = 'metadata is not valid UTF-8';
  } else if (nameStart === nameEnd) {
    problem = 'metadata has no metric family name';
  } else if (ctx.limits.legacyNames && !isLegacyMetricName(buf, nameStart, nameEnd)) {
    problem = `metric family name ${JSON.stringify(sliceUtf8(buf, nameStart, nameEnd))} is not a legacy Prometheus name`;
  }
  if (problem !== undefined) {
    ctx.rejectWithMessage('invalid_metadata', undefined, problem);
    return;
  }
  ctx.builder.addMetadata({
    metricFamilyName: sliceUtf8(buf, nameStart, nameEnd),
    type: METRIC_TYPES[type] ?? 'unknown',
    help: sliceUtf8(buf, helpStart, helpEnd),
    unit: sliceUtf8(buf, unitStart, unitEnd),
  });
}
