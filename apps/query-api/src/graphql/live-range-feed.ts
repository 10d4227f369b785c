import type { QueryResult, ResultSeries } from '#pharos/promql';
import { LiveUpdateKind, type LiveRangeUpdateType, type SeriesType } from './metric-types.js';
import { seriesFrom, seriesOf } from './metric-mapping.js';

export interface LiveRangeOptions {
  readonly windowMs: number;
  readonly stepMs: number;
  readonly refreshMs: number;
  /** Evaluates the query over `[startMs, endMs]` at `stepMs`, aborted with `signal`. */
  readonly evaluate: (startMs: number, endMs: number, signal: AbortSignal) => Promise<QueryResult>;
  /** True while the transport still holds unsent data: the tick is skipped. */
  readonly congested?: () => boolean;
  /** Called once when the feed ends (completed by the client, disconnect, or error). */
  readonly onClose?: () => void;
  readonly now?: () => number;
}

/**
 * A live panel: a range query re-evaluated every `refreshMs`. The first update is the whole
 * window; later ones re-evaluate only from the last step already sent (samples arriving late
 * can still change it) to the newest step, and carry only series with points there.
 *
 * It is pulled, not pushed: the transport asks for the next update once it has sent the
 * previous one, so a slow client never queues updates; ticks that pass meanwhile, or while
 * the socket is congested, are skipped and counted. `return()` (client completes, socket
 * closes) aborts the wait and any evaluation in flight at once.
 */
export class LiveRangeFeed implements AsyncIterableIterator<LiveRangeUpdateType> {
  private readonly abort = new AbortController();
  private readonly now: () => number;
  private lastStepMs: number | undefined;
  private nextTickMs: number;
  private skipped = 0;
  private closed = false;

  constructor(private readonly options: LiveRangeOptions) {
    this.now = options.now ?? Date.now;
    this.nextTickMs = this.now();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<LiveRangeUpdateType>> {
    try {
      for (;;) {
        if (this.closed) return { done: true, value: undefined };
        await this.sleepUntil(this.nextTickMs);
        if (this.closed) return { done: true, value: undefined };
        const tickAt = this.nextTickMs;
        this.advanceTick();
        if (this.options.congested?.()) {
          this.skipped++;
          continue;
        }
        const update = await this.evaluateTick(tickAt);
        if (update !== undefined) return { done: false, value: update };
      }
    } catch (err) {
      if (this.closed) return { done: true, value: undefined };
      this.finish();
      throw err;
    }
  }

  async return(): Promise<IteratorResult<LiveRangeUpdateType>> {
    this.finish();
    return { done: true, value: undefined };
  }

  async throw(err: unknown): Promise<IteratorResult<LiveRangeUpdateType>> {
    this.finish();
    throw err;
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort(new Error('live query ended'));
    this.options.onClose?.();
  }

  /** Schedules the next tick after the current time, counting ticks that already passed. */
  private advanceTick(): void {
    const now = this.now();
    this.nextTickMs += this.options.refreshMs;
    if (this.nextTickMs <= now) {
      const missed = Math.floor((now - this.nextTickMs) / this.options.refreshMs) + 1;
      this.skipped += missed;
      this.nextTickMs += missed * this.options.refreshMs;
    }
  }

  private async evaluateTick(tickAt: number): Promise<LiveRangeUpdateType | undefined> {
    const { stepMs, windowMs } = this.options;
    // Steps aligned to multiples of the step, as Grafana aligns them, so every update lands on
    // the same grid and APPEND points line up with the FULL ones.
    // A tick served late (the client was slow) evaluates up to now, not up to when it was due.
    const endMs = Math.floor(Math.max(tickAt, this.now()) / stepMs) * stepMs;
    const first = this.lastStepMs === undefined;
    if (!first && endMs < this.lastStepMs!) return undefined;
    const startMs = first ? endMs - Math.floor(windowMs / stepMs) * stepMs : this.lastStepMs!;
    const result = await this.options.evaluate(startMs, endMs, this.abort.signal);
    const series: SeriesType[] = [];
    if (result.value.resultType === 'matrix') {
      for (const s of result.value.series as readonly ResultSeries[]) {
        const grid = { startMs, endMs, stepMs };
        const out = first ? seriesOf(s, grid) : seriesFrom(s, startMs, grid);
        if (out !== undefined) series.push(out);
      }
    }
    this.lastStepMs = endMs;
    const skippedTicks = this.skipped;
    this.skipped = 0;
    return {
      kind: first ? LiveUpdateKind.FULL : LiveUpdateKind.APPEND,
      startMs,
      endMs,
      series,
      skippedTicks,
      warnings: [...result.annotations.warnings],
    };
  }

  private sleepUntil(at: number): Promise<void> {
    const delay = at - this.now();
    if (delay <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, delay);
      const signal = this.abort.signal;
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
