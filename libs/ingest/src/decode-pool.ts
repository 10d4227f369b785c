import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { RemoteWriteDecodeError } from '#pharos/remote-write';
import type { DecodeWorkerMessage } from './decode-worker.js';
import type { PreparedBatch } from './prepared-batch.js';
import { decodeRequest, type DecodeRequest, type DecodedRequest } from './request-decoders.js';
import { SeriesDefinitions } from './series-definitions.js';

interface Pending {
  readonly resolve: (decoded: DecodedRequest) => void;
  readonly reject: (err: Error) => void;
}

interface PoolWorker {
  worker: Worker;
  readonly pending: Map<number, Pending>;
  /** Confirmations for this worker's series definitions, sent with its next request. */
  confirmed: [number, Uint8Array | null][];
}

/** Bytes of the decode workers' V8 heaps (see {@link IngestDecodePool.memory}). */
export interface DecodeWorkersMemory {
  readonly heapUsed: number;
  readonly heapTotal: number;
  /** Memory outside the heaps that V8 accounts to them: ArrayBuffers, mostly. */
  readonly external: number;
}

/** Error classes that cross the thread boundary by name, so callers can `instanceof` them. */
const KNOWN_ERRORS: Record<string, new (message: string) => Error> = {
  RemoteWriteDecodeError,
};

/**
 * Decodes and prepares request bodies in worker threads, so the main thread's event loop
 * only admits, produces and processes: decoding is the largest share of ingest CPU, and on a
 * two-core machine the second core would otherwise sit idle. With `workers: 0` everything
 * runs inline (tests, one-core machines).
 */
export class IngestDecodePool {
  private readonly workers: PoolWorker[] = [];
  private nextId = 1;
  private closed = false;
  /** Series definitions of the inline (`workers: 0`) path. */
  private readonly inlineDefinitions = new SeriesDefinitions();

  constructor(
    workers: number,
    private readonly onWorkerError: (err: unknown) => void = () => undefined,
  ) {
    for (let i = 0; i < workers; i++) this.workers.push(this.spawn());
  }

  /** Default size: every core but one (the main thread's), at least one. */
  static defaultSize(): number {
    return Math.max(1, availableParallelism() - 1);
  }

  get size(): number {
    return this.workers.length;
  }

  /**
   * The V8 heaps of the decode workers, summed (empty without workers): the decoders' label
   * caches and per-series tables live there, a large part of the process's memory at a
   * million active series, which the main thread's `nodejs_*` metrics do not show.
   */
  async memory(): Promise<DecodeWorkersMemory> {
    let heapUsed = 0;
    let heapTotal = 0;
    let external = 0;
    const stats = await Promise.all(this.workers.map((w) => w.worker.getHeapStatistics().catch(() => undefined)));
    for (const s of stats) {
      if (s === undefined) continue; // exiting: its successor reports next time
      heapUsed += s.used_heap_size;
      heapTotal += s.total_heap_size;
      external += s.external_memory;
    }
    return { heapUsed, heapTotal, external };
  }

  /**
   * Decodes and prepares `request` on a worker (inline without workers). With
   * `transferBody`, a body that owns its whole `ArrayBuffer` is moved to the worker instead of
   * copied: the caller's buffer is detached (empty) once this returns, so pass it only for a
   * body nothing reads afterwards (an HTTP request body). Copying cost ~2 % of the main
   * thread under bench:ingest, and the copied-from buffer stayed on this thread's external
   * memory until a GC.
   */
  decode(request: DecodeRequest, options: { readonly transferBody?: boolean } = {}): Promise<DecodedRequest> {
    if (this.workers.length === 0) {
      try {
        const decoded = decodeRequest(request, this.inlineDefinitions);
        const ticket = decoded.prepared.definitionTicket;
        if (ticket === 0) return Promise.resolve(decoded);
        const definitions = this.inlineDefinitions;
        return Promise.resolve(withConfirm(decoded, (refused) => definitions.confirm(ticket, refused)));
      } catch (err) {
        return Promise.reject(err as Error);
      }
    }
    if (this.closed) return Promise.reject(new Error('decode pool is closed'));
    // The least busy worker: requests differ in size, so round-robin would queue behind big ones.
    let target = this.workers[0]!;
    for (const w of this.workers) if (w.pending.size < target.pending.size) target = w;
    const id = this.nextId++;
    // A body that owns its whole buffer (Fastify's bodies above 4 KiB do) is transferred when
    // the caller allows it, else cloned into the message: one copy, and no ArrayBuffer
    // allocated on this thread, where V8 counts each as external memory, whose growth is what
    // starts most of this thread's major GCs (see bench/RESULTS.md, 2026-11-27 08:41). A body
    // that views a larger buffer is cut to its own bytes and that copy is transferred (cloning
    // it would copy the whole underlying buffer).
    const body = request.body;
    const owned = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength && !(body.buffer instanceof SharedArrayBuffer);
    return new Promise<DecodedRequest>((resolve, reject) => {
      target.pending.set(id, { resolve, reject });
      const copy = owned ? undefined : new Uint8Array(body);
      const message: DecodeWorkerMessage = { id, request: copy === undefined ? request : { ...request, body: copy }, confirmed: target.confirmed };
      target.confirmed = [];
      if (copy !== undefined) target.worker.postMessage(message, [copy.buffer]);
      else if (options.transferBody === true) target.worker.postMessage(message, [body.buffer as ArrayBuffer]);
      else target.worker.postMessage(message);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
    // Requests still waiting must not hang the HTTP server's shutdown.
    for (const w of this.workers) {
      for (const p of w.pending.values()) p.reject(new Error('decode pool closed while the request was decoding'));
      w.pending.clear();
    }
  }

  private spawn(): PoolWorker {
    const worker = new Worker(new URL('./decode-worker.js', import.meta.url));
    const entry: PoolWorker = { worker, pending: new Map(), confirmed: [] };
    worker.unref();
    worker.on('message', (msg: { id: number; ok: boolean; decoded?: DecodedRequest; error?: { name: string; message: string } }) => {
      const p = entry.pending.get(msg.id);
      if (!p) return;
      entry.pending.delete(msg.id);
      if (msg.ok) {
        const decoded = msg.decoded!;
        const ticket = decoded.prepared.definitionTicket;
        // A replaced worker's entry is gone from the pool: its confirmations go nowhere, as
        // they must (its successor numbers tickets afresh).
        p.resolve(ticket === 0 ? decoded : withConfirm(decoded, (refused) => entry.confirmed.push([ticket, refused ?? null])));
      }
      else {
        const Known = KNOWN_ERRORS[msg.error!.name];
        p.reject(Known ? new Known(msg.error!.message) : new Error(`${msg.error!.name}: ${msg.error!.message}`));
      }
    });
    worker.on('error', (err) => {
      this.onWorkerError(err);
      for (const p of entry.pending.values()) p.reject(new Error(`decode worker failed: ${err.message}`));
      entry.pending.clear();
    });
    worker.on('exit', () => {
      if (this.closed) return;
      for (const p of entry.pending.values()) p.reject(new Error('decode worker exited'));
      entry.pending.clear();
      // Replace a dead worker so one crash does not halve ingest capacity for good.
      const index = this.workers.indexOf(entry);
      if (index >= 0) this.workers[index] = this.spawn();
    });
    return entry;
  }
}

function withConfirm(decoded: DecodedRequest, onDurable: (refused: Uint8Array | undefined) => void): DecodedRequest {
  const prepared: PreparedBatch = { ...decoded.prepared, onDurable };
  return { ...decoded, prepared };
}
