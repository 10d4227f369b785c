/**
 * Background ingestion while the dashboard refreshes: `rate` samples per second, in bodies of
 * 2,000, to one target, from series of a job the dashboard never reads (`bench-live`), each
 * written once per second at the current time. Runs in a worker thread so building bodies does
 * not delay the query timings on the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import snappy from 'snappy';
import { encodeWriteRequestV1, type RemoteWriteSeries } from '#pharos/remote-write';
import { postWrite } from './history-loader.js';

export interface LiveIngestInit {
  readonly writeUrl: string;
  readonly samplesPerSecond: number;
}

const { writeUrl, samplesPerSecond } = workerData as LiveIngestInit;
const PER_BODY = 2_000;
const seriesCount = samplesPerSecond;
let stopped = false;
let sent = 0;
parentPort!.on('message', (m: unknown) => {
  if (m === 'stop') stopped = true;
});

async function run(): Promise<void> {
  const labels = Array.from({ length: seriesCount }, (_, i) => ['__name__', 'bench_live_value', 'instance', `live-${i % 500}`, 'job', 'bench-live', 'series', String(i)]);
  let second = 0;
  const started = Date.now();
  while (!stopped) {
    const now = Date.now();
    const inflight: Promise<void>[] = [];
    for (let s = 0; s < seriesCount; s += PER_BODY) {
      const series: RemoteWriteSeries[] = [];
      for (let i = s; i < Math.min(seriesCount, s + PER_BODY); i++) series.push({ labels: labels[i]!, samples: [{ timestamp: now, value: (second * 7 + i) % 1000 }] });
      inflight.push(postWrite(writeUrl, snappy.compressSync(encodeWriteRequestV1(series))).then(() => void (sent += series.length)));
      if (inflight.length >= 4) await Promise.all(inflight.splice(0));
    }
    await Promise.all(inflight);
    second++;
    const wait = started + second * 1000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  parentPort!.postMessage({ sent, seconds: (Date.now() - started) / 1000 });
}

void run().catch((err: unknown) => {
  parentPort!.postMessage({ error: String(err) });
});
