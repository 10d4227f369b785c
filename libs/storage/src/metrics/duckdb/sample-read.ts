import type { SeriesAssemblyPool } from './assembly-pool.js';
import type { AssemblyTask } from './assembly-task.js';
import { mergeSampleRuns, type Run } from './chunk-head.js';
import { assembleSeries, type ChunkRows } from './series-assembly.js';

/**
 * Reads of at least this many samples in their chunk rows (~45 series over 24 h at 15 s) are
 * assembled on the pool. Counted in samples, not rows: the work is per sample, and a row
 * holds from one to 240 of them.
 */
export const POOL_MIN_SAMPLES = 1 << 18;
/** Samples per pool task (in whole series): the first series are ready while the rest are decoded. */
const PART_SAMPLES = 1 << 18;

interface Part {
  /** Series `[from, to)` of the read. */
  readonly from: number;
  readonly to: number;
  /** Settles when the result is in (or the pool failed: then the series are assembled here). */
  done: Promise<void>;
  settled: boolean;
  samples?: Float64Array;
  /** Where series `from + k` starts in `samples`, and how many samples it has. */
  offsets?: Int32Array;
  lengths?: Int32Array;
}

/**
 * A read's rows fetched but not yet decoded: {@link take} assembles one series at a time.
 * The store's `select` decodes each series as its consumer pulls it, so a cold read of 1,000
 * series is not one synchronous block of ~50 ms of decoding on the event loop (queries in
 * flight beside it wait for none), and each series' arrays are made just before they are used.
 *
 * A large read ({@link POOL_MIN_SAMPLES} samples or more) can be handed to a
 * {@link SeriesAssemblyPool} ({@link assembleOn}): its series are decoded on worker threads
 * in parts, in order, while the main thread evaluates; {@link ready} tells when a series'
 * part is in. Workers run the same assembly code, so answers are the same to the bit; a part
 * the pool fails on is assembled here. Small reads stay on this thread, where the hop would
 * cost more than the decoding.
 */
export class SampleRead {
  private parts: Part[] | undefined;
  private partOf: Int32Array | undefined;

  constructor(
    private readonly rows: ChunkRows,
    private readonly first: Int32Array,
    private readonly order: Int32Array,
    private readonly headRuns: (Run[] | undefined)[],
    private readonly start: number,
    private readonly end: number,
  ) {}

  /** Starts assembling the read on `pool` when it is large enough; call before the first {@link take}. */
  assembleOn(pool: SeriesAssemblyPool): void {
    const { rows, first, order } = this;
    if (rowSamples(rows, 0, rows.length) < POOL_MIN_SAMPLES) return;
    const slots = first.length - 1;
    const parts: Part[] = [];
    const partOf = new Int32Array(slots);
    for (let next = 0; next < slots; ) {
      const from = next;
      let to = from;
      for (let samples = 0; to < slots && samples < PART_SAMPLES; to++) {
        for (let k = first[to]!; k < first[to + 1]!; k++) samples += rows.count[order[k]!]!;
      }
      next = to;
      const part = { from, to, settled: false } as Part;
      partOf.fill(parts.length, from, to);
      part.done = pool
        .run(() => this.task(from, to), rows.length)
        .then(
          (result) => {
            const offsets = new Int32Array(to - from);
            for (let k = 1, at = 0; k < to - from; k++) offsets[k] = at += 2 * result.lengths[k - 1]!;
            part.samples = result.samples;
            part.offsets = offsets;
            part.lengths = result.lengths;
          },
          () => undefined,
        )
        .finally(() => {
          part.settled = true;
        });
      parts.push(part);
    }
    this.parts = parts;
    this.partOf = partOf;
  }

  /** A promise to await before {@link take} of `slot` when its series is still being assembled on the pool. */
  ready(slot: number): Promise<void> | undefined {
    const part = this.parts?.[this.partOf![slot]!];
    return part === undefined || part.settled ? undefined : part.done;
  }

  /** Samples of the series at `slot` (its index in the read's ids), or undefined when it has none; call once per slot. */
  take(slot: number): Run | undefined {
    const part = this.parts?.[this.partOf![slot]!];
    if (part?.samples !== undefined) {
      const k = slot - part.from;
      const n = part.lengths![k]!;
      if (n === 0) return undefined;
      const at = part.offsets![k]!;
      return [part.samples.subarray(at, at + n), part.samples.subarray(at + n, at + 2 * n), n];
    }
    const runs = this.headRuns[slot];
    this.headRuns[slot] = undefined;
    let run: Run | undefined;
    const from = this.first[slot]!;
    const to = this.first[slot + 1]!;
    if (from !== to) run = assembleSeries(this.rows, this.order, from, to, runs, this.start, this.end);
    else if (runs !== undefined) run = mergeSampleRuns(runs);
    return run !== undefined && run[2] > 0 ? run : undefined;
  }

  /** Series `[from, to)` as a pool task: their rows in order, the bytes packed back to back. */
  private task(from: number, to: number): Omit<AssemblyTask, 'id'> {
    const { rows, order, first } = this;
    const rowCount = first[to]! - first[from]!;
    const rowFirst = new Int32Array(to - from + 1);
    const minT = new Float64Array(rowCount);
    const maxT = new Float64Array(rowCount);
    const count = new Int32Array(rowCount);
    const byteFirst = new Int32Array(rowCount + 1);
    let bytes = 0;
    for (let k = first[from]!; k < first[to]!; k++) bytes += rows.data[order[k]!]!.length;
    const packed = new Uint8Array(bytes);
    let r = 0;
    for (let s = from; s < to; s++) {
      rowFirst[s - from] = r;
      for (let k = first[s]!; k < first[s + 1]!; k++, r++) {
        const p = order[k]!;
        minT[r] = rows.minT[p]!;
        maxT[r] = rows.maxT[p]!;
        count[r] = rows.count[p]!;
        const data = rows.data[p]!;
        packed.set(data, byteFirst[r]!);
        byteFirst[r + 1] = byteFirst[r]! + data.length;
      }
    }
    rowFirst[to - from] = r;
    return { start: this.start, end: this.end, rowFirst, minT, maxT, count, bytes: packed, byteFirst, headRuns: this.headRuns.slice(from, to) };
  }
}

/** Samples in rows `[from, to)`. */
export function rowSamples(rows: ChunkRows, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n += rows.count[i]!;
  return n;
}
