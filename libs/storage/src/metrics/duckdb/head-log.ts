/**
 * Framing of head-log segments (see `ChunkHead.packLog`): varints, bytes and doubles packed
 * into blobs written as `head_log` rows, and the matching reader used on open.
 */
const f64Scratch = new Float64Array(1);
const f64ScratchBytes = new Uint8Array(f64Scratch.buffer);
/** The log stores doubles little-endian (see `LogReader.f64`). */
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Packs head-log segments into blobs of at most ~4 MB. */
export class LogWriter {
  private buf = new Uint8Array(1 << 16);
  private n = 0;
  private readonly done: Uint8Array[] = [];

  constructor(private readonly blobBytes: number) {}

  private room(k: number): void {
    if (this.n + k <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.n + k));
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.n++] = b;
  }

  varint(v: number): void {
    this.room(8);
    while (v >= 0x80) {
      this.buf[this.n++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.n++] = v;
  }

  f64(v: number): void {
    this.room(8);
    // Through a scratch word rather than a DataView per call: a flush writes one per series.
    if (LITTLE_ENDIAN_HOST) {
      f64Scratch[0] = v;
      this.buf.set(f64ScratchBytes, this.n);
    } else {
      new DataView(this.buf.buffer, this.buf.byteOffset).setFloat64(this.n, v, true);
    }
    this.n += 8;
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
  }

  /**
   * Copies `src[from, to)`; a flush copies every touched open chunk's new bytes, and a
   * `subarray` view per series only fed the garbage collector.
   */
  range(src: Uint8Array, from: number, to: number): void {
    const k = to - from;
    this.room(k);
    const buf = this.buf;
    const n = this.n;
    // Most segments are a few bytes: a loop beats setting up a native copy.
    if (k <= 32) for (let i = 0; i < k; i++) buf[n + i] = src[from + i]!;
    else buf.set(src.subarray(from, to), n);
    this.n = n + k;
  }

  /** Ends the current blob once it passed ~4 MB; returns whether it did. */
  maybeCut(): boolean {
    if (this.n < this.blobBytes) return false;
    this.done.push(this.buf.slice(0, this.n));
    this.n = 0;
    return true;
  }

  finish(): Uint8Array[] {
    if (this.n > 0) this.done.push(this.buf.slice(0, this.n));
    this.n = 0;
    return this.done;
  }
}

export class LogReader {
  private pos = 0;
  private readonly view: DataView;

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  done(): boolean {
    return this.pos >= this.buf.length;
  }

  byte(): number {
    return this.buf[this.pos++]!;
  }

  varint(): number {
    let out = 0;
    let mul = 1;
    for (;;) {
      const b = this.buf[this.pos++]!;
      out += (b & 0x7f) * mul;
      if (b < 0x80) return out;
      mul *= 128;
    }
  }

  f64(): number {
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  bytes(n: number): Uint8Array {
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}
