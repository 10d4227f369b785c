/**
 * Group commit: produce calls queue up while a round is writing; the next round takes all of
 * them, writes each touched partition once and (under the `group` policy) fsyncs each touched
 * file once, then acknowledges every call of the round. The fsync cost is shared by all the
 * calls that arrived during the previous round, which is what makes fsync-per-ack affordable.
 */
import type { FileHandle } from 'node:fs/promises';
import type { ProduceAck } from '../port.js';
import type { SyncFile } from './files.js';
import type { EmbeddedStreamEvents, FsyncPolicy } from './options.js';
import { emitEvent } from './events.js';
import type { AppendRecord, PartitionLog } from './partition-log.js';

export interface ProduceEntry {
  readonly log: PartitionLog;
  readonly record: AppendRecord;
}

interface Pending {
  readonly entries: readonly ProduceEntry[];
  readonly acks: ProduceAck[];
  readonly resolve: (acks: ProduceAck[]) => void;
  readonly reject: (err: unknown) => void;
}

export class GroupCommitter {
  private queue: Pending[] = [];
  private running: Promise<void> | null = null;
  /** Set by a failed write or fsync: the log's tail is uncertain until it is reopened. */
  private failure: Error | null = null;
  private dirty = new Set<FileHandle>();
  private dirtyPaths = new Map<FileHandle, string>();
  private syncTimer: NodeJS.Timeout | null = null;
  private lastSync = Date.now();

  constructor(
    private readonly policy: FsyncPolicy,
    private readonly intervalMs: number,
    private readonly syncFile: SyncFile,
    private readonly events: EmbeddedStreamEvents,
  ) {}

  submit(entries: readonly ProduceEntry[]): Promise<ProduceAck[]> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<ProduceAck[]>((resolve, reject) => {
      this.queue.push({ entries, acks: new Array<ProduceAck>(entries.length), resolve, reject });
      this.running ??= this.drain();
    });
  }

  /** Resolves once every call submitted so far has been acknowledged or rejected. */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Flushes, then fsyncs what the `interval` policy had not yet synced. */
  async close(): Promise<void> {
    await this.flush();
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = null;
    await this.syncDirty();
  }

  /** Forgets files closed by their log, so a timer never syncs a closed handle. */
  forget(file: FileHandle): void {
    this.dirty.delete(file);
    this.dirtyPaths.delete(file);
  }

  private async drain(): Promise<void> {
    // Yield first, so that `running` is assigned before the finally below clears it.
    await Promise.resolve();
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        try {
          await this.round(batch);
        } catch (err) {
          this.failure = err instanceof Error ? err : new Error(String(err));
          for (const p of [...batch, ...this.queue]) p.reject(this.failure);
          this.queue = [];
          emitEvent(this.events, 'onError', { context: 'produce', error: err });
        }
      }
    } finally {
      this.running = null;
    }
  }

  private async round(batch: readonly Pending[]): Promise<void> {
    const byLog = new Map<PartitionLog, { records: AppendRecord[]; slots: Array<[Pending, number]> }>();
    for (const p of batch) {
      p.entries.forEach((e, i) => {
        let g = byLog.get(e.log);
        if (!g) byLog.set(e.log, (g = { records: [], slots: [] }));
        g.records.push(e.record);
        g.slots.push([p, i]);
      });
    }
    const written = await Promise.all(
      [...byLog].map(async ([log, g]) => {
        const { firstOffset, files } = await log.append(g.records);
        g.slots.forEach(([p, i], j) => {
          p.acks[i] = { partition: log.partition, offset: firstOffset + j };
        });
        return { log, files, end: log.nextOffset };
      }),
    );
    if (this.policy === 'group') {
      await Promise.all(written.flatMap((w) => w.files.map((f) => this.timedSync(f, w.log.dir))));
    } else if (this.policy === 'interval') {
      for (const w of written) {
        for (const f of w.files) {
          this.dirty.add(f);
          this.dirtyPaths.set(f, w.log.dir);
        }
      }
      this.scheduleSync();
    }
    for (const w of written) w.log.publish(w.end);
    for (const p of batch) p.resolve(p.acks);
    // Segments sealed this round are durable now (or synced by closeRetired): close them.
    for (const w of written) {
      for (const f of await w.log.closeRetired()) this.forget(f);
    }
  }

  private async timedSync(file: FileHandle, path: string): Promise<void> {
    const t0 = performance.now();
    await this.syncFile(file);
    emitEvent(this.events, 'onFsync', { path, durationMs: performance.now() - t0 });
  }

  private scheduleSync(): void {
    if (this.syncTimer) return;
    const delay = Math.max(0, this.lastSync + this.intervalMs - Date.now());
    this.syncTimer = setTimeout(() => {
      this.syncTimer = null;
      this.syncDirty().catch((err: unknown) => {
        this.failure ??= err instanceof Error ? err : new Error(String(err));
        emitEvent(this.events, 'onError', { context: 'interval fsync', error: err });
      });
    }, delay);
    // Unflushed bytes are in the page cache and survive the process; the timer need not hold it.
    this.syncTimer.unref();
  }

  private async syncDirty(): Promise<void> {
    const files = [...this.dirty];
    const paths = this.dirtyPaths;
    this.dirty = new Set();
    this.dirtyPaths = new Map();
    this.lastSync = Date.now();
    // Started in one tick: a concurrent close() of a handle waits for its pending sync.
    await Promise.all(files.map((f) => this.timedSync(f, paths.get(f) ?? '')));
  }
}
