/**
 * How the fleet is cut into remote-write bodies. Each sender owns a contiguous block of the
 * series (as a Prometheus shard owns the series hashed to it); its block is cut into slices
 * of `seriesPerBody`; a *step* is one body per slice, carrying `samplesPerSeries` samples
 * per series at consecutive scrape timestamps.
 *
 * - live: one sample per series per body (a scrape fanned out to remote storage);
 *   a step advances the clock of the data by one scrape interval.
 * - backfill: 100 series × 20 samples per body (a catching-up sender); a step advances by
 *   20 scrape intervals.
 *
 * OTLP bodies are live only: one data point per series, `seriesPerBody` (8,192 by default)
 * series per request.
 */
import { gzipSync } from 'node:zlib';
import { encodeWriteRequestV1, type RemoteWriteSeries } from '#pharos/remote-write';
import snappy from 'snappy';
import type { OtlpBodyBuilder } from './otlp-bodies.js';
import type { IngestProtocol } from './protocols.js';
import { SCRAPE_INTERVAL_MS, valueAt, type FleetSeries } from './series.js';

export type LoadStyle = 'live' | 'backfill';

export interface Workload {
  readonly protocol: IngestProtocol;
  readonly style: LoadStyle;
  readonly series: number;
  readonly senders: number;
  readonly seriesPerBody: number;
  readonly samplesPerSeries: number;
  /** Timestamp (ms) of step 0, sample 0, before the per-host offset. */
  readonly startMs: number;
  /** Steps a sender may send in one run; past it the data would reach the future. */
  readonly maxSteps: number;
}

export interface WorkloadInput {
  /** Default: remote write. */
  readonly protocol?: IngestProtocol;
  readonly style: LoadStyle;
  readonly series: number;
  readonly senders: number;
  /** Live style only; backfill bodies are always 100 series × 20 samples. */
  readonly seriesPerBody: number;
  /** Highest rate (samples/s) the timestamps must allow for, over `seconds`. */
  readonly maxRate: number;
  readonly seconds: number;
  readonly nowMs: number;
}

/**
 * Lays the data out in time so that even at `maxRate` the last sample is still in the past
 * (targets refuse samples far in the future: Pharos beyond 10 min, VictoriaMetrics beyond
 * 2 days) while per-series timestamps only ever advance.
 */
export function planWorkload(input: WorkloadInput): Workload {
  const protocol = input.protocol ?? 'remote-write';
  if (protocol !== 'remote-write' && input.style !== 'live') throw new Error(`--style ${input.style} is for remote write only; OTLP bodies are live`);
  const live = input.style === 'live';
  const seriesPerBody = live ? input.seriesPerBody : 100;
  const samplesPerSeries = live ? 1 : 20;
  const maxSteps = Math.ceil((input.maxRate * input.seconds) / (input.series * samplesPerSeries)) + 1;
  const spanMs = maxSteps * samplesPerSeries * SCRAPE_INTERVAL_MS;
  const startMs = Math.floor((input.nowMs - spanMs - 10 * 60_000) / SCRAPE_INTERVAL_MS) * SCRAPE_INTERVAL_MS;
  return { protocol, style: input.style, series: input.series, senders: input.senders, seriesPerBody, samplesPerSeries, startMs, maxSteps };
}

/** The series index range `[lo, hi)` a sender owns. */
export function senderBlock(w: Workload, sender: number): { lo: number; hi: number } {
  return { lo: Math.floor((sender * w.series) / w.senders), hi: Math.floor(((sender + 1) * w.series) / w.senders) };
}

export function slicesOf(w: Workload, sender: number): number {
  const { lo, hi } = senderBlock(w, sender);
  return Math.ceil((hi - lo) / w.seriesPerBody);
}

/** Samples in body `slice` of any step of `sender`. */
export function samplesInBody(w: Workload, sender: number, slice: number): number {
  const { lo, hi } = senderBlock(w, sender);
  const first = lo + slice * w.seriesPerBody;
  return (Math.min(hi, first + w.seriesPerBody) - first) * w.samplesPerSeries;
}

/**
 * The body of `slice` at `step` for `sender`, as it goes on the wire: remote write 1.0
 * snappy-compressed; OTLP/HTTP gzip-compressed; OTLP/gRPC uncompressed protobuf (grpc-js
 * compresses each message itself).
 */
export function encodeBody(w: Workload, fleet: readonly FleetSeries[], sender: number, slice: number, step: number, otlp?: OtlpBodyBuilder): Buffer {
  const { lo, hi } = senderBlock(w, sender);
  const first = lo + slice * w.seriesPerBody;
  const last = Math.min(hi, first + w.seriesPerBody);
  if (w.protocol === 'remote-write') return remoteWriteBody(w, fleet, first, last, step);
  if (otlp === undefined) throw new Error(`encodeBody: a ${w.protocol} workload needs an OtlpBodyBuilder`);
  // OTLP/HTTP is compressed before the clock starts, as remote write's snappy is.
  return w.protocol === 'otlp-http' ? gzipSync(otlp.encode(first, last, step)) : otlp.encode(first, last, step);
}

function remoteWriteBody(w: Workload, fleet: readonly FleetSeries[], first: number, last: number, step: number): Buffer {
  const series: RemoteWriteSeries[] = [];
  for (let i = first; i < last; i++) {
    const s = fleet[i]!;
    const samples: { timestamp: number; value: number }[] = [];
    for (let m = 0; m < w.samplesPerSeries; m++) {
      const scrape = step * w.samplesPerSeries + m;
      samples.push({ timestamp: w.startMs + scrape * SCRAPE_INTERVAL_MS + s.offsetMs, value: valueAt(s, i, scrape) });
    }
    series.push({ labels: s.labels, samples });
  }
  // copyOutputData: an exact-size buffer V8 accounts for; without it each body holds
  // snappy's worst-case capacity (~1.2× the uncompressed size) until a GC that its size
  // does not prompt.
  return snappy.compressSync(encodeWriteRequestV1(series), { copyOutputData: true });
}
