import {
  CUSTOM_BUCKETS_SCHEMA,
  type Labels,
  type MetricBatch,
  MetricBatchBuilder,
  type NativeHistogram,
  RESET_HINT_UNKNOWN,
  isStaleNaN,
  seriesKey,
} from '#pharos/metric-model';
import type { DeltaSamples } from './decoder.js';
import { MAX_MESSAGES } from './translator.js';

export interface DeltaToCumulativeOptions {
  /** Most series whose running totals are kept; a new delta series beyond it is refused. */
  readonly maxSeries: number;
  /** A series that received nothing for this long is forgotten (its next delta starts a new run). */
  readonly maxStaleMs: number;
  readonly now?: () => number;
}

/** The cumulative samples of one request's deltas, and how to undo the state change. */
export interface DeltaConversion {
  readonly batch: MetricBatch;
  readonly rejected: Readonly<Record<string, number>>;
  readonly rejectedDataPoints: number;
  readonly messages: readonly string[];
  /**
   * Restores the state this conversion changed (when the batch could not be written), so the
   * sender's retry is counted once. Entries another request updated since are left alone.
   */
  rollback(): void;
}

interface RunState {
  /** Start time of the cumulative run (the first delta's start). */
  start: number;
  /** Time of the last delta added. */
  last: number;
  value: number;
  histogram: NativeHistogram | undefined;
  seenAt: number;
  version: number;
}

interface UndoEntry {
  readonly key: string;
  readonly previous: RunState | undefined;
  readonly version: number;
}

/**
 * Turns delta-temporality samples into cumulative ones by keeping a running total per series
 * (tenant + translated labels), as the OpenTelemetry Collector's `deltatocumulative`
 * processor does inside Prometheus' OTLP receiver:
 * - the first delta of a series starts a run at its start time;
 * - a delta at or before the last one added is a duplicate or out of order: refused
 *   (`delta_out_of_order`), which also makes a retried request count once;
 * - a delta starting before the run started belongs to an older run: refused
 *   (`delta_older_start`);
 * - a delta starting after the last one ended (a gap: the producer restarted or lost data)
 *   starts a new run, so the cumulative value resets as a restarted counter's would;
 * - otherwise it is added. Histograms are added bucket by bucket (exponential ones at the
 *   coarser of the two scales; custom buckets only with the same bounds, else a new run).
 *
 * The state lives in this process: with several collectors, a series' deltas must all reach
 * the same one (route by series, or send cumulative). Bounded by `maxSeries`; runs idle for
 * `maxStaleMs` are dropped by {@link sweep}.
 */
export class DeltaToCumulative {
  private readonly runs = new Map<string, RunState>();
  private readonly now: () => number;
  /** Stamps every change, so a rollback only undoes what no later request touched. */
  private clock = 0;
  /** Set by {@link step}: the delta starts its run (the caller sets rather than adds). */
  private startsRun = false;

  constructor(private readonly options: DeltaToCumulativeOptions) {
    if (!(options.maxSeries > 0)) throw new RangeError(`maxSeries must be positive, got ${options.maxSeries}`);
    if (!(options.maxStaleMs > 0)) throw new RangeError(`maxStaleMs must be positive, got ${options.maxStaleMs}`);
    this.now = options.now ?? Date.now;
  }

  /** Series whose runs are held. */
  get size(): number {
    return this.runs.size;
  }

  /** Forgets runs idle for longer than `maxStaleMs`; returns how many. */
  sweep(): number {
    const cutoff = this.now() - this.options.maxStaleMs;
    let removed = 0;
    for (const [key, run] of this.runs) {
      if (run.seenAt < cutoff) {
        this.runs.delete(key);
        removed++;
      }
    }
    return removed;
  }

  convert(delta: DeltaSamples): DeltaConversion {
    const src = delta.batch;
    const now = this.now();
    const out = new MetricBatchBuilder(src.tenant, src.series.length, src.timestamps.length);
    const rejected: Record<string, number> = {};
    const messages: string[] = [];
    const undo: UndoEntry[] = [];
    let rejectedPoints = 0;
    const refuse = (reason: string, labels: Labels, detail: string): void => {
      rejected[reason] = (rejected[reason] ?? 0) + 1;
      rejectedPoints++;
      if (messages.length < MAX_MESSAGES) messages.push(`${reason}: series ${describe(labels)}: ${detail}`);
    };

    // Histograms by series, to walk each series once.
    const histogramsOf = new Map<number, number[]>();
    for (let h = 0; h < src.histograms.length; h++) {
      const s = src.histograms[h]!.seriesIndex;
      let list = histogramsOf.get(s);
      if (list === undefined) histogramsOf.set(s, (list = []));
      list.push(h);
    }
    const newIndex = new Int32Array(src.series.length).fill(-1);

    for (let s = 0; s < src.series.length; s++) {
      const labels = src.series[s]!;
      const key = `${src.tenant}\u0002${seriesKey(labels)}`;
      const index = out.addSeries(labels);
      let kept = 0;
      for (let i = src.sampleOffsets[s]!; i < src.sampleOffsets[s + 1]!; i++) {
        const ts = src.timestamps[i]!;
        const v = src.values[i]!;
        if (isStaleNaN(v)) {
          this.forget(key, undo);
          out.addSample(ts, v);
          kept++;
          continue;
        }
        const verdict = this.step(key, ts, delta.floatStarts[i]!, now, undo);
        if (typeof verdict === 'string') {
          refuse(verdict, labels, `delta at ${ts}`);
          continue;
        }
        verdict.value = this.startsRun ? v : verdict.value + v;
        out.addSample(ts, verdict.value);
        kept++;
      }
      for (const h of histogramsOf.get(s) ?? []) {
        const sample = src.histograms[h]!;
        if (isStaleNaN(sample.histogram.sum)) {
          this.forget(key, undo);
          out.addHistogram(index, sample.timestamp, sample.histogram);
          kept++;
          continue;
        }
        const verdict = this.step(key, sample.timestamp, delta.histogramStarts[h]!, now, undo);
        if (typeof verdict === 'string') {
          refuse(verdict, labels, `delta histogram at ${sample.timestamp}`);
          continue;
        }
        verdict.histogram = this.startsRun || verdict.histogram === undefined ? sample.histogram : addHistograms(verdict.histogram, sample.histogram);
        out.addHistogram(index, sample.timestamp, verdict.histogram);
        kept++;
      }
      if (kept === 0) out.dropLastSeries();
      else newIndex[s] = index;
    }
    for (const e of src.exemplars) {
      const to = newIndex[e.seriesIndex]!;
      if (to >= 0) out.addExemplar({ ...e, seriesIndex: to });
    }
    return {
      batch: out.build(),
      rejected,
      rejectedDataPoints: rejectedPoints,
      messages,
      rollback: () => this.rollback(undo),
    };
  }

  /** Applies the run rules to one delta; returns the run to add it to, or a refusal reason. */
  private step(key: string, ts: number, start: number, now: number, undo: UndoEntry[]): RunState | string {
    const run = this.runs.get(key);
    this.startsRun = false;
    if (run === undefined) {
      if (this.runs.size >= this.options.maxSeries) return 'delta_state_full';
      const fresh: RunState = { start, last: ts, value: 0, histogram: undefined, seenAt: now, version: ++this.clock };
      this.runs.set(key, fresh);
      undo.push({ key, previous: undefined, version: fresh.version });
      this.startsRun = true;
      return fresh;
    }
    if (ts <= run.last) return 'delta_out_of_order';
    // A start time of 0 is "unknown": such deltas are simply added.
    if (start !== 0 && start < run.start) return 'delta_older_start';
    const previous = { ...run };
    if (start !== 0 && start > run.last) {
      // A gap: a new run, as a restarted producer's counter.
      run.start = start;
      this.startsRun = true;
    }
    run.last = ts;
    run.seenAt = now;
    run.version = ++this.clock;
    undo.push({ key, previous, version: run.version });
    return run;
  }

  private forget(key: string, undo: UndoEntry[]): void {
    const run = this.runs.get(key);
    if (run === undefined) return;
    this.runs.delete(key);
    undo.push({ key, previous: run, version: -1 });
  }

  private rollback(undo: readonly UndoEntry[]): void {
    for (let i = undo.length - 1; i >= 0; i--) {
      const u = undo[i]!;
      const current = this.runs.get(u.key);
      if (u.version === -1) {
        if (current === undefined && u.previous) this.runs.set(u.key, u.previous);
        continue;
      }
      if (current === undefined || current.version !== u.version) continue;
      if (u.previous === undefined) this.runs.delete(u.key);
      else this.runs.set(u.key, u.previous);
    }
  }
}

/**
 * The sum of two native histograms of one series. Exponential histograms are brought to the
 * coarser schema first; custom-bucket histograms add only with identical bounds, else the
 * newer one replaces the total (a new bucket layout starts a new run, as the Collector does).
 */
export function addHistograms(a: NativeHistogram, b: NativeHistogram): NativeHistogram {
  const custom = a.schema === CUSTOM_BUCKETS_SCHEMA || b.schema === CUSTOM_BUCKETS_SCHEMA;
  if (custom && !(a.schema === b.schema && sameValues(a.customValues, b.customValues))) return b;
  const schema = Math.min(a.schema, b.schema);
  const positive = new Map<number, number>();
  const negative = new Map<number, number>();
  addBuckets(positive, a.positiveSpans, a.positiveCounts, custom ? 0 : a.schema - schema);
  addBuckets(positive, b.positiveSpans, b.positiveCounts, custom ? 0 : b.schema - schema);
  addBuckets(negative, a.negativeSpans, a.negativeCounts, custom ? 0 : a.schema - schema);
  addBuckets(negative, b.negativeSpans, b.negativeCounts, custom ? 0 : b.schema - schema);
  const [positiveSpans, positiveCounts] = toSpans(positive);
  const [negativeSpans, negativeCounts] = toSpans(negative);
  return {
    isInteger: a.isInteger && b.isInteger,
    schema,
    zeroThreshold: Math.max(a.zeroThreshold, b.zeroThreshold),
    zeroCount: a.zeroCount + b.zeroCount,
    count: a.count + b.count,
    sum: a.sum + b.sum,
    positiveSpans,
    positiveCounts,
    negativeSpans,
    negativeCounts,
    resetHint: RESET_HINT_UNKNOWN,
    customValues: custom ? b.customValues : new Float64Array(0),
  };
}

function sameValues(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Adds a side's buckets into `into` by index, merging 2^reduce neighbours (Prometheus' downscaling). */
function addBuckets(into: Map<number, number>, spans: Int32Array, counts: Float64Array, reduce: number): void {
  let index = 0;
  let c = 0;
  for (let s = 0; s < spans.length; s += 2) {
    index += spans[s]!;
    for (let k = 0; k < spans[s + 1]!; k++, index++, c++) {
      // Bucket i covers (base^(i-1), base^i]; at a coarser schema it lands in ((i-1) >> d) + 1.
      const target = reduce === 0 ? index : ((index - 1) >> reduce) + 1;
      into.set(target, (into.get(target) ?? 0) + counts[c]!);
    }
  }
}

function toSpans(buckets: Map<number, number>): [Int32Array, Float64Array] {
  const indexes = [...buckets.keys()].sort((x, y) => x - y);
  const spans: number[] = [];
  const counts = new Float64Array(indexes.length);
  let previous = 0;
  for (let i = 0; i < indexes.length; i++) {
    const idx = indexes[i]!;
    if (i > 0 && idx === previous + 1) spans[spans.length - 1]!++;
    else spans.push(i === 0 ? idx : idx - previous - 1, 1);
    counts[i] = buckets.get(idx)!;
    previous = idx;
  }
  return [Int32Array.from(spans), counts];
}

function describe(labels: Labels): string {
  let out = '{';
  for (let i = 0; i < labels.length; i += 2) {
    if (i > 0) out += ', ';
    out += `${labels[i]}=${JSON.stringify(labels[i + 1])}`;
    if (out.length > 200) return out.slice(0, 200) + '…}';
  }
  return out + '}';
}
