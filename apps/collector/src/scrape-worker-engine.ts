import { Worker } from 'node:worker_threads';
import type { PreparedBatch } from '#pharos/ingest';
import type { ScrapeDefaults, ScrapeReport, TargetDiscoveryJson } from '#pharos/scrape';
import { ENGINE_ERRORS, type ScrapeEngineApi, type ScrapeEngineHost, type ScrapeEngineSettings } from './scrape-engine.js';

/**
 * The scrape engine in a worker thread: parsing, caches and write preparation run on another
 * core with their own heap (a million cached series would otherwise lengthen every garbage
 * collection of the main thread), while the main thread only produces the prepared writes.
 */
export class ScrapeWorkerEngine implements ScrapeEngineApi {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly calls = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private stopped = false;

  constructor(settings: ScrapeEngineSettings, host: ScrapeEngineHost, onCrash: (err: Error) => void) {
    this.worker = new Worker(new URL('./scrape-worker.js', import.meta.url), { workerData: settings });
    this.worker.on('message', (msg: WorkerMessage) => {
      switch (msg.kind) {
        case 'write':
          host.write(msg.prepared).then(
            (receipt) => this.worker.postMessage({ kind: 'written', id: msg.id, ok: true, receipt }),
            (err: unknown) => this.worker.postMessage({ kind: 'written', id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
          );
          return;
        case 'report':
          host.report(msg.report);
          return;
        case 'log':
          host.log(msg.level, msg.message, msg.err);
          return;
        case 'answer': {
          const c = this.calls.get(msg.id);
          this.calls.delete(msg.id);
          if (!c) return;
          if (msg.ok) c.resolve(msg.value);
          else {
            const Known = ENGINE_ERRORS[msg.error!.name];
            c.reject(Known ? new Known(msg.error!.message) : new Error(msg.error!.message));
          }
        }
      }
    });
    this.worker.on('error', (err) => {
      for (const c of this.calls.values()) c.reject(new Error(`scrape worker failed: ${err.message}`));
      this.calls.clear();
      onCrash(err);
    });
    this.worker.on('exit', (code) => {
      if (this.stopped) return;
      for (const c of this.calls.values()) c.reject(new Error(`scrape worker exited with code ${code}`));
      this.calls.clear();
    });
  }

  private call<T>(op: string, ...args: unknown[]): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.calls.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ kind: 'call', id, op, args });
    });
  }

  apply(configs: unknown, defaults: ScrapeDefaults, where: string): Promise<readonly string[]> {
    return this.call('apply', configs, defaults, where);
  }

  addTargets(tenant: string, job: string, targets: readonly string[], labels: Readonly<Record<string, string>>): Promise<void> {
    return this.call('addTargets', tenant, job, targets, labels);
  }

  removeTargets(tenant: string, job: string, targets: readonly string[] | undefined): Promise<number> {
    return this.call('removeTargets', tenant, job, targets);
  }

  targets(tenant: string | undefined, state: string, scrapePool: string | undefined): Promise<TargetDiscoveryJson> {
    return this.call('targets', tenant, state, scrapePool);
  }

  async stop(): Promise<void> {
    try {
      await this.call('stop');
    } finally {
      this.stopped = true;
      await this.worker.terminate();
    }
  }
}

type WorkerMessage =
  | { kind: 'write'; id: number; prepared: PreparedBatch }
  | { kind: 'report'; report: ScrapeReport }
  | { kind: 'log'; level: 'warn' | 'error' | 'debug'; message: string; err?: string }
  | { kind: 'answer'; id: number; ok: boolean; value?: unknown; error?: { name: string; message: string } };
