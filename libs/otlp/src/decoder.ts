import { gunzipSync } from 'node:zlib';
import { type MetricBatch, MetricBatchBuilder, hashBytes } from '#pharos/metric-model';
import { ProtowireError, WireReader } from '#pharos/protowire';
import { Scratch } from './buckets.js';
import { walkJsonRequest } from './decode-json.js';
import { walkExportRequest } from './decode-proto.js';
import { OtlpDecodeError } from './errors.js';
import { type OtlpLimits, type ResolvedOtlpLimits, resolveLimits } from './options.js';
import { PointScratch } from './point.js';
import type { KeyHash } from './series-cache.js';
import { type OtlpTranslationOptions, resolveTranslationSettings } from './settings.js';
import { OtlpTranslator } from './translator.js';

/** The two encodings of OTLP/HTTP (gRPC always carries protobuf). */
export type OtlpFormat = 'protobuf' | 'json';

/** Options of one {@link OtlpDecoder.decode} call. */
export interface OtlpDecodeCall {
  readonly tenant: string;
  readonly format: OtlpFormat;
  /** `gzip` when the body is gzip-compressed (HTTP `Content-Encoding: gzip`). */
  readonly encoding?: 'gzip' | 'identity';
  /** Points older than this (ms) are rejected as `too_old`. */
  readonly minTimestampMs?: number;
  /** Points newer than this (ms) are rejected as `too_far_in_future`. */
  readonly maxTimestampMs?: number;
}

/**
 * Samples of delta-temporality metrics, still holding deltas. The collector turns them into
 * cumulative samples with its per-series state (`DeltaToCumulative`), since that state
 * cannot live in a stateless decoder.
 */
export interface DeltaSamples {
  readonly batch: MetricBatch;
  /** Start time (ms) of each float sample of `batch`, in sample order. */
  readonly floatStarts: Float64Array;
  /** Start time (ms) of each histogram of `batch`, in order. */
  readonly histogramStarts: Float64Array;
}

/** What one request decoded into. */
export interface OtlpDecodeResult {
  /** Cumulative, gauge and summary series, ready for the stream. */
  readonly batch: MetricBatch;
  /** Delta series to convert; absent when the request had none. */
  readonly delta: DeltaSamples | undefined;
  /** Refused data points by reason (`invalid_exemplar` counts exemplars). */
  readonly rejected: Readonly<Record<string, number>>;
  /** OTLP data points not written (what `partial_success.rejected_data_points` reports). */
  readonly rejectedDataPoints: number;
  /** Up to five problems naming the metric and the reason. */
  readonly messages: readonly string[];
  /** Translation warnings (Prometheus logs these): colliding attribute names, empty metrics. */
  readonly warnings: readonly string[];
}

export interface OtlpDecoderOptions extends OtlpLimits {
  readonly translation?: OtlpTranslationOptions;
  /**
   * Memory for the series caches that give a series the same `Labels` object in every request
   * (all tenants together, accounted as key bytes plus label text and a per-entry overhead;
   * real memory is up to about twice this). Default 64 MiB: ~200k series of ten labels.
   */
  readonly seriesCacheBytes?: number;
  /** Hash of the series cache keys; for tests that force collisions. Default `hashBytes`. */
  readonly seriesKeyHash?: KeyHash;
}

const DEFAULT_SERIES_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * Decodes OTLP metrics requests (protobuf or JSON, optionally gzip) into a {@link MetricBatch}
 * the way Prometheus 3's OTLP receiver translates them. Keeps scratch state across calls:
 * one decoder per thread and per set of limits. Not re-entrant (decoding is synchronous).
 *
 * A series translated once is cached per tenant (bounded by `seriesCacheBytes`), so the same
 * series in later requests has the identical `Labels` object in the batch: pass
 * `stableLabels` to `MetricIngestor.ingest` and its records name it by ref (ADR 0010).
 * Batches' label arrays are shared with the cache and with later batches: never mutate them.
 */
export class OtlpDecoder {
  private readonly limits: ResolvedOtlpLimits;
  private readonly translator: OtlpTranslator;
  private readonly reader = new WireReader();
  private readonly point = new PointScratch();

  constructor(options: OtlpDecoderOptions = {}) {
    this.limits = resolveLimits(options);
    this.translator = new OtlpTranslator(resolveTranslationSettings(options.translation), this.limits, {
      maxBytes: options.seriesCacheBytes ?? DEFAULT_SERIES_CACHE_BYTES,
      hash: options.seriesKeyHash ?? hashBytes,
    });
  }

  /** Series whose labels are cached for `tenant`. */
  cachedSeries(tenant: string): number {
    return this.translator.cachedSeries(tenant);
  }

  /** Accounted bytes of the series caches, all tenants. */
  get cachedBytes(): number {
    return this.translator.cachedBytes;
  }

  /**
   * Decodes one body. Throws {@link OtlpDecodeError} when the body as a whole is unreadable;
   * bad data points are counted in the result and the good ones kept.
   */
  decode(body: Uint8Array, call: OtlpDecodeCall): OtlpDecodeResult {
    const raw = call.encoding === 'gzip' ? this.gunzip(body) : asBuffer(body);
    const batch = new MetricBatchBuilder(call.tenant, Math.max(16, raw.length >>> 7), Math.max(64, raw.length >>> 6));
    const delta = new MetricBatchBuilder(call.tenant, 4, 8);
    const target = {
      batch,
      delta,
      deltaFloatStarts: new Scratch(new Float64Array(8)),
      deltaHistogramStarts: new Scratch(new Float64Array(4)),
    };
    const t = this.translator;
    t.beginRequest(target, call.tenant, call.minTimestampMs ?? -Infinity, call.maxTimestampMs ?? Infinity);
    if (call.format === 'json') {
      let doc: unknown;
      try {
        doc = JSON.parse(raw.toString('utf8'));
      } catch (err) {
        throw new OtlpDecodeError(`body is not valid JSON: ${(err as Error).message}`);
      }
      walkJsonRequest(doc, t, this.point);
    } else if (call.format === 'protobuf') {
      this.reader.reset(raw);
      try {
        walkExportRequest(this.reader, raw, t, this.point);
      } catch (err) {
        // Malformed protobuf is this protocol's error (→ 400 / INVALID_ARGUMENT).
        if (err instanceof ProtowireError) throw new OtlpDecodeError(`malformed OTLP protobuf: ${err.problem}`, err.offset);
        if (err instanceof RangeError) throw new OtlpDecodeError(`malformed OTLP protobuf: ${err.message}`);
        throw err;
      }
    } else {
      throw new OtlpDecodeError(`unknown OTLP format ${String(call.format)}`);
    }
    const deltaBatch = delta.build();
    return {
      batch: batch.build(),
      delta:
        deltaBatch.series.length === 0
          ? undefined
          : { batch: deltaBatch, floatStarts: target.deltaFloatStarts.copy(), histogramStarts: target.deltaHistogramStarts.copy() },
      rejected: t.rejected,
      rejectedDataPoints: t.rejectedPoints,
      messages: t.messages,
      warnings: t.warnings,
    };
  }

  /** Gunzips, refusing bodies that inflate past `maxDecompressedBytes` (a zip bomb costs nothing). */
  gunzip(body: Uint8Array): Buffer {
    try {
      return gunzipSync(body, { maxOutputLength: this.limits.maxDecompressedBytes });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
        throw new OtlpDecodeError(`gzip body inflates past the limit of ${this.limits.maxDecompressedBytes} bytes`);
      }
      throw new OtlpDecodeError(`invalid gzip body: ${e.message}`);
    }
  }
}

function asBuffer(body: Uint8Array): Buffer {
  return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}
