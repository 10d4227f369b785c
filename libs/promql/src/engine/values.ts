import type { Labels, NativeHistogram } from '#pharos/metric-model';
import type { PositionRange } from '../ast.js';
import { lineColumn } from '../parser/go-text.js';

/**
 * Runtime values of the PromQL evaluator, shared by the engine, the function table and the
 * histogram arithmetic. Times are milliseconds since the epoch.
 */

/**
 * A native histogram as the engine computes with it: float counts, absolute bucket values,
 * spans as in the remote-write `BucketSpan`. Stored integer histograms are read into this
 * shape unchanged (`isInteger` only records where a sample came from).
 */
export type FloatHistogram = NativeHistogram;

/** One element of an instant vector: a float sample, or a histogram sample when `h` is set. */
export interface Sample {
  readonly labels: Labels;
  /** Sample time: the evaluation time, except for selectors read by `timestamp()`. */
  readonly t: number;
  /** The float value; ignored when `h` is set. */
  readonly f: number;
  readonly h?: FloatHistogram;
}

export type Vector = Sample[];

/**
 * The samples of one series inside one range window `(t - range, t]`, as a view on arrays the
 * engine owns: floats at indexes `[floatFrom, floatTo)` of `timestamps`/`values`, histograms at
 * `[histFrom, histTo)` of `histTimestamps`/`histograms`. Kernels MUST NOT keep the arrays.
 * Staleness markers are never in a window.
 */
export interface RangeWindow {
  readonly labels: Labels;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  readonly floatFrom: number;
  readonly floatTo: number;
  readonly histTimestamps: Float64Array;
  readonly histograms: readonly FloatHistogram[];
  readonly histFrom: number;
  readonly histTo: number;
}

/**
 * Warnings and infos attached to a query result, as Prometheus 3 returns them
 * (`"warnings"` and `"infos"` in the API response). Messages follow Prometheus' wording,
 * e.g. `PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "foo"`.
 */
export class Annotations {
  readonly warnings = new Set<string>();
  readonly infos = new Set<string>();
  /** Rendered text by message without position: Prometheus deduplicates on the latter, last one wins. */
  private readonly rendered = new Map<string, string>();

  /**
   * With the query text, an annotation given the position of the expression it is about ends
   * in ` (line:col)`, as Prometheus renders annotations for the API.
   */
  constructor(private readonly query?: string) {}

  warn(message: string, pos?: PositionRange): void {
    this.add(this.warnings, message, pos);
  }

  info(message: string, pos?: PositionRange): void {
    this.add(this.infos, message, pos);
  }

  merge(other: Annotations): void {
    for (const w of other.warnings) this.add(this.warnings, w, undefined);
    for (const i of other.infos) this.add(this.infos, i, undefined);
  }

  private add(into: Set<string>, message: string, pos: PositionRange | undefined): void {
    const text = pos === undefined || this.query === undefined ? message : `${message} (${lineColumn(this.query, pos.start)})`;
    const previous = this.rendered.get(message);
    if (previous !== undefined) into.delete(previous);
    this.rendered.set(message, text);
    into.add(text);
  }
}
