/**
 * The log of one topic partition: its segment files, the offsets it has assigned and made
 * visible, a bounded cache of recent records, and the waiters woken when records arrive.
 *
 * Writes come only from the group committer (one round at a time), so appends never race each
 * other; reads run concurrently with them and see only records below the high watermark.
 */
import { mkdir, open, readdir, truncate, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { StreamRecord } from '../port.js';
import { readFully, syncDir, writeFully } from './files.js';
import type { SyncFile } from './files.js';
import { emitEvent as emit } from './events.js';
import type { EmbeddedStreamEvents } from './options.js';
import { decodeFrame, encodeFrame, FRAME_HEADER_BYTES, frameBytes } from './record-format.js';
import { parseSegmentFileName, scanSegment, Segment } from './segment.js';

/** Extra bytes read past `maxBytes` so that the scan from an index entry still fills a batch. */
const READ_SLACK_BYTES = 128 * 1024;

export interface AppendRecord {
  readonly key: string;
  readonly keyBytes: number;
  readonly value: Uint8Array;
  readonly timestamp: number;
}

export interface PartitionLogConfig {
  readonly segmentBytes: number;
  readonly cacheBytes: number;
  /** Null under the `none` policy: nothing is fsynced. */
  readonly syncFile: SyncFile | null;
  readonly events: EmbeddedStreamEvents;
  /** Called after a roll sealed a segment, so that retention can look at the partition. */
  readonly onRoll?: () => void;
}

export interface ReadResult {
  readonly records: StreamRecord[];
  /** Offset to read next: after the last record returned, or past a gap in the log. */
  readonly next: number;
}


export class PartitionLog {
  /** Ordered by base offset; the last one is the active segment. */
  readonly segments: Segment[] = [];
  /** Next offset to assign to a produced record. */
  nextOffset = 0;
  /** Records below this offset are acknowledged and may be delivered. */
  highWatermark = 0;

  private cache: StreamRecord[] = [];
  private cacheCost: number[] = [];
  private cacheHead = 0;
  private cacheBytes = 0;
  /** Written segments replaced by a roll, closed after the round's sync has covered them. */
  private retired: Segment[] = [];
  private waiters = new Set<() => void>();

  private constructor(
    readonly topic: string,
    readonly partition: number,
    readonly dir: string,
    private readonly config: PartitionLogConfig,
  ) {}

  /** Opens the partition directory, recovering every segment and cutting any torn tail. */
  static async open(topic: string, partition: number, dir: string, config: PartitionLogConfig): Promise<PartitionLog> {
    const log = new PartitionLog(topic, partition, dir, config);
    await mkdir(dir, { recursive: true });
    const bases = (await readdir(dir))
      .map(parseSegmentFileName)
      .filter((b): b is number => b !== null)
      .sort((a, b) => a - b);
    for (let i = 0; i < bases.length; i++) {
      const scan = await scanSegment(dir, bases[i]!);
      const seg = scan.segment;
      if (scan.fileBytes > seg.size) {
        await truncate(seg.path, seg.size);
        emit(config.events, 'onRecovery', {
          topic,
          partition,
          path: seg.path,
          validRecords: scan.records,
          truncatedBytes: scan.fileBytes - seg.size,
          reason: scan.stopReason ?? 'trailing bytes',
        });
      }
      const isLast = i === bases.length - 1;
      if (seg.size === 0 && !isLast) {
        await unlink(seg.path);
        continue;
      }
      log.segments.push(seg);
    }
    if (log.segments.length === 0) {
      log.segments.push(await log.createSegment(0));
    } else {
      const active = log.active;
      active.writer = await open(active.path, 'r+');
      if (config.syncFile) await config.syncFile(active.writer); // the truncation, if any
    }
    log.nextOffset = log.active.nextOffset;
    log.highWatermark = log.nextOffset;
    return log;
  }

  get active(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  get startOffset(): number {
    return this.segments[0]!.baseOffset;
  }

  get bytesOnDisk(): number {
    let n = 0;
    for (const s of this.segments) n += s.size;
    return n;
  }

  private async createSegment(baseOffset: number): Promise<Segment> {
    const seg = new Segment(this.dir, baseOffset);
    seg.writer = await open(seg.path, 'wx+');
    // The new directory entry must be durable before records in it are acknowledged.
    if (this.config.syncFile) await syncDir(this.dir, this.config.syncFile);
    return seg;
  }

  /**
   * Encodes and writes records (assigning their offsets), rolling segments as they fill.
   * Returns the first offset and the files written, which the caller syncs before `publish`.
   * One buffer and one write per segment touched: the value bytes are copied exactly once.
   */
  async append(records: readonly AppendRecord[]): Promise<{ firstOffset: number; files: FileHandle[] }> {
    const firstOffset = this.nextOffset;
    const files: FileHandle[] = [];
    let i = 0;
    while (i < records.length) {
      let seg = this.active;
      if (seg.size > 0 && seg.size + frameBytes(records[i]!.keyBytes, records[i]!.value.byteLength) > this.config.segmentBytes) {
        this.retired.push(seg);
        seg = await this.createSegment(this.nextOffset);
        this.segments.push(seg);
        this.config.onRoll?.();
      }
      // Take records while they fit the segment (always at least one).
      let bytes = 0;
      let end = i;
      while (end < records.length) {
        const r = records[end]!;
        const fb = frameBytes(r.keyBytes, r.value.byteLength);
        if (end > i && seg.size + bytes + fb > this.config.segmentBytes) break;
        bytes += fb;
        end++;
      }
      const buf = Buffer.allocUnsafe(bytes);
      const frames: number[] = [];
      let pos = 0;
      for (let j = i; j < end; j++) {
        const r = records[j]!;
        frames.push(pos);
        pos += encodeFrame(buf, pos, this.nextOffset + (j - i), r.timestamp, r.key, r.keyBytes, r.value);
      }
      const base = seg.size;
      await writeFully(seg.writer!, buf, base);
      for (let j = i; j < end; j++) {
        const r = records[j]!;
        const offset = this.nextOffset + (j - i);
        const at = frames[j - i]!;
        const len = (j + 1 < end ? frames[j + 1 - i]! : bytes) - at;
        seg.noteFrame(offset, base + at, len, r.timestamp);
        const valueStart = at + len - r.value.byteLength;
        // The cache holds views of the write buffer: no second copy of the value.
        this.cachePush({ offset, key: r.key, value: buf.subarray(valueStart, at + len), timestamp: r.timestamp }, r.keyBytes + r.value.byteLength);
      }
      this.nextOffset += end - i;
      files.push(seg.writer!);
      i = end;
    }
    return { firstOffset, files };
  }

  /** Makes records below `offset` visible to consumers and wakes those waiting. */
  publish(offset: number): void {
    if (offset <= this.highWatermark) return;
    this.highWatermark = offset;
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const w of waiters) w();
  }

  /** Closes segments sealed by a roll once the round that sealed them is durable. */
  async closeRetired(): Promise<FileHandle[]> {
    if (this.retired.length === 0) return [];
    const retired = this.retired;
    this.retired = [];
    const closed: FileHandle[] = [];
    for (const seg of retired) {
      const w = seg.writer;
      seg.writer = null;
      if (!w) continue;
      if (this.config.syncFile) await this.config.syncFile(w);
      await w.close();
      closed.push(w);
    }
    return closed;
  }

  /** Resolves when the high watermark moves past `offset`, or when cancelled. */
  waitBeyond(offset: number): { promise: Promise<void>; cancel: () => void } {
    let wake!: () => void;
    const promise = new Promise<void>((resolve) => {
      wake = resolve;
    });
    if (this.highWatermark > offset) {
      wake();
      return { promise, cancel: () => undefined };
    }
    this.waiters.add(wake);
    return {
      promise,
      cancel: () => {
        this.waiters.delete(wake);
        wake();
      },
    };
  }

  private cachePush(record: StreamRecord, cost: number): void {
    if (this.cacheHead < this.cache.length && this.cache[this.cache.length - 1]!.offset + 1 !== record.offset) {
      this.cacheClear();
    }
    this.cache.push(record);
    this.cacheCost.push(cost);
    this.cacheBytes += cost;
    while (this.cacheBytes > this.config.cacheBytes && this.cacheHead < this.cache.length) {
      this.cacheBytes -= this.cacheCost[this.cacheHead]!;
      this.cacheHead++;
    }
    // Compact now and then rather than shifting on every eviction.
    if (this.cacheHead > 1024 && this.cacheHead * 2 > this.cache.length) {
      this.cache = this.cache.slice(this.cacheHead);
      this.cacheCost = this.cacheCost.slice(this.cacheHead);
      this.cacheHead = 0;
    }
  }

  private cacheClear(): void {
    this.cache = [];
    this.cacheCost = [];
    this.cacheHead = 0;
    this.cacheBytes = 0;
  }

  /**
   * Up to `maxBytes` (key + value bytes) of records from `offset`, at least one record if any is
   * visible. From the cache when it still holds `offset`, else from the segment files.
   */
  async read(offset: number, maxBytes: number): Promise<ReadResult> {
    const from = Math.max(offset, this.startOffset);
    const hw = this.highWatermark;
    if (from >= hw) return { records: [], next: from };
    if (this.cacheHead < this.cache.length && this.cache[this.cacheHead]!.offset <= from) {
      return this.readCache(from, hw, maxBytes);
    }
    return this.readFiles(from, hw, maxBytes);
  }

  private readCache(from: number, hw: number, maxBytes: number): ReadResult {
    const records: StreamRecord[] = [];
    let i = this.cacheHead + (from - this.cache[this.cacheHead]!.offset);
    let bytes = 0;
    while (i < this.cache.length) {
      const r = this.cache[i]!;
      if (r.offset >= hw) break;
      const cost = this.cacheCost[i]!;
      if (records.length > 0 && bytes + cost > maxBytes) break;
      records.push(r);
      bytes += cost;
      i++;
    }
    return { records, next: records.length > 0 ? records[records.length - 1]!.offset + 1 : from };
  }

  private findSegment(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    let best = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return best;
  }

  private async readFiles(from: number, hw: number, maxBytes: number): Promise<ReadResult> {
    const idx = this.findSegment(from);
    const seg = this.segments[idx]!;
    if (from >= seg.nextOffset) {
      // A gap left by recovery: continue at the next segment.
      const next = this.segments[idx + 1];
      return { records: [], next: next ? next.baseOffset : from };
    }
    const end = seg.size;
    let position = seg.positionBefore(from);
    const records: StreamRecord[] = [];
    let bytes = 0;
    // A read handle of its own: the writer may be closed by a roll between two reads.
    let fh: FileHandle;
    try {
      fh = await open(seg.path, 'r');
    } catch (err) {
      // Deleted by retention meanwhile: the caller retries from the new log start.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], next: Math.max(from, this.startOffset) };
      throw err;
    }
    try {
      let window = Math.min(end - position, maxBytes + READ_SLACK_BYTES);
      while (position < end) {
        const buf = await readFully(fh, window, position);
        let pos = 0;
        let refill = false;
        for (;;) {
          if (pos >= buf.length) break;
          const res = decodeFrame(buf, pos, buf.length);
          if (res.kind === 'corrupt') {
            throw new Error(`corrupt record in ${seg.path} at byte ${position + pos}: ${res.reason}`);
          }
          if (res.kind === 'incomplete') {
            if (records.length > 0) return { records, next: records[records.length - 1]!.offset + 1 };
            // One record larger than the window: read exactly it.
            if (res.need > end - position - pos) {
              throw new Error(`record in ${seg.path} at byte ${position + pos} extends past the segment end`);
            }
            position += pos;
            window = Math.min(end - position, Math.max(res.need, window));
            refill = true;
            break;
          }
          const r = res.record;
          if (r.offset >= hw) return this.result(records, from);
          if (r.offset >= from) {
            const cost = r.frameBytes - FRAME_HEADER_BYTES;
            if (records.length > 0 && bytes + cost > maxBytes) return this.result(records, from);
            records.push({ offset: r.offset, key: r.key, value: r.value, timestamp: r.timestamp });
            bytes += cost;
          }
          pos += r.frameBytes;
        }
        if (!refill) {
          if (records.length > 0) return this.result(records, from);
          position += pos;
          window = Math.min(end - position, maxBytes + READ_SLACK_BYTES);
        }
      }
      // Reached the end of this segment without a record at or after `from`.
      return records.length > 0 ? this.result(records, from) : { records, next: Math.max(from, seg.nextOffset) };
    } finally {
      await fh.close();
    }
  }

  private result(records: StreamRecord[], from: number): ReadResult {
    return { records, next: records.length > 0 ? records[records.length - 1]!.offset + 1 : from };
  }

  /** Deletes sealed segments from the front while `shouldDelete` says so; returns those deleted. */
  async deleteOldest(shouldDelete: (seg: Segment, endOffset: number) => boolean): Promise<Array<{ seg: Segment; endOffset: number }>> {
    const deleted: Array<{ seg: Segment; endOffset: number }> = [];
    while (this.segments.length > 1) {
      const seg = this.segments[0]!;
      const endOffset = this.segments[1]!.baseOffset;
      if (seg.writer !== null || !shouldDelete(seg, endOffset)) break;
      this.segments.shift();
      await unlink(seg.path).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
      deleted.push({ seg, endOffset });
    }
    return deleted;
  }

  /** Flushes and closes the files; the log is unusable afterwards. */
  async close(): Promise<void> {
    await this.closeRetired();
    const w = this.active.writer;
    this.active.writer = null;
    if (w) {
      if (this.config.syncFile) await this.config.syncFile(w);
      await w.close();
    }
    for (const wake of this.waiters) wake();
    this.waiters.clear();
    this.cacheClear();
  }
}
