/**
 * Committed chunks stay readable from memory while they end this close to their series' newest
 * sample: a dashboard refresh reads the last few minutes (a 5 m lookback, a 10 m rate window),
 * and a chunk cut shortly before would otherwise send every such read to DuckDB for a handful
 * of rows (~15–25 ms of CPU a query, its scan threads included).
 */
const KEPT_SPAN_MS = 15 * 60_000;
/** Memory for those chunks (bytes plus ~200 per chunk); beyond it they are only on disk. */
const KEPT_MAX_BYTES = 32 << 20;
const KEPT_CHUNK_OVERHEAD = 200;

/** What this bookkeeping reads of a committed chunk (the head's `C`). */
export interface CommittedChunk {
  readonly id: number;
  readonly maxT: number;
  readonly data: Uint8Array;
}

/**
 * What the head knows of the chunks flushes committed, so that reads of recent windows need
 * not ask DuckDB (ADR 0011, "Refresh reads answered from the head"): per series the newest end
 * of a chunk on disk ({@link diskMaxT}), and the newest committed chunks themselves, kept in
 * memory for a while ({@link kept}). A kept chunk does not count in `diskMaxT`: a read takes it
 * either from here (when it skips the disk for the series) or from the disk, never twice.
 */
export class CommittedChunks<C extends CommittedChunk> {
  private diskMax = new Float64Array(0);
  private readonly keptBySeries = new Map<number, C[]>();
  private keptBytes = 0;
  /** Newest end of a chunk committed so far: kept chunks of series that stopped age out against it. */
  private newestCommitted = -Infinity;
  /**
   * The kept chunks in the order they were committed (from `queueHead` on; chunks dropped
   * since are skipped when reached). Commit order is close to end-time order, so the chunks
   * that age out are at its front: a flush looks at those instead of every kept chunk, which
   * at 100 k series (~90 k kept chunks) cost ~2 % of the write path's CPU, once a flush.
   */
  private queue: (C | undefined)[] = [];
  private queueHead = 0;

  /** Makes room for series ids below `capacity`. */
  ensure(capacity: number): void {
    if (capacity <= this.diskMax.length) return;
    const next = new Float64Array(capacity).fill(-Infinity);
    next.set(this.diskMax);
    this.diskMax = next;
  }

  /**
   * The newest end of a chunk of `id` on disk and not kept, as far as this head knows: an
   * upper bound (deletes only lower the truth), `-Infinity` when none. A read of `[start, end]`
   * with `diskMaxT(id) < start` finds all of `id`'s samples in the head and {@link kept}.
   */
  diskMaxT(id: number): number {
    return id < this.diskMax.length ? this.diskMax[id]! : -Infinity;
  }

  /** Notes a chunk found on disk when the store opens (`ensure` must cover `id`). */
  foundOnDisk(id: number, maxT: number): void {
    if (maxT > this.diskMax[id]!) this.diskMax[id] = maxT;
  }

  /**
   * Notes `chunks`, just committed: the newest are kept (within the memory budget), the others
   * count in {@link diskMaxT}; kept chunks that aged out move to the disk's side. `seriesMaxT`
   * is the newest sample time per series.
   */
  committed(chunks: readonly C[], seriesMaxT: Float64Array): void {
    for (const c of chunks) if (c.maxT > this.newestCommitted) this.newestCommitted = c.maxT;
    this.ageOut(seriesMaxT);
    for (const c of chunks) {
      const bytes = c.data.length + KEPT_CHUNK_OVERHEAD;
      if (this.keeps(c, seriesMaxT) && this.keptBytes + bytes <= KEPT_MAX_BYTES) {
        const list = this.keptBySeries.get(c.id);
        if (list === undefined) this.keptBySeries.set(c.id, [c]);
        else list.push(c);
        this.keptBytes += bytes;
        this.queue.push(c);
      } else this.toDisk(c, false);
    }
  }

  /**
   * Moves kept chunks that no longer keep to the disk's side, oldest commit first, up to the
   * first that still keeps. A chunk behind that one which would already age out (one of an
   * out-of-order seal, committed late with an old end) stays a little longer: within the
   * memory bound, and reads are right either way, since a kept chunk is read from here or
   * from the disk, never both.
   */
  private ageOut(seriesMaxT: Float64Array): void {
    const queue = this.queue;
    let head = this.queueHead;
    while (head < queue.length) {
      const c = queue[head]!;
      const list = this.keptBySeries.get(c.id);
      const i = list === undefined ? -1 : list.indexOf(c);
      if (i >= 0) {
        if (this.keeps(c, seriesMaxT)) break;
        list!.splice(i, 1);
        if (list!.length === 0) this.keptBySeries.delete(c.id);
        this.toDisk(c, true);
      }
      queue[head++] = undefined; // Not kept alive by the queue once passed.
    }
    if (head === queue.length) {
      queue.length = 0;
      head = 0;
    } else if (head > 4096 && head > queue.length >>> 1) {
      queue.copyWithin(0, head);
      queue.length -= head;
      head = 0;
    }
    this.queueHead = head;
  }

  /** The committed chunks of `id` kept in memory, if any (in commit order; they may overlap). */
  kept(id: number): readonly C[] | undefined {
    return this.keptBySeries.get(id);
  }

  /** Forgets the kept chunks of `id` (its samples change on disk). */
  drop(id: number): void {
    const list = this.keptBySeries.get(id);
    if (list === undefined) return;
    for (const c of list) this.toDisk(c, true);
    this.keptBySeries.delete(id);
  }

  /** Whether a chunk ends within {@link KEPT_SPAN_MS} of its series' newest sample and of the newest commit. */
  private keeps(c: C, seriesMaxT: Float64Array): boolean {
    return c.maxT >= Math.max(seriesMaxT[c.id]!, this.newestCommitted) - KEPT_SPAN_MS;
  }

  private toDisk(c: C, wasKept: boolean): void {
    if (c.maxT > this.diskMax[c.id]!) this.diskMax[c.id] = c.maxT;
    if (wasKept) this.keptBytes -= c.data.length + KEPT_CHUNK_OVERHEAD;
  }
}
