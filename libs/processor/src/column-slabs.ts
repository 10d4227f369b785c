/**
 * 8-byte-aligned memory for the sample columns of decoded stream records, handed out as
 * slices of 1 MiB blocks (see `DecodeMetricBatchOptions.columnMemory`).
 *
 * Why: most records arrive as views at odd offsets into the stream's read buffers, so their
 * columns must be copied to be read as `Float64Array`s; an `ArrayBuffer` per record (a few KB
 * each, thousands a second) cost an allocation each and, counted as external memory, started
 * major GCs. A block is never reused: it is freed when the last batch viewing it is gone,
 * which is soon, since the processor holds a record only until it is appended. Records
 * larger than a quarter of a block get memory of their own.
 */
export class ColumnSlabs {
  private block = new Uint8Array(0);
  private used = 0;

  constructor(private readonly blockBytes = 1 << 20) {
    if (!(Number.isInteger(blockBytes) && blockBytes >= 64 && blockBytes % 8 === 0)) {
      throw new RangeError(`block size must be a multiple of 8 bytes, at least 64, got ${blockBytes}`);
    }
  }

  /** At least `byteLength` bytes on an 8-byte boundary; a fresh slice, never handed out before. */
  readonly take = (byteLength: number): Uint8Array => {
    const size = Math.ceil(byteLength / 8) * 8;
    if (size > this.blockBytes / 4) return new Uint8Array(size);
    if (this.used + size > this.block.length) {
      this.block = new Uint8Array(this.blockBytes);
      this.used = 0;
    }
    const out = this.block.subarray(this.used, this.used + size);
    this.used += size;
    return out;
  };
}
