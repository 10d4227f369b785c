import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { AssemblyFailure, AssemblyResult, AssemblyTask } from './assembly-task.js';

interface Pending {
  readonly resolve: (result: AssemblyResult) => void;
  readonly reject: (err: Error) => void;
}

interface Queued extends Pending {
  /** Builds the task when a worker takes it: packing a read's bytes is spread over its decoding. */
  readonly task: () => Omit<AssemblyTask, 'id'>;
  /** The read's size: smaller reads' tasks go first. */
  readonly size: number;
  readonly seq: number;
}

interface PoolWorker {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
}

/** Tasks posted to a worker at a time: one decoding, one waiting, so it never idles for a message. */
const PER_WORKER = 2;

/**
 * Run from the TypeScript sources (tests, tools with type stripping), a worker needs the
 * sources' `.js` import specifiers mapped to `.ts` files, as the test runner maps them.
 */
const SOURCE_RESOLVE_HOOK =
  'data:text/javascript,' +
  encodeURIComponent(
    `import { registerHooks } from 'node:module';
registerHooks({ resolve(specifier, context, next) {
  try { return next(specifier, context); } catch (err) {
    if (specifier.endsWith('.js') && (specifier.startsWith('.') || specifier.startsWith('/'))) return next(specifier.slice(0, -3) + '.ts', context);
    throw err;
  }
} });`,
  );

/** A worker that cannot start (or keeps dying) is not respawned for every read. */
const MAX_LOST_WORKERS = 3;

function spawn(): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    return new Worker(new URL('./assembly-worker.ts', here), {
      execArgv: ['--experimental-transform-types', '--conditions=source', '--no-warnings', '--import', SOURCE_RESOLVE_HOOK],
    });
  }
  return new Worker(new URL('./assembly-worker.js', here));
}

/**
 * Worker threads that decode and assemble the series of large cold reads (see
 * `SampleRead`), so the main thread evaluates queries while the chunks of the next read are
 * decoded on another core. One worker per core but one (at least one, at most four), spawned
 * at the first task; `close` ends them. Idle workers do not keep the process alive.
 *
 * Tasks wait in the pool, not in the workers' message queues, and the smallest read's go
 * first (ties in arrival order): of the reads a dashboard sends together, the one that can
 * finish soonest does, as the engine's scheduler orders evaluation turns.
 */
export class SeriesAssemblyPool {
  private readonly workers: PoolWorker[] = [];
  private readonly queue: Queued[] = [];
  private nextId = 1;
  private seq = 0;
  private inFlight = 0;
  private closed = false;
  /** Workers lost to errors; past {@link MAX_LOST_WORKERS} the pool refuses work (reads then decode on the calling thread). */
  private lost = 0;

  constructor(private readonly size = Math.max(1, Math.min(4, availableParallelism() - 1))) {}

  /** Threads started so far (for tests). */
  get threads(): number {
    return this.workers.length;
  }

  /**
   * Assembles the task `task()` builds, called when a worker is free for it, on that worker;
   * the task's `bytes` buffer is transferred (unusable here afterwards). `readSize` (the whole
   * read's rows) orders the queue.
   */
  run(task: () => Omit<AssemblyTask, 'id'>, readSize: number): Promise<AssemblyResult> {
    if (this.closed) return Promise.reject(new Error('the assembly pool is closed'));
    if (this.lost >= MAX_LOST_WORKERS) return Promise.reject(new Error(`the assembly pool lost ${this.lost} workers`));
    return new Promise<AssemblyResult>((resolve, reject) => {
      this.queue.push({ task, size: readSize, seq: this.seq++, resolve, reject });
      if (this.inFlight++ === 0) for (const w of this.workers) w.worker.ref();
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const workers = this.workers.splice(0);
    const err = new Error('the assembly pool is closed');
    for (const w of workers) this.fail(w, err);
    for (const q of this.queue.splice(0)) this.reject(q, err);
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let target: PoolWorker | undefined;
      for (const w of this.workers) if (w.pending.size < PER_WORKER && (target === undefined || w.pending.size < target.pending.size)) target = w;
      if (target === undefined || (target.pending.size > 0 && this.workers.length < this.size)) {
        if (this.workers.length >= this.size) return;
        target = this.start();
      }
      let best = 0;
      for (let i = 1; i < this.queue.length; i++) {
        const q = this.queue[i]!;
        const b = this.queue[best]!;
        if (q.size < b.size || (q.size === b.size && q.seq < b.seq)) best = i;
      }
      const q = this.queue.splice(best, 1)[0]!;
      let task: Omit<AssemblyTask, 'id'>;
      try {
        task = q.task();
      } catch (err) {
        this.reject(q, err instanceof Error ? err : new Error(String(err)));
        continue;
      }
      const id = this.nextId++;
      target.pending.set(id, q);
      target.worker.postMessage({ ...task, id } satisfies AssemblyTask, [task.bytes.buffer as ArrayBuffer]);
    }
  }

  private start(): PoolWorker {
    const worker = spawn();
    const entry: PoolWorker = { worker, pending: new Map() };
    worker.on('message', (m: AssemblyResult | AssemblyFailure) => {
      const p = entry.pending.get(m.id);
      if (p === undefined) return;
      entry.pending.delete(m.id);
      this.settled();
      if ('error' in m) p.reject(new Error(`series assembly failed in a worker: ${m.error}`));
      else p.resolve(m);
      this.dispatch();
    });
    const lost = (err: Error): void => {
      const i = this.workers.indexOf(entry);
      if (i < 0) return;
      this.workers.splice(i, 1);
      this.lost++;
      this.fail(entry, err);
      // Queued tasks go to the other workers, or a new one; none past the limit.
      if (this.lost >= MAX_LOST_WORKERS) for (const q of this.queue.splice(0)) this.reject(q, err);
      else this.dispatch();
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`series assembly worker exited (code ${code})`)));
    if (this.inFlight === 0) worker.unref();
    this.workers.push(entry);
    return entry;
  }

  private fail(entry: PoolWorker, err: Error): void {
    for (const p of entry.pending.values()) this.reject(p, err);
    entry.pending.clear();
  }

  private reject(p: Pending, err: Error): void {
    this.settled();
    p.reject(err);
  }

  private settled(): void {
    if (--this.inFlight === 0) for (const w of this.workers) w.worker.unref();
  }
}
