/**
 * What the result cache needs to know about writes: for one tenant, the earliest sample time
 * written since a point it observed. The cache keeps a step's result only while no sample at
 * or before the latest time that step reads has been written since it was computed, so a late
 * (out-of-order) sample, a slow scraper's in-order sample or a delete invalidates exactly the
 * steps whose windows it falls in.
 */
export interface TenantWriteLog {
  /**
   * An opaque marker of "now" in the tenant's write history. Take it before reading the store:
   * writes that race with the read then count as after the marker, which errs on the side of
   * recomputing.
   */
  mark(tenant: string): number;
  /**
   * The smallest sample timestamp written for the tenant after `mark` was taken: `Infinity`
   * when nothing was written, `-Infinity` when the log no longer remembers that far back or a
   * change of unknown extent (retention, deletion of all time) happened.
   */
  earliestWriteSince(tenant: string, mark: number): number;
}

/** Epochs remembered per tenant; older marks answer `-Infinity` (everything is suspect). */
const MAX_EPOCHS = 4096;

/**
 * A {@link TenantWriteLog} fed by the write path ({@link WriteTrackingStore} calls
 * {@link noteWrite}). Time is cut into epochs, a new one starting at each `mark` that follows a
 * write, each holding the minimum timestamp written during it. Recording a write is O(1);
 * answering is O(epochs since the mark), which for a dashboard refreshed every few seconds is a
 * handful.
 */
export class WriteLog implements TenantWriteLog {
  private readonly tenants = new Map<string, TenantEpochs>();

  mark(tenant: string): number {
    const e = this.epochs(tenant);
    // A mark starts a fresh epoch only when the current one saw writes, so idle tenants do not grow.
    if (e.minTs[e.length - 1] !== Infinity) e.open();
    return e.base + e.length - 1;
  }

  earliestWriteSince(tenant: string, mark: number): number {
    const e = this.tenants.get(tenant);
    if (e === undefined) return -Infinity;
    if (mark < e.base) return -Infinity;
    let min = Infinity;
    for (let i = mark - e.base; i < e.length; i++) if (e.minTs[i]! < min) min = e.minTs[i]!;
    return min;
  }

  /** Records that samples with timestamps from `minTimestamp` on were written for the tenant. */
  noteWrite(tenant: string, minTimestamp: number): void {
    const e = this.epochs(tenant);
    const i = e.length - 1;
    if (minTimestamp < e.minTs[i]!) e.minTs[i] = minTimestamp;
  }

  /** A change whose extent is unknown (retention, deletes): every cached step of the tenant is suspect. */
  noteUnboundedChange(tenant: string): void {
    this.noteWrite(tenant, -Infinity);
  }

  /** An unbounded change for every tenant known so far (a store-wide retention pass). */
  noteUnboundedChangeAll(): void {
    for (const tenant of this.tenants.keys()) this.noteUnboundedChange(tenant);
  }

  private epochs(tenant: string): TenantEpochs {
    let e = this.tenants.get(tenant);
    if (e === undefined) this.tenants.set(tenant, (e = new TenantEpochs()));
    return e;
  }
}

/** A sliding array of per-epoch minimum write timestamps; epoch numbers are `base + index`. */
class TenantEpochs {
  base = 0;
  length = 1;
  minTs = new Float64Array(64).fill(Infinity);

  open(): void {
    if (this.length === MAX_EPOCHS) {
      // Forget the older half; marks from then answer -Infinity.
      const half = MAX_EPOCHS / 2;
      this.minTs.copyWithin(0, half, this.length);
      this.minTs.fill(Infinity, this.length - half);
      this.base += half;
      this.length -= half;
    } else if (this.length === this.minTs.length) {
      const grown = new Float64Array(this.minTs.length * 2).fill(Infinity);
      grown.set(this.minTs);
      this.minTs = grown;
    }
    this.minTs[this.length++] = Infinity;
  }
}
