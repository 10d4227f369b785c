import type { Labels, NativeHistogram } from '#pharos/metric-model';
import type { LabelSetUse } from './sent-label-sets.js';

/**
 * The series of one streamed message, columnar: a handful of arrays however many series it
 * holds. Cloning costs per object and moving costs per `ArrayBuffer` (a detach on one side, a
 * new object on the other, about a microsecond each), so a refresh of 4,000 series that read
 * a few samples each must not travel as 4,000 objects with 12,000 arrays: that cost more than
 * the read.
 */
export interface WireSeriesBatch {
  readonly count: number;
  /** Label-set id of each series (see `StoreHost`: the caller caches label sets by id). */
  readonly labelsIds: Int32Array;
  /** Series (index in the batch) whose id is new to the caller, and their labels. */
  readonly newLabelsAt: Int32Array;
  readonly newLabels: readonly Labels[];
  /**
   * Per series and column (`count × columns`), start and length: of `packed` when the start
   * is ≥ 0, else the whole of `moved[-start - 1]`.
   */
  readonly spans: Int32Array;
  readonly packed: Float64Array;
  readonly moved: readonly Float64Array[];
  /** Series with native histograms, and theirs. */
  readonly histogramsAt: Int32Array;
  readonly histograms: readonly (readonly NativeHistogram[])[];
  /** Series flagged `withoutRollups` (rollup answers). */
  readonly withoutRollupsAt: Int32Array;
  /**
   * Per series, the writer's fixed count of numbers (`count × numbersPerSeries`): a counter
   * aggregate's three edge values. Empty for answers that have none.
   */
  readonly numbers: Float64Array;
}

const NO_NUMBERS: readonly number[] = Object.freeze([]);

/** Columns at least this long that own their buffer move as they are; shorter ones are packed. */
const MOVE_WHOLE_VALUES = 8192;

/**
 * Builds a {@link WireSeriesBatch}. Columns are copied into one buffer that moves once, except
 * long columns that own their buffer (the port makes returned arrays the caller's), which
 * move as they are. Views of a larger buffer (rollup columns share one per read, decoded
 * series share their part's) are always copied: moving that buffer would take it from under
 * the other views.
 */
export class SeriesBatchWriter {
  private count = 0;
  private readonly labelsIds: number[] = [];
  private readonly newLabelsAt: number[] = [];
  private readonly newLabels: Labels[] = [];
  private readonly pending: Float64Array[] = [];
  /** Per column: index into `pending` (≥ 0) or moved index as -(k + 1). */
  private readonly slots: number[] = [];
  private readonly moved: Float64Array[] = [];
  private readonly movedBuffers = new Set<ArrayBuffer>();
  private readonly histogramsAt: number[] = [];
  private readonly histograms: (readonly NativeHistogram[])[] = [];
  private readonly withoutRollupsAt: number[] = [];
  private readonly numbers: number[] = [];
  private packedValues = 0;
  /** Values the batch carries (packed or moved). */
  values = 0;
  /** The label-set uses of its series, settled when the batch is sent. */
  readonly labelUses: LabelSetUse[] = [];

  /** `numbersPerSeries`: how many numbers {@link add} takes with each series besides its columns. */
  constructor(
    private readonly columns: number,
    private readonly numbersPerSeries = 0,
  ) {}

  get size(): number {
    return this.count;
  }

  /**
   * Adds a series: its label-set id (with its labels when new to the caller), its columns in
   * order and, when the writer carries numbers per series, exactly that many.
   */
  add(
    labelsId: number,
    newLabels: Labels | undefined,
    columns: readonly Float64Array[],
    histograms: readonly NativeHistogram[] | undefined,
    withoutRollups: boolean,
    numbers: readonly number[] = NO_NUMBERS,
  ): void {
    if (columns.length !== this.columns || numbers.length !== this.numbersPerSeries) {
      throw new Error(`series batch takes ${this.columns} columns and ${this.numbersPerSeries} numbers a series, got ${columns.length} and ${numbers.length}`);
    }
    const i = this.count++;
    for (const x of numbers) this.numbers.push(x);
    this.labelsIds.push(labelsId);
    if (newLabels !== undefined) {
      this.newLabelsAt.push(i);
      this.newLabels.push(newLabels);
    }
    for (const col of columns) {
      this.values += col.length;
      const buffer = col.buffer;
      if (col.length >= MOVE_WHOLE_VALUES && buffer instanceof ArrayBuffer && col.byteOffset === 0 && col.byteLength === buffer.byteLength && !this.movedBuffers.has(buffer)) {
        this.movedBuffers.add(buffer);
        this.slots.push(-(this.moved.push(col) - 1) - 1);
      } else {
        this.slots.push(this.pending.push(col) - 1);
        this.packedValues += col.length;
      }
    }
    if (histograms !== undefined && histograms.length > 0) {
      this.histogramsAt.push(i);
      this.histograms.push(histograms);
    }
    if (withoutRollups) this.withoutRollupsAt.push(i);
  }

  /** The batch, and the buffers its message moves. */
  seal(): { batch: WireSeriesBatch; transfer: ArrayBuffer[] } {
    const packed = new Float64Array(this.packedValues);
    const spans = new Int32Array(2 * this.slots.length);
    let at = 0;
    for (let k = 0; k < this.slots.length; k++) {
      const slot = this.slots[k]!;
      if (slot < 0) {
        spans[2 * k] = slot;
        spans[2 * k + 1] = this.moved[-slot - 1]!.length;
        continue;
      }
      const col = this.pending[slot]!;
      packed.set(col, at);
      spans[2 * k] = at;
      spans[2 * k + 1] = col.length;
      at += col.length;
    }
    const batch: WireSeriesBatch = {
      count: this.count,
      labelsIds: Int32Array.from(this.labelsIds),
      newLabelsAt: Int32Array.from(this.newLabelsAt),
      newLabels: this.newLabels,
      spans,
      packed,
      moved: this.moved,
      histogramsAt: Int32Array.from(this.histogramsAt),
      histograms: this.histograms,
      withoutRollupsAt: Int32Array.from(this.withoutRollupsAt),
      numbers: Float64Array.from(this.numbers),
    };
    const transfer = [packed.buffer, spans.buffer, batch.labelsIds.buffer, batch.numbers.buffer, ...this.movedBuffers] as ArrayBuffer[];
    return { batch, transfer };
  }
}

/** Column `c` of series `i` of a received batch (a view of its packed buffer, or a moved array). */
export function columnOf(batch: WireSeriesBatch, columns: number, i: number, c: number): Float64Array {
  const k = 2 * (i * columns + c);
  const start = batch.spans[k]!;
  if (start < 0) return batch.moved[-start - 1]!;
  return batch.packed.subarray(start, start + batch.spans[k + 1]!);
}
