/**
 * Loads the same history into every target over remote write 1.0. Prometheus accepts samples
 * only in time order per series and only within about an hour of its newest sample, so the
 * load walks time in chunks: every target gets all series of one chunk (in parallel groups of
 * series, each group's samples in time order) before any gets the next chunk.
 */
import snappy from 'snappy';
import { encodeWriteRequestV1, type RemoteWriteSeries } from '#pharos/remote-write';
import { SCRAPE_INTERVAL_MS, type QuerySeries } from './workload.js';

export interface HistoryLoadOptions {
  readonly writeUrls: readonly string[];
  readonly fleet: readonly QuerySeries[];
  /** First scrape time (ms); scrape k is at `startMs + k × 15 s`. */
  readonly startMs: number;
  readonly scrapes: number;
  /** Scrapes per chunk (default 20 = 5 minutes). */
  readonly scrapesPerChunk?: number;
  /** Series per body (default 100: with 20 scrapes, 2,000 samples per body). */
  readonly seriesPerBody?: number;
  /** Bodies in flight per target (default 4). */
  readonly parallel?: number;
  readonly onProgress?: (scrapesDone: number, samplesSent: number) => void;
}

export async function loadHistory(o: HistoryLoadOptions): Promise<number> {
  const perChunk = o.scrapesPerChunk ?? 20;
  const perBody = o.seriesPerBody ?? 100;
  const parallel = o.parallel ?? 4;
  let sent = 0;
  for (let first = 0; first < o.scrapes; first += perChunk) {
    const last = Math.min(o.scrapes, first + perChunk);
    const bodies: Buffer[] = [];
    for (let s = 0; s < o.fleet.length; s += perBody) {
      const series: RemoteWriteSeries[] = [];
      for (let i = s; i < Math.min(o.fleet.length, s + perBody); i++) {
        const q = o.fleet[i]!;
        const samples = [];
        for (let k = first; k < last; k++) samples.push({ timestamp: o.startMs + k * SCRAPE_INTERVAL_MS, value: q.value(k) });
        series.push({ labels: q.labels, samples });
      }
      bodies.push(snappy.compressSync(encodeWriteRequestV1(series)));
    }
    await Promise.all(o.writeUrls.map((url) => sendAll(url, bodies, parallel)));
    sent += (last - first) * o.fleet.length;
    o.onProgress?.(last, sent);
  }
  return sent;
}

async function sendAll(url: string, bodies: readonly Buffer[], parallel: number): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < bodies.length) await postWrite(url, bodies[next++]!);
  };
  await Promise.all(Array.from({ length: parallel }, lane));
}

export async function postWrite(url: string, body: Buffer): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'Content-Encoding': 'snappy', 'Content-Type': 'application/x-protobuf', 'X-Prometheus-Remote-Write-Version': '0.1.0' },
    });
    const text = await res.text();
    if (res.ok) return;
    // Backpressure (429/503) is retried; anything else means the data would be lost.
    if ((res.status === 429 || res.status >= 500) && attempt < 100) {
      await new Promise((r) => setTimeout(r, Math.min(2_000, 50 * 2 ** Math.min(attempt, 6))));
      continue;
    }
    throw new Error(`${url}: HTTP ${res.status}: ${text.slice(0, 300)}`);
  }
}
