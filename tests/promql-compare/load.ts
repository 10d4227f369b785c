import { isStaleNaN } from '#pharos/metric-model';
import { encodeWriteRequestV1, encodeWriteRequestV2 } from '#pharos/remote-write';
import { remoteWrite, type SeriesInput } from '../support/remote-write-client.js';
import type { Dataset, SeriesAudience } from './dataset.js';

export interface LoadOptions {
  readonly version: '1.0' | '2.0';
  /** `all` leaves out the series 2.42 cannot ingest. */
  readonly audience: SeriesAudience;
  /** Time covered by one request: small enough that no sample is far behind the newest one sent. */
  readonly sliceMs?: number;
}

export interface LoadSummary {
  readonly requests: number;
  readonly floats: number;
  readonly histograms: number;
  readonly staleMarkers: number;
  readonly ms: number;
}

/**
 * Sends a data set over remote_write in time order: every request carries all series' samples
 * of one time slice, so each series is in order and no sample is older than the target's head
 * allows (Prometheus accepts samples down to about an hour behind its newest one without
 * out-of-order ingestion). Fails on the first non-2xx answer, with the target's message.
 */
export async function loadDataset(url: string, dataset: Dataset, options: LoadOptions): Promise<LoadSummary> {
  const started = performance.now();
  const sliceMs = options.sliceMs ?? 10 * 60_000;
  const series = dataset.series.filter((s) => options.audience === 'v3' || s.audience === 'all');
  const floatAt = new Array<number>(series.length).fill(0);
  const histAt = new Array<number>(series.length).fill(0);
  let requests = 0;
  let floats = 0;
  let histograms = 0;
  let staleMarkers = 0;
  for (let from = dataset.startMs; from <= dataset.endMs + sliceMs; from += sliceMs) {
    const to = from + sliceMs;
    const body: SeriesInput[] = [];
    let stale = 0;
    series.forEach((s, k) => {
      const samples: { timestamp: number; value: number }[] = [];
      while (floatAt[k]! < s.timestamps.length && s.timestamps[floatAt[k]!]! < to) {
        const value = s.values[floatAt[k]!]!;
        if (isStaleNaN(value)) stale++;
        samples.push({ timestamp: s.timestamps[floatAt[k]!]!, value });
        floatAt[k]!++;
      }
      const hs: { timestamp: number; histogram: (typeof s.histograms)[number] }[] = [];
      while (histAt[k]! < s.histTimestamps.length && s.histTimestamps[histAt[k]!]! < to) {
        hs.push({ timestamp: s.histTimestamps[histAt[k]!]!, histogram: s.histograms[histAt[k]!]! });
        histAt[k]!++;
      }
      if (samples.length > 0 || hs.length > 0) body.push({ labels: s.labels, samples, histograms: hs });
      floats += samples.length;
      histograms += hs.length;
    });
    if (body.length === 0) continue;
    const protobuf = options.version === '2.0' ? encodeWriteRequestV2(body) : encodeWriteRequestV1(body);
    // The markers must reach the wire bit-exact, or they would arrive as ordinary NaN samples.
    const onWire = countStaleMarkers(protobuf);
    if (onWire !== stale) throw new Error(`${stale} staleness markers to send but ${onWire} in the encoded request: a NaN payload was lost`);
    staleMarkers += stale;
    const res = await remoteWrite(url, body, { version: options.version, protobuf });
    requests++;
    if (!res.ok) throw new Error(`remote_write ${options.version} to ${url} failed for slice starting ${new Date(from).toISOString()}: ${res.status} ${await res.text()}`);
  }
  series.forEach((s, k) => {
    if (floatAt[k] !== s.timestamps.length || histAt[k] !== s.histTimestamps.length) throw new Error(`samples of ${JSON.stringify(s.labels)} lie outside the data set's time range`);
  });
  return { requests, floats, histograms, staleMarkers, ms: performance.now() - started };
}

/** Little-endian bytes of Prometheus' staleness NaN (0x7ff0000000000002). */
const STALE_BYTES = Buffer.from([0x02, 0, 0, 0, 0, 0, 0xf0, 0x7f]);

function countStaleMarkers(buf: Buffer): number {
  let n = 0;
  for (let at = buf.indexOf(STALE_BYTES); at >= 0; at = buf.indexOf(STALE_BYTES, at + 8)) n++;
  return n;
}
