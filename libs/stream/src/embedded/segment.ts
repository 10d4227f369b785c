/**
 * One segment file of a partition: `<20-digit base offset>.log`, frames back to back
 * (see record-format.ts), with a sparse in-memory index from offset to file position.
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { readFully } from './files.js';
import { decodeFrame, FRAME_HEADER_BYTES } from './record-format.js';

/** One index entry per this many bytes: a read skips at most this much to find its offset. */
const INDEX_INTERVAL_BYTES = 64 * 1024;
const SCAN_CHUNK_BYTES = 4 * 1024 * 1024;

export function segmentFileName(baseOffset: number): string {
  return `${String(baseOffset).padStart(20, '0')}.log`;
}

export function parseSegmentFileName(name: string): number | null {
  const m = /^(\d{20})\.log$/.exec(name);
  return m ? Number(m[1]) : null;
}

export class Segment {
  /** Offset after the last complete record in the file. */
  nextOffset: number;
  /** Bytes of complete frames; the file never holds acknowledged bytes beyond this. */
  size = 0;
  /** Newest record timestamp, for age-based retention. */
  maxTimestamp = 0;
  /** Open read-write while this is the active segment; sealed segments are opened per read. */
  writer: FileHandle | null = null;
  private readonly idxOffsets: number[] = [];
  private readonly idxPositions: number[] = [];
  private lastIndexedPosition = -Infinity;

  constructor(
    readonly dir: string,
    readonly baseOffset: number,
  ) {
    this.nextOffset = baseOffset;
  }

  get path(): string {
    return join(this.dir, segmentFileName(this.baseOffset));
  }

  /** Records a frame written (or found on open) at `position`. */
  noteFrame(offset: number, position: number, frameBytes: number, timestamp: number): void {
    if (position - this.lastIndexedPosition >= INDEX_INTERVAL_BYTES) {
      this.idxOffsets.push(offset);
      this.idxPositions.push(position);
      this.lastIndexedPosition = position;
    }
    this.nextOffset = offset + 1;
    this.size = position + frameBytes;
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
  }

  /** File position of the indexed frame at or before `offset` (a scan start, not exact). */
  positionBefore(offset: number): number {
    let lo = 0;
    let hi = this.idxOffsets.length - 1;
    let best = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.idxOffsets[mid]! <= offset) {
        best = this.idxPositions[mid]!;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return best;
  }
}

export interface ScanResult {
  readonly segment: Segment;
  /** Length of the file on disk; more than `segment.size` when the tail is torn or corrupt. */
  readonly fileBytes: number;
  readonly records: number;
  /** Why the scan stopped before the end of the file, if it did. */
  readonly stopReason: string | null;
}

/**
 * Reads a segment from the start, checking every frame's CRC and that offsets continue from the
 * base. Stops at the first frame that is incomplete or invalid: that is where a crash tore the
 * write, and nothing after it can be trusted.
 */
export async function scanSegment(dir: string, baseOffset: number): Promise<ScanResult> {
  const segment = new Segment(dir, baseOffset);
  const fh = await open(segment.path, 'r');
  try {
    const fileBytes = (await fh.stat()).size;
    let records = 0;
    let bufStart = 0;
    let buf = await readFully(fh, Math.min(SCAN_CHUNK_BYTES, fileBytes), 0);
    let pos = 0;
    let expected = baseOffset;
    for (;;) {
      const filePos = bufStart + pos;
      if (filePos >= fileBytes) return { segment, fileBytes, records, stopReason: null };
      const res = decodeFrame(buf, pos, buf.length);
      if (res.kind === 'incomplete') {
        const need = Math.max(res.need, FRAME_HEADER_BYTES);
        if (filePos + need > fileBytes) {
          return { segment, fileBytes, records, stopReason: `torn frame at byte ${filePos}` };
        }
        // Refill the window starting at this frame.
        bufStart = filePos;
        buf = await readFully(fh, Math.min(Math.max(SCAN_CHUNK_BYTES, need), fileBytes - filePos), filePos);
        pos = 0;
        continue;
      }
      if (res.kind === 'corrupt') {
        return { segment, fileBytes, records, stopReason: `${res.reason} at byte ${filePos}` };
      }
      const r = res.record;
      if (r.offset !== expected) {
        return { segment, fileBytes, records, stopReason: `offset ${r.offset} where ${expected} was expected at byte ${filePos}` };
      }
      segment.noteFrame(r.offset, filePos, r.frameBytes, r.timestamp);
      records++;
      expected++;
      pos += r.frameBytes;
    }
  } finally {
    await fh.close();
  }
}
