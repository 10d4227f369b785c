import { METRIC_NAME_LABEL, METRIC_TYPES, type Labels } from '#pharos/metric-model';
import { type DecodeContext, growInt32, growUint32 } from './context.js';
import { RemoteWriteDecodeError } from './errors.js';
import { WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, type WireReader, internedUtf8, isValidUtf8, sliceUtf8, wrongWireType } from '#pharos/protowire';
import { isLegacyLabelName } from './text.js';

// Tags of `io.prometheus.write.v2` fields; see proto/io/prometheus/write/v2/types.proto.
const TAG_REQUEST_SYMBOL = (4 << 3) | WIRE_LEN;
const TAG_REQUEST_TIMESERIES = (5 << 3) | WIRE_LEN;
const TAG_SERIES_REFS_PACKED = (1 << 3) | WIRE_LEN;
const TAG_SERIES_REFS_ONE = (1 << 3) | WIRE_VARINT;
const TAG_SERIES_SAMPLE = (2 << 3) | WIRE_LEN;
const TAG_SERIES_HISTOGRAM = (3 << 3) | WIRE_LEN;
const TAG_SERIES_EXEMPLAR = (4 << 3) | WIRE_LEN;
const TAG_SERIES_METADATA = (5 << 3) | WIRE_LEN;
const TAG_SERIES_CREATED = (6 << 3) | WIRE_VARINT;
const TAG_SAMPLE_VALUE = (1 << 3) | WIRE_FIXED64;
const TAG_SAMPLE_TIMESTAMP = (2 << 3) | WIRE_VARINT;
const TAG_EXEMPLAR_REFS_PACKED = (1 << 3) | WIRE_LEN;
const TAG_EXEMPLAR_REFS_ONE = (1 << 3) | WIRE_VARINT;
const TAG_EXEMPLAR_VALUE = (2 << 3) | WIRE_FIXED64;
const TAG_EXEMPLAR_TIMESTAMP = (3 << 3) | WIRE_VARINT;
const TAG_METADATA_TYPE = (1 << 3) | WIRE_VARINT;
const TAG_METADATA_HELP = (3 << 3) | WIRE_VARINT;
const TAG_METADATA_UNIT = (4 << 3) | WIRE_VARINT;

// Per-symbol facts, computed on first use and kept for the rest of the request.
const SYM_UTF8_CHECKED = 1;
const SYM_UTF8_VALID = 2;
const SYM_NAME_CHECKED = 4;
const SYM_NAME_VALID = 8;

/**
 * The request's symbol table as byte ranges of the body; strings and validity are computed
 * on first reference only, so a symbol shared by a thousand series is decoded and checked
 * once per request.
 */
class SymbolTable {
  spans = new Int32Array(1024);
  count = 0;
  flags = new Uint8Array(512);
  strings: (string | undefined)[] = [];

  reset(): void {
    this.count = 0;
  }

  add(start: number, end: number): void {
    if (this.spans.length < 2 * this.count + 2) this.spans = growInt32(this.spans, 2 * this.count + 2);
    this.spans[2 * this.count] = start;
    this.spans[2 * this.count + 1] = end;
    this.count++;
  }

  seal(): void {
    if (this.flags.length < this.count) this.flags = new Uint8Array(Math.max(this.count, this.flags.length * 2));
    else this.flags.fill(0, 0, this.count);
    this.strings = new Array<string | undefined>(this.count);
  }

  byteLength(i: number): number {
    return this.spans[2 * i + 1]! - this.spans[2 * i]!;
  }

  isUtf8(buf: Buffer, i: number): boolean {
    let f = this.flags[i]!;
    if ((f & SYM_UTF8_CHECKED) === 0) {
      f |= SYM_UTF8_CHECKED | (isValidUtf8(buf, this.spans[2 * i]!, this.spans[2 * i + 1]!) ? SYM_UTF8_VALID : 0);
      this.flags[i] = f;
    }
    return (f & SYM_UTF8_VALID) !== 0;
  }

  isLegacyLabelName(buf: Buffer, i: number): boolean {
    let f = this.flags[i]!;
    if ((f & SYM_NAME_CHECKED) === 0) {
      f |= SYM_NAME_CHECKED | (isLegacyLabelName(buf, this.spans[2 * i]!, this.spans[2 * i + 1]!) ? SYM_NAME_VALID : 0);
      this.flags[i] = f;
    }
    return (f & SYM_NAME_VALID) !== 0;
  }

  string(buf: Buffer, i: number): string {
    let s = this.strings[i];
    if (s === undefined) {
      s = internedUtf8(buf, this.spans[2 * i]!, this.spans[2 * i + 1]!);
      this.strings[i] = s;
    }
    return s;
  }

  /** Lossy and bounded, for error messages; tolerates out-of-range refs. */
  describe(buf: Buffer, i: number): string {
    if (i >= this.count) return `<symbol ${i}?>`;
    const start = this.spans[2 * i]!;
    return sliceUtf8(buf, start, Math.min(this.spans[2 * i + 1]!, start + 64));
  }
}

/** Per-context state of the 2.0 walker, kept on a WeakMap so the context stays version-neutral. */
interface V2State {
  readonly symbols: SymbolTable;
  readonly metadataSeen: Set<string>;
}
const states = new WeakMap<DecodeContext, V2State>();

/** Walks an `io.prometheus.write.v2.Request` held in `ctx.buf` into `ctx.builder`. */
export function decodeV2(ctx: DecodeContext): void {
  let state = states.get(ctx);
  if (state === undefined) {
    state = { symbols: new SymbolTable(), metadataSeen: new Set() };
    states.set(ctx, state);
  }
  const { symbols } = state;
  state.metadataSeen.clear();
  const r = ctx.reader;
  const end = r.end;
  // Pass 1: the symbol table (a sender may legally put it after the series).
  symbols.reset();
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag();
    if (tag === TAG_REQUEST_SYMBOL) {
      const symEnd = r.lengthEnd();
      symbols.add(r.pos, symEnd);
      r.pos = symEnd;
    } else if (tag === TAG_REQUEST_TIMESERIES) {
      r.pos = r.lengthEnd();
    } else if (tag >>> 3 === 4 || tag >>> 3 === 5) {
      wrongWireType('Request', tag >>> 3, tag & 7, at);
    } else {
      r.skip(tag & 7);
    }
  }
  symbols.seal();
  if (symbols.count > 0 && symbols.byteLength(0) !== 0) {
    throw new RemoteWriteDecodeError('symbols[0] must be the empty string (remote write 2.0)');
  }
  // Pass 2: the series.
  r.pos = 0;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === TAG_REQUEST_TIMESERIES) {
      const seriesEnd = r.lengthEnd();
      decodeSeries(ctx, state, r.pos, seriesEnd);
      r.pos = seriesEnd;
    } else {
      r.skip(tag & 7);
    }
  }
}

/** Reads packed or single uint32 refs into `ctx.refs` from `count`; returns the new count. */
function readRefs(ctx: DecodeContext, r: WireReader, packed: boolean, count: number): number {
  if (!packed) {
    if (ctx.refs.length <= count) ctx.refs = growUint32(ctx.refs, count + 1);
    ctx.refs[count++] = r.uint32();
    return count;
  }
  const refsEnd = r.lengthEnd();
  const saved = r.enter(refsEnd);
  while (r.pos < refsEnd) {
    if (ctx.refs.length <= count) ctx.refs = growUint32(ctx.refs, count + 1);
    ctx.refs[count++] = r.uint32();
  }
  r.leave(saved);
  return count;
}

function decodeSeries(ctx: DecodeContext, state: V2State, start: number, end: number): void {
  const r = ctx.reader;
  const saved = r.enter(end);
  let refCount = 0;
  let items = 0;
  let metaStart = -1;
  let metaEnd = -1;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag();
    if (tag === TAG_SERIES_REFS_PACKED || tag === TAG_SERIES_REFS_ONE) {
      refCount = readRefs(ctx, r, tag === TAG_SERIES_REFS_PACKED, refCount);
    } else if (tag === TAG_SERIES_SAMPLE || tag === TAG_SERIES_HISTOGRAM) {
      r.pos = r.lengthEnd();
      items++;
    } else if (tag === TAG_SERIES_EXEMPLAR) {
      r.pos = r.lengthEnd();
    } else if (tag === TAG_SERIES_METADATA) {
      metaEnd = r.lengthEnd();
      metaStart = r.pos;
      r.pos = metaEnd;
    } else if (tag === TAG_SERIES_CREATED) {
      // Created timestamps have no place in MetricBatch yet; read to validate, then dropped.
      r.varint64(true);
    } else if (tag >>> 3 >= 1 && tag >>> 3 <= 6) {
      wrongWireType('TimeSeries', tag >>> 3, tag & 7, at);
    } else {
      r.skip(tag & 7);
    }
  }

  const labels = resolveLabels(ctx, state.symbols, refCount, items);
  if (labels === null) {
    r.leave(saved);
    return;
  }
  const builder = ctx.builder;
  const seriesIndex = builder.addSeries(labels);
  if (metaStart >= 0) readMetadata(ctx, state, labels, metaStart, metaEnd);
  let kept = 0;
  r.pos = start;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === TAG_SERIES_SAMPLE) {
      const sampleEnd = r.lengthEnd();
      const s = r.enter(sampleEnd);
      let value = 0;
      let ts = 0;
      while (r.pos < sampleEnd) {
        const at = r.pos;
        const t = r.tag();
        if (t === TAG_SAMPLE_VALUE) value = r.double();
        else if (t === TAG_SAMPLE_TIMESTAMP) ts = r.varint64(true);
        else if (t >>> 3 === 1 || t >>> 3 === 2) wrongWireType('Sample', t >>> 3, t & 7, at);
        else r.skip(t & 7);
      }
      r.leave(s);
      if (ctx.addSample(labels, ts, value)) kept++;
    } else if (tag === TAG_SERIES_HISTOGRAM) {
      if (ctx.readSeriesHistogram(r, r.lengthEnd(), labels, seriesIndex)) kept++;
    } else if (tag === TAG_SERIES_EXEMPLAR) {
      const exEnd = r.lengthEnd();
      if (readExemplar(ctx, state.symbols, seriesIndex, labels, exEnd)) kept++;
    } else {
      r.skip(tag & 7);
    }
  }
  r.leave(saved);
  if (kept === 0) builder.dropLastSeries();
}

function refPairs(ctx: DecodeContext, symbols: SymbolTable, count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(symbols.describe(ctx.buf, ctx.refs[i]!));
  return out;
}

function resolveLabels(ctx: DecodeContext, symbols: SymbolTable, refCount: number, items: number): Labels | null {
  const buf = ctx.buf;
  const refs = ctx.refs;
  if (refCount % 2 !== 0) {
    return ctx.rejectSeries('invalid_symbol_ref', items, refPairs(ctx, symbols, refCount), `odd number of label refs (${refCount})`);
  }
  let nonEmpty = 0;
  for (let i = 0; i < refCount; i++) {
    if (refs[i]! >= symbols.count) {
      return ctx.rejectSeries('invalid_symbol_ref', items, refPairs(ctx, symbols, refCount), `label ref ${refs[i]} is outside the ${symbols.count} symbols`);
    }
    if (i % 2 === 1 && symbols.byteLength(refs[i]!) > 0) nonEmpty++;
  }
  const lim = ctx.limits;
  if (nonEmpty > lim.maxLabelsPerSeries) {
    return ctx.rejectSeries('too_many_labels', items, refPairs(ctx, symbols, refCount), `${nonEmpty} labels, limit ${lim.maxLabelsPerSeries}`);
  }
  const pairs = ctx.pairs;
  pairs.length = 0;
  for (let i = 0; i < refCount; i += 2) {
    const n = refs[i]!;
    const v = refs[i + 1]!;
    if (symbols.byteLength(n) > lim.maxLabelNameLength) {
      return ctx.rejectSeries('label_name_too_long', items, refPairs(ctx, symbols, refCount), `label name of ${symbols.byteLength(n)} bytes, limit ${lim.maxLabelNameLength}`);
    }
    if (symbols.byteLength(v) > lim.maxLabelValueLength) {
      return ctx.rejectSeries('label_value_too_long', items, refPairs(ctx, symbols, refCount), `value of label ${JSON.stringify(symbols.describe(buf, n))} is ${symbols.byteLength(v)} bytes, limit ${lim.maxLabelValueLength}`);
    }
    if (!symbols.isUtf8(buf, n) || !symbols.isUtf8(buf, v)) {
      return ctx.rejectSeries('invalid_utf8', items, refPairs(ctx, symbols, refCount), `label ${i / 2} is not valid UTF-8`);
    }
    if (lim.legacyNames ? !symbols.isLegacyLabelName(buf, n) : symbols.byteLength(n) === 0) {
      return ctx.rejectSeries('invalid_label_name', items, refPairs(ctx, symbols, refCount), `invalid label name ${JSON.stringify(symbols.describe(buf, n))}`);
    }
    pairs.push(symbols.string(buf, n), symbols.string(buf, v));
  }
  return ctx.finishLabels(items);
}

function readExemplar(ctx: DecodeContext, symbols: SymbolTable, seriesIndex: number, series: Labels, end: number): boolean {
  const r = ctx.reader;
  const buf = ctx.buf;
  const saved = r.enter(end);
  // The series' refs are settled, so `ctx.refs` is free for the exemplar's.
  let refCount = 0;
  let value = 0;
  let ts = 0;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag();
    if (tag === TAG_EXEMPLAR_REFS_PACKED || tag === TAG_EXEMPLAR_REFS_ONE) {
      refCount = readRefs(ctx, r, tag === TAG_EXEMPLAR_REFS_PACKED, refCount);
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
  const pairs = ctx.exemplarPairs;
  pairs.length = 0;
  let problem: string | undefined;
  if (refCount % 2 !== 0) problem = `odd number of exemplar label refs (${refCount})`;
  for (let i = 0; problem === undefined && i < refCount; i += 2) {
    const n = ctx.refs[i]!;
    const v = ctx.refs[i + 1]!;
    if (n >= symbols.count || v >= symbols.count) problem = 'exemplar label ref outside the symbols';
    else if (!symbols.isUtf8(buf, n) || !symbols.isUtf8(buf, v)) problem = 'exemplar label is not valid UTF-8';
    else if (ctx.limits.legacyNames ? !symbols.isLegacyLabelName(buf, n) : symbols.byteLength(n) === 0) problem = 'invalid exemplar label name';
    else pairs.push(symbols.string(buf, n), symbols.string(buf, v));
  }
  return ctx.addExemplar(seriesIndex, series, value, ts, problem);
}

/**
 * Per-series metadata (2.0) becomes request metadata keyed by the series' metric name, once
 * per name and request; entries with nothing set are skipped.
 */
function readMetadata(ctx: DecodeContext, state: V2State, labels: Labels, start: number, end: number): void {
  const r = ctx.reader;
  const buf = ctx.buf;
  const savedPos = r.pos;
  r.pos = start;
  const saved = r.enter(end);
  let type = 0;
  let help = 0;
  let unit = 0;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag();
    if (tag === TAG_METADATA_TYPE) type = r.uint32();
    else if (tag === TAG_METADATA_HELP) help = r.uint32();
    else if (tag === TAG_METADATA_UNIT) unit = r.uint32();
    else if (tag >>> 3 === 1 || tag >>> 3 === 3 || tag >>> 3 === 4) wrongWireType('Metadata', tag >>> 3, tag & 7, at);
    else r.skip(tag & 7);
  }
  r.leave(saved);
  r.pos = savedPos;
  if (type === 0 && help === 0 && unit === 0) return;
  const symbols = state.symbols;
  let name = '';
  for (let i = 0; i < labels.length; i += 2) if (labels[i] === METRIC_NAME_LABEL) name = labels[i + 1]!;
  if (help >= symbols.count || unit >= symbols.count) {
    ctx.rejectWithMessage('invalid_metadata', labels, `metadata ref outside the ${symbols.count} symbols`);
    return;
  }
  if (!symbols.isUtf8(buf, help) || !symbols.isUtf8(buf, unit)) {
    ctx.rejectWithMessage('invalid_metadata', labels, 'metadata is not valid UTF-8');
    return;
  }
  if (state.metadataSeen.has(name)) return;
  state.metadataSeen.add(name);
  ctx.builder.addMetadata({
    metricFamilyName: name,
    type: METRIC_TYPES[type] ?? 'unknown',
    help: symbols.string(buf, help),
    unit: symbols.string(buf, unit),
  });
}
