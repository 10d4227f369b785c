/**
 * The main thread's handle on the load-generator threads: it starts them (they pre-build
 * their bodies), points them at a target for one run, reads their shared counters, and stops
 * them.
 */
import { Worker } from 'node:worker_threads';
import type { LoadWorkerCommand, LoadWorkerEvent, LoadWorkerInit } from './load-worker.js';
import { SCRAPE_INTERVAL_MS } from './series.js';
import { SharedLoadState, type CounterTotals } from './shared-state.js';
import type { Workload } from './workload.js';

export interface LoadGeneratorOptions {
  readonly workload: Workload;
  readonly threads: number;
  readonly inflight: number;
  readonly ringBytes: number;
  readonly maxSkewSteps: number;
  readonly log: (line: string) => void;
}

export interface RingSummary {
  readonly steps: { min: number; max: number };
  readonly bytes: number;
  readonly samples: number;
  readonly buildMs: number;
}

export class LoadGenerator {
  private readonly state: SharedLoadState;
  private readonly workers: Worker[] = [];
  private waiting: ((e: LoadWorkerEvent, worker: Worker) => void) | undefined;
  /** Rejects when a thread dies: whoever waits on the threads races against it. */
  private readonly failure: Promise<never>;
  private fail: (err: Error) => void = () => {};

  private constructor(private readonly options: LoadGeneratorOptions) {
    this.state = new SharedLoadState(options.workload.senders);
    this.failure = new Promise<never>((_, reject) => {
      this.fail = reject;
    });
    void this.failure.catch(() => {});
  }

  /** Starts the threads and resolves once every body ring is built. */
  static async start(options: LoadGeneratorOptions): Promise<{ generator: LoadGenerator; ring: RingSummary }> {
    const g = new LoadGenerator(options);
    const ring = await g.spawn();
    return { generator: g, ring };
  }

  private async spawn(): Promise<RingSummary> {
    const { workload, threads } = this.options;
    const perThread: number[][] = Array.from({ length: threads }, () => []);
    for (let s = 0; s < workload.senders; s++) perThread[s % threads]!.push(s);
    const ready = new Map<Worker, Extract<LoadWorkerEvent, { type: 'ready' }>>();
    const rssBeforeBytes = process.memoryUsage.rss();
    const allReady = new Promise<void>((resolve) => {
      this.waiting = (e, worker) => {
        if (e.type === 'progress') {
          this.options.log(`  sender ${e.sender}: ${e.steps} steps, ${(e.bytes / 2 ** 20).toFixed(0)} MiB${e.note !== undefined ? ` (${e.note})` : ''}`);
        }
        if (e.type !== 'ready') return;
        ready.set(worker, e);
        if (ready.size === this.workers.length) resolve();
      };
    });
    for (const senderIds of perThread) {
      if (senderIds.length === 0) continue;
      const init: LoadWorkerInit = {
        workload,
        senderIds,
        ringBytesPerSender: Math.floor(this.options.ringBytes / workload.senders),
        rssBeforeBytes,
        inflight: this.options.inflight,
        maxSkewSteps: this.options.maxSkewSteps,
        buffers: this.state.buffers,
      };
      const worker = new Worker(new URL('./load-worker.js', import.meta.url), { workerData: init });
      worker.on('message', (e: LoadWorkerEvent) => this.onEvent(e, worker));
      worker.on('error', (err) => {
        this.options.log(`load generator thread failed: ${err.stack ?? err.message}`);
        this.fail(err);
      });
      this.workers.push(worker);
    }
    await Promise.race([allReady, this.failure]);
    const rings = [...ready.values()].flatMap((r) => r.rings);
    return {
      steps: { min: Math.min(...rings.map((r) => r.steps)), max: Math.max(...rings.map((r) => r.steps)) },
      bytes: rings.reduce((a, r) => a + r.bytes, 0),
      samples: rings.reduce((a, r) => a + r.samples, 0),
      buildMs: Math.max(...[...ready.values()].map((r) => r.buildMs)),
    };
  }

  private onEvent(e: LoadWorkerEvent, worker: Worker): void {
    if (e.type === 'refused') {
      this.options.log(`  sender ${e.sender}: refused with ${e.status}: ${e.text.trim()}`);
      return;
    }
    this.waiting?.(e, worker);
  }

  /** Starts sending to `url`; returns a function that stops and resolves when all requests ended. */
  run(url: string): () => Promise<void> {
    this.state.reset();
    let stopped = 0;
    const allStopped = new Promise<void>((resolve) => {
      this.waiting = (e) => {
        if (e.type === 'stopped' && ++stopped === this.workers.length) resolve();
      };
    });
    for (const w of this.workers) w.postMessage({ type: 'run', url } satisfies LoadWorkerCommand);
    return async () => {
      this.state.requestStop();
      await Promise.race([allStopped, this.failure]);
    };
  }

  counters(): CounterTotals {
    return this.state.totals();
  }

  /**
   * The newest scrape time (ms, before the per-host offset) of the steps every sender has had
   * acknowledged in the current run: a timestamp inside the range the target is receiving.
   */
  dataTimeMs(): number {
    const w = this.options.workload;
    const scrapes = Math.max(0, this.state.minStepDone() * w.samplesPerSeries - 1);
    return w.startMs + scrapes * SCRAPE_INTERVAL_MS;
  }

  async close(): Promise<void> {
    for (const w of this.workers) w.postMessage({ type: 'exit' } satisfies LoadWorkerCommand);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
