/**
 * A load-generator thread: it pre-builds the bodies of its senders (encoded and compressed
 * before any clock starts; OTLP/gRPC bodies are compressed by grpc-js as they are sent), then,
 * per run, sends them to one target (`transports.ts`: keep-alive HTTP or one gRPC channel per
 * sender) with a bounded number of requests in flight per sender, retrying 429/5xx (gRPC
 * UNAVAILABLE/RESOURCE_EXHAUSTED) answers with Prometheus' backoff (30 ms doubling to 5 s, or
 * the server's Retry-After).
 *
 * Runs in a worker thread so the sending never shares an event loop with the bench's
 * monitoring, and the target is a separate process altogether.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { OtlpBodyBuilder } from './otlp-bodies.js';
import { buildFleet, type FleetSeries } from './series.js';
import { Counter, SharedLoadState } from './shared-state.js';
import { Slab } from './slab.js';
import { createTransport, type Transport } from './transports.js';
import { encodeBody, samplesInBody, senderBlock, slicesOf, type Workload } from './workload.js';

export interface LoadWorkerInit {
  readonly workload: Workload;
  readonly senderIds: readonly number[];
  /** Bytes of pre-built bodies (as handed to the transport) each sender may keep. */
  readonly ringBytesPerSender: number;
  /** Resident memory of the process before this generator's threads started building. */
  readonly rssBeforeBytes: number;
  readonly inflight: number;
  /** How many steps a sender may run ahead of the slowest one. */
  readonly maxSkewSteps: number;
  readonly buffers: SharedLoadState['buffers'];
}

export type LoadWorkerCommand = { type: 'run'; url: string } | { type: 'exit' };

export type LoadWorkerEvent =
  | { type: 'progress'; sender: number; steps: number; bytes: number; note?: string }
  | { type: 'ready'; rings: { sender: number; steps: number; bytes: number; samples: number }[]; buildMs: number }
  | { type: 'refused'; sender: number; status: string; text: string }
  | { type: 'stopped' };

const MIN_BACKOFF_MS = 30;
const MAX_BACKOFF_MS = 5_000;
const REPORTED_REFUSALS = 5;

interface Sender {
  readonly id: number;
  readonly slices: number;
  readonly samplesPerSlice: readonly number[];
  /** ring[step][slice]: compressed bodies. */
  readonly ring: Buffer[][];
}

const init = workerData as LoadWorkerInit;
const port = parentPort!;
const state = new SharedLoadState(init.workload.senders, init.buffers);
const w = init.workload;
const fleet: FleetSeries[] = buildFleet(Math.max(...init.senderIds.map((s) => senderBlock(w, s).hi)));
const otlp = new OtlpBodyBuilder(fleet, w.startMs);
let refusalsReported = 0;

const senders: Sender[] = buildRings();

port.on('message', (cmd: LoadWorkerCommand) => {
  if (cmd.type === 'exit') {
    port.close();
    return;
  }
  refusalsReported = 0;
  // A failure here is a bug of the bench: let it crash the thread, the main thread reports it.
  void Promise.all(senders.map((s) => runSender(s, cmd.url))).then(() => post({ type: 'stopped' }));
});

function buildRings(): Sender[] {
  const started = performance.now();
  const out: Sender[] = [];
  const rings: { sender: number; steps: number; bytes: number; samples: number }[] = [];
  const slab = new Slab();
  // The whole process: what it held before this generator started (other protocols' rings),
  // every thread's ring plus ~1.5 GiB for the heaps, the fleet and the bodies in flight.
  const rssLimit = init.rssBeforeBytes + init.ringBytesPerSender * init.workload.senders * 1.25 + 1.5 * 2 ** 30;
  for (const id of init.senderIds) {
    const slices = slicesOf(w, id);
    const samplesPerSlice = Array.from({ length: slices }, (_, j) => samplesInBody(w, id, j));
    const perStep = samplesPerSlice.reduce((a, b) => a + b, 0);
    const ring: Buffer[][] = [];
    let bytes = 0;
    let lastReport = performance.now();
    while (ring.length < w.maxSteps) {
      const step = ring.length;
      const bodies: Buffer[] = [];
      let stepBytes = 0;
      for (let j = 0; j < slices; j++) {
        // Bodies packed into large slabs: one allocation per 64 MiB rather than per body.
        const b = slab.copy(encodeBody(w, fleet, id, j, step, otlp));
        bodies.push(b);
        stepBytes += b.length;
      }
      // Always keep at least one step; stop before the budget would be exceeded.
      if (step > 0 && bytes + stepBytes > init.ringBytesPerSender) break;
      // A guard for the machine (shared): whatever the accounting says, never let the ring
      // push the process far past its budget.
      if (step > 0 && process.memoryUsage.rss() > rssLimit) {
        post({ type: 'progress', sender: id, steps: ring.length, bytes, note: 'stopped early: process memory above the ring budget' });
        break;
      }
      ring.push(bodies);
      bytes += stepBytes;
      if (performance.now() - lastReport > 2_000) {
        post({ type: 'progress', sender: id, steps: ring.length, bytes });
        lastReport = performance.now();
      }
    }
    out.push({ id, slices, samplesPerSlice, ring });
    rings.push({ sender: id, steps: ring.length, bytes, samples: ring.length * perStep });
  }
  post({ type: 'ready', rings, buildMs: performance.now() - started });
  return out;
}

async function runSender(s: Sender, url: string): Promise<void> {
  const transport = createTransport(w.protocol, url, init.inflight);
  const inflight = new Set<Promise<void>>();
  // The request carrying each slice's previous step: a slice's next body waits for it, so
  // the samples of one series always arrive in timestamp order.
  const lastOfSlice: (Promise<void> | undefined)[] = new Array<Promise<void> | undefined>(s.slices);
  try {
    for (let step = 0; !state.stopRequested(); step++) {
      if (step >= w.maxSteps) {
        state.set(s.id, Counter.exhausted, 1);
        break;
      }
      while (state.minStepDone() < step - init.maxSkewSteps && !state.stopRequested()) await sleep(1);
      for (let j = 0; j < s.slices && !state.stopRequested(); j++) {
        while (inflight.size >= init.inflight) await Promise.race(inflight);
        const previous = lastOfSlice[j];
        if (previous !== undefined) await previous;
        if (state.stopRequested()) break;
        let body = s.ring[step]?.[j];
        if (body === undefined) {
          body = encodeBody(w, fleet, s.id, j, step, otlp);
          state.add(s.id, Counter.bodiesEncodedLive, 1);
        }
        const p: Promise<void> = send(s, transport, body, s.samplesPerSlice[j]!).finally(() => inflight.delete(p));
        inflight.add(p);
        lastOfSlice[j] = p;
      }
      const stepRequests = lastOfSlice.slice();
      const done = step + 1;
      void Promise.all(stepRequests).then(() => {
        if (Atomics.load(state.stepsDone, s.id) < done) Atomics.store(state.stepsDone, s.id, done);
      });
    }
    await Promise.all(inflight);
  } finally {
    transport.close();
  }
}

/** Sends one body until it is accepted, refused for good, or the run stops. */
async function send(s: Sender, transport: Transport, body: Buffer, samples: number): Promise<void> {
  let backoff = MIN_BACKOFF_MS;
  for (;;) {
    const res = await transport.send(body);
    if (res.kind === 'accepted') {
      // A partial success (OTLP) keeps the good points and says how many it rejected.
      state.add(s.id, Counter.ackedSamples, samples - res.rejected);
      state.add(s.id, Counter.ackedRequests, 1);
      state.add(s.id, Counter.bytesSent, body.length);
      if (res.rejected > 0) state.add(s.id, Counter.rejectedSamples, res.rejected);
      return;
    }
    if (res.kind === 'refused') {
      state.add(s.id, Counter.rejectedRequests, 1);
      state.add(s.id, Counter.rejectedSamples, samples);
      if (refusalsReported++ < REPORTED_REFUSALS) post({ type: 'refused', sender: s.id, status: res.status, text: res.text });
      return;
    }
    if (state.stopRequested()) return;
    state.add(s.id, Counter.retries, 1);
    await sleepUnlessStopped(res.afterMs ?? backoff);
    if (state.stopRequested()) return;
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  }
}

async function sleepUnlessStopped(ms: number): Promise<void> {
  const until = performance.now() + ms;
  while (!state.stopRequested()) {
    const left = until - performance.now();
    if (left <= 0) return;
    await sleep(Math.min(left, 50));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function post(event: LoadWorkerEvent): void {
  port.postMessage(event);
}
