/** Packs bodies into large shared allocations: one allocation per 64 MiB, not per body. */
export class Slab {
  private static readonly SIZE = 64 * 2 ** 20;
  private block = Buffer.allocUnsafeSlow(0);
  private used = 0;

  copy(src: Buffer): Buffer {
    if (this.used + src.length > this.block.length) {
      this.block = Buffer.allocUnsafeSlow(Math.max(Slab.SIZE, src.length));
      this.used = 0;
    }
    const out = this.block.subarray(this.used, this.used + src.length);
    src.copy(out);
    this.used += src.length;
    return out;
  }
}
