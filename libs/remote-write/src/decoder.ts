import { uncompressSync } from 'snappy';
import { type MetricBatch, MetricBatchBuilder, type SeriesSlots, SnappyBlockError } from '#pharos/metric-model';
import { ProtowireError } from '#pharos/protowire';
import { DecodeContext } from './context.js';
import { decodeV1 } from './decode-v1.js';
import { decodeV2 } from './decode-v2.js';
import { RemoteWriteDecodeError } from './errors.js';
import {
  type RejectionReason,
  type RemoteWriteDecodeOptions,
  type RemoteWriteLimits,
  type RemoteWriteVersion,
  resolveLimits,
} from './options.js';

/** What one request decoded into. */
export interface RemoteWriteDecodeResult {
  /** The accepted series and samples. */
  readonly batch: MetricBatch;
  /**
   * Drops by reason. Series-level reasons count series; `too_old`, `too_far_in_future` and
   * `invalid_histogram` count samples; `invalid_exemplar` exemplars; `invalid_metadata`
   * metadata entries.
   */
  readonly rejected: Readonly<Record<RejectionReason, number>>;
  /** Float and histogram samples not in `batch`, whatever the reason (for partial-write answers). */
  readonly rejectedSamples: number;
  /** Up to five human-readable problems naming the series, for the 400 response body. */
  readonly firstErrors: readonly string[];
  /**
   * Remote write 1.0: the label cache slot of each series of `batch`, for per-series state
   * kept in typed arrays (see `SeriesDefinitions` in libs/ingest). Absent for 2.0.
   */
  readonly seriesSlots?: SeriesSlots;
}

/** Options of one {@link RemoteWriteDecoder.decode} call. */
export interface RemoteWriteDecodeCall {
  readonly version: RemoteWriteVersion;
  readonly tenant: string;
  readonly minTimestampMs?: number;
  readonly maxTimestampMs?: number;
  /** `false` when the body is already uncompressed protobuf; default `true`. */
  readonly compressed?: boolean;
}

export interface RemoteWriteDecoderOptions extends RemoteWriteLimits {
  /**
   * Bound of the series label cache, in raw label bytes per generation (two generations;
   * real memory is a few times this, and grows only with the series actually seen). Default
   * 320 MiB, enough for ~1.3 M series of ten labels in one generation.
   */
  readonly labelCacheBytes?: number;
}

/**
 * Past the cache, every sample's series is decoded, hashed and defined on the stream again
 * (a SHA-256 ref, its labels resent): with the former 48 MiB (~300 k series over both
 * generations), 1 M active series ingested at 47–60 k samples/s, with 320 MiB at 479 k
 * (bench/RESULTS.md, 2026-11-27 14:55). An install with fewer series never fills it.
 */
const DEFAULT_LABEL_CACHE_BYTES = 320 * 1024 * 1024;
const SNAPPY_FRAMED_MAGIC = [0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59];

/**
 * Decodes remote-write 1.0 and 2.0 request bodies into {@link MetricBatch}es. Keeps scratch
 * buffers and a series label cache across calls, so one decoder per ingest worker (and per
 * set of limits) is the intended use. Not re-entrant: decoding is synchronous, so one
 * decoder per thread is enough.
 */
export class RemoteWriteDecoder {
  private readonly ctx: DecodeContext;

  constructor(options: RemoteWriteDecoderOptions = {}) {
    this.ctx = new DecodeContext(resolveLimits(options), options.labelCacheBytes ?? DEFAULT_LABEL_CACHE_BYTES);
  }

  /** Series currently held by the label cache. */
  get cachedSeries(): number {
    return this.ctx.labelCache.size;
  }

  /**
   * Decodes one body. Throws {@link RemoteWriteDecodeError} when the body as a whole is
   * unreadable; problems of single series, samples, exemplars or metadata are counted in
   * the result instead (the good ones are kept).
   */
  decode(body: Uint8Array, call: RemoteWriteDecodeCall): RemoteWriteDecodeResult {
    const raw = call.compressed === false ? asBuffer(body) : this.decompress(body);
    const ctx = this.ctx;
    // Sized from typical bodies (~250-300 bytes per series of ten labels): room for a series
    // and a sample per 128 bytes; the builder doubles when a body is denser than that. Room
    // for a sample per 64 bytes, as before, was ~4x too much for live bodies (one sample per
    // series): 150 KB of columns a request to zero and collect, which cost more than the few
    // doublings of dense (backfill) bodies.
    const builder = new MetricBatchBuilder(call.tenant, Math.max(16, raw.length >>> 7), Math.max(64, raw.length >>> 7));
    ctx.begin(raw, builder, call.minTimestampMs ?? -Infinity, call.maxTimestampMs ?? Infinity);
    try {
      if (call.version === '2.0') decodeV2(ctx);
      else if (call.version === '1.0') decodeV1(ctx);
      else throw new RemoteWriteDecodeError(`unknown remote write version ${String(call.version)}`);
    } catch (error) {
      // A RangeError here can only come from absurd sizes in a malformed body; report it as
      // such rather than as an internal failure.
      if (error instanceof RangeError) throw new RemoteWriteDecodeError(`malformed request: ${error.message}`);
      // Malformed protobuf is reported as this protocol's error, so the receiver answers 400.
      if (error instanceof ProtowireError) throw new RemoteWriteDecodeError(error.problem, error.offset);
      throw error;
    } finally {
      ctx.end();
    }
    const batch = builder.build();
    const result = { batch, rejected: ctx.rejected, rejectedSamples: ctx.rejectedSamples, firstErrors: ctx.firstErrors };
    if (call.version !== '1.0') return result;
    return { ...result, seriesSlots: { interner: ctx.labelCache, slots: ctx.seriesSlots.slice(0, batch.series.length) } };
  }

  /**
   * Uncompresses a snappy block, refusing before allocation when the length the block
   * declares exceeds `maxDecompressedBytes`. The bytes are valid until the next call.
   */
  private decompress(body: Uint8Array): Buffer {
    const max = this.ctx.limits.maxDecompressedBytes;
    if (isFramedSnappy(body)) {
      throw new RemoteWriteDecodeError('body uses the snappy framed format; remote write requires the block format');
    }
    const declared = snappyDeclaredLength(body);
    if (declared > max) {
      throw new RemoteWriteDecodeError(`uncompressed body would be ${declared} bytes, limit ${max}`);
    }
    // Into the label cache's memory, where the label bytes are compared: no buffer of its own
    // and no copy (libs/metric-model/src/wasm/bytes.ts). Bodies too large for that below.
    try {
      const resident = this.ctx.labelCache.uncompressBody(body, snappyPreambleBytes(body), declared);
      if (resident !== undefined) return resident;
    } catch (error) {
      if (error instanceof SnappyBlockError) throw new RemoteWriteDecodeError(`invalid snappy block: ${error.message}`);
      throw error;
    }
    let out: string | Buffer;
    try {
      // copyOutputData: the default external-buffer output measured ~20x slower here (82 vs
      // 1,833 MB/s for a 540 KB body), dominated by the external-memory bookkeeping.
      out = uncompressSync(body, { asBuffer: true, copyOutputData: true });
    } catch (error) {
      throw new RemoteWriteDecodeError(`invalid snappy block: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (typeof out === 'string') out = Buffer.from(out, 'utf8'); // Not reached with asBuffer; keeps the type honest.
    if (out.length !== declared) {
      throw new RemoteWriteDecodeError(`snappy block declared ${declared} bytes but held ${out.length}`);
    }
    return out;
  }
}

/** Reads the uncompressed length a snappy block starts with (a varint of at most 32 bits). */
export function snappyDeclaredLength(body: Uint8Array): number {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    if (i >= body.length) throw new RemoteWriteDecodeError('invalid snappy block: truncated length preamble');
    const c = body[i]!;
    value += (c & 0x7f) * 2 ** (7 * i);
    if (c < 0x80) return value;
  }
  throw new RemoteWriteDecodeError('invalid snappy block: length preamble longer than 5 bytes');
}

/** Bytes of the length preamble (after {@link snappyDeclaredLength} accepted it). */
function snappyPreambleBytes(body: Uint8Array): number {
  let i = 0;
  while (body[i]! >= 0x80) i++;
  return i + 1;
}

function isFramedSnappy(body: Uint8Array): boolean {
  if (body.length < SNAPPY_FRAMED_MAGIC.length) return false;
  for (let i = 0; i < SNAPPY_FRAMED_MAGIC.length; i++) if (body[i] !== SNAPPY_FRAMED_MAGIC[i]) return false;
  return true;
}

function asBuffer(body: Uint8Array): Buffer {
  return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

// One decoder per distinct set of limits, so the convenience function keeps the label
// cache warm across calls; bounded because limits are per tenant and tenants are many.
const sharedDecoders = new Map<string, RemoteWriteDecoder>();
const MAX_SHARED_DECODERS = 16;

/**
 * Decodes one remote-write body (snappy block unless `compressed: false`) with a shared
 * decoder for these limits. Long-lived receivers may prefer their own
 * {@link RemoteWriteDecoder}s to size and drop caches explicitly.
 */
export function decodeRemoteWrite(body: Uint8Array, options: RemoteWriteDecodeOptions): RemoteWriteDecodeResult {
  const key = [
    options.nameValidation ?? '',
    options.maxLabelsPerSeries ?? '',
    options.maxLabelNameLength ?? '',
    options.maxLabelValueLength ?? '',
    options.maxDecompressedBytes ?? '',
  ].join('|');
  let decoder = sharedDecoders.get(key);
  if (decoder === undefined) {
    if (sharedDecoders.size >= MAX_SHARED_DECODERS) sharedDecoders.clear();
    decoder = new RemoteWriteDecoder(options);
    sharedDecoders.set(key, decoder);
  }
  return decoder.decode(body, options);
}
