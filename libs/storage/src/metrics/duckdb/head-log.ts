/**
 * Framing of head-log segments (see `ChunkHead.packLog`): varints, bytes and doubles packed
 * into blobs written as `head_log` rows, and the matching reader used on open.
 */
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
    new DataView(this.buf.buffer, this.buf.byteOffset).setFloat64(this.n, v, true);
    this.n += 8;
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
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
