import type { MetricStore } from '#pharos/storage';
import type { SchedulerTask } from './evaluation-scheduler.js';
import { PromQLError, type QueryLimits } from './query-api.js';
import { Annotations } from './values.js';

/** Work units (roughly: samples touched) between looks at the clock. */
const CHECK_EVERY = 4096;
/**
 * Longest stretch of synchronous evaluation before yielding to the event loop. Short, so the
 * scheduler can put a cheap query that became runnable (its read returned) ahead soon, and
 * store reads in flight get their callbacks; a turn costs a few microseconds.
 */
const YIELD_AFTER_MS = 5;

/**
 * Sample counters of Prometheus' `stats.QuerySamples`: total samples read and per step.
 * Subqueries and step-invariant subtrees count into a child that only totals (as Prometheus'
 * `NewChild`), and the parent folds the child in where Prometheus does.
 */
export class SampleStats {
  total = 0;
  constructor(
    /** Per-step totals of the top-level range grid; absent for children and when stats are off. */
    readonly perStep: Float64Array | undefined,
    readonly start: number,
    readonly interval: number,
  ) {}

  incrementAtStep(step: number, n: number): void {
    this.total += n;
    if (this.perStep !== undefined && step >= 0 && step < this.perStep.length) this.perStep[step]! += n;
  }

  incrementAtTimestamp(t: number, n: number): void {
    this.incrementAtStep(Math.floor((t - this.start) / this.interval), n);
  }

  child(): SampleStats {
    return new SampleStats(undefined, 0, 1);
  }

  /** A child that also counts per step of its own grid (a subquery's), for {@link mergeSubquery}. */
  childWithSteps(start: number, interval: number, numSteps: number): SampleStats {
    return new SampleStats(new Float64Array(numSteps), start, interval);
  }

  /**
   * Folds a subquery's samples into this evaluation's steps as Prometheus 3.16 does
   * (`MergeTotalSamplesFromSubquery`): like a range function, each step counts the subquery
   * steps inside its window `(t - range, t]` (shifted by the subquery's offset); with `@`, the
   * one fixed window; with one step or no range, everything.
   */
  mergeSubquery(child: SampleStats, grid: { start: number; interval: number; numSteps: number }, offsetMs: number, rangeMs: number, atMs: number | undefined): void {
    const perStep = child.perStep;
    if (grid.numSteps <= 1 || perStep === undefined) {
      this.incrementAtStep(0, child.total);
      return;
    }
    const childTime = (k: number): number => child.start + k * child.interval + offsetMs;
    if (rangeMs <= 0) {
      // Each subquery step counts once, at the first step at or after it.
      perStep.forEach((n, k) => {
        const step = Math.min(grid.numSteps - 1, Math.max(0, Math.ceil((childTime(k) - grid.start) / grid.interval)));
        this.incrementAtStep(step, n);
      });
      return;
    }
    if (atMs !== undefined) {
      let n = 0;
      perStep.forEach((c, k) => {
        const t = childTime(k);
        if (t > atMs - rangeMs && t <= atMs) n += c;
      });
      for (let step = 0; step < grid.numSteps; step++) this.incrementAtStep(step, n);
      return;
    }
    let sum = 0;
    let lo = 0;
    let hi = 0;
    for (let step = 0; step < grid.numSteps; step++) {
      const maxt = grid.start + step * grid.interval;
      while (hi < perStep.length && childTime(hi) <= maxt) sum += perStep[hi++]!;
      while (lo < hi && childTime(lo) <= maxt - rangeMs) sum -= perStep[lo++]!;
      this.incrementAtStep(step, sum);
    }
  }
}

export interface QueryContextOptions {
  readonly store: MetricStore;
  readonly tenant: string;
  /** The query text, for annotation positions. */
  readonly query: string;
  readonly lookbackMs: number;
  readonly limits: QueryLimits;
  /** Absolute time (Date.now() scale) after which the query times out. */
  readonly deadline: number;
  readonly signal: AbortSignal | undefined;
  /** Aborts store reads on cancellation or at the deadline. */
  readonly storeSignal: AbortSignal;
  /** Step of subqueries written without one (`[5m:]`). */
  readonly defaultEvalIntervalMs: number;
  readonly queryStart: number;
  readonly queryEnd: number;
  /** Resolution of a range query; 0 for an instant query. */
  readonly queryStepMs: number;
  /**
   * Rollup resolution selectors read (`max_source_resolution` resolved against the store's
   * resolutions, ADR 0017); 0 or absent: raw samples.
   */
  readonly sourceResolutionMs?: number;
  /**
   * The evaluation's place with the engine's scheduler: yields wait for its turn (see
   * EvaluationScheduler). Without one, a yield is a plain `setImmediate`.
   */
  readonly task?: SchedulerTask;
}

/**
 * Everything one query evaluation shares: the store and tenant, limits, the deadline and abort
 * signal, Prometheus' running count of samples held in memory, and annotations. The evaluator
 * is pure given the store contents and this context: no clock is read except for the deadline.
 */
export class QueryContext {
  readonly annotations: Annotations;
  /** Samples currently held, as Prometheus' `currentSamples`. */
  currentSamples = 0;
  peakSamples = 0;
  private ticks = 0;
  /** Work units counted so far (samples read, points evaluated): the scheduler's measure of service. */
  private work = 0;
  private lastYield = performance.now();

  constructor(readonly options: QueryContextOptions) {
    this.annotations = new Annotations(options.query);
  }

  get store(): MetricStore {
    return this.options.store;
  }

  /** Adds to the samples in memory and fails the query past the limit. */
  addSamples(n: number): void {
    this.currentSamples += n;
    if (this.currentSamples > this.peakSamples) this.peakSamples = this.currentSamples;
    if (this.currentSamples > this.options.limits.maxSamples) throw tooManySamples();
  }

  /** Sets the samples in memory (after a node released its inputs) and checks the limit. */
  setSamples(n: number): void {
    this.currentSamples = n;
    if (n > this.peakSamples) this.peakSamples = n;
    if (n > this.options.limits.maxSamples) throw tooManySamples();
  }

  /** Throws when the query was canceled or timed out. */
  checkAlive(): void {
    const signal = this.options.signal;
    if (signal?.aborted) throw new PromQLError('canceled', 'query was canceled in expression evaluation');
    // The store reads' signal aborted without a cancellation is the deadline's timer, which may
    // fire before `Date.now()` reaches the deadline (libuv's timers count from the loop's cached
    // time, behind the clock by the work done since): the read it stopped timed out too.
    if (Date.now() >= this.options.deadline || this.options.storeSignal.aborted) throw new PromQLError('timeout', 'query timed out in expression evaluation');
  }

  /** Cheap per-iteration check: looks at the clock every few thousand work units. */
  tick(weight = 1): void {
    this.ticks += weight;
    this.work += weight;
    if (this.ticks >= CHECK_EVERY) {
      this.ticks = 0;
      this.checkAlive();
    }
  }

  /**
   * For hot loops: counts `weight` units of work and, every few thousand, checks the deadline
   * and the abort signal and returns a promise to await when it is time to let the event loop
   * run. Returns undefined otherwise, so the common path costs no microtask.
   */
  poll(weight = 1): Promise<void> | undefined {
    this.ticks += weight;
    this.work += weight;
    if (this.ticks < CHECK_EVERY) return undefined;
    this.ticks = 0;
    this.checkAlive();
    return this.shouldYield() ? this.yieldNow() : undefined;
  }

  /** True when evaluation has run long enough without letting other work (ingestion) in. */
  shouldYield(): boolean {
    return performance.now() - this.lastYield > YIELD_AFTER_MS;
  }

  /** Lets the event loop run, then checks for cancellation. */
  async yieldNow(): Promise<void> {
    const task = this.options.task;
    if (task === undefined) await new Promise<void>((resolve) => setImmediate(resolve));
    else {
      task.attained = this.work;
      await task.turn();
    }
    this.lastYield = performance.now();
    this.checkAlive();
  }

  /** Yields if due; call between units of work (series, nodes) with the work just done. */
  async maybeYield(weight = 1): Promise<void> {
    this.tick(weight);
    if (this.shouldYield()) await this.yieldNow();
  }
}

export function tooManySamples(): PromQLError {
  return new PromQLError('execution', 'query processing would load too many samples into memory in query execution');
}

/** An evaluation error (Prometheus' `ev.errorf`), reported with type `execution`. */
export function evalError(message: string): PromQLError {
  return new PromQLError('execution', message);
}
