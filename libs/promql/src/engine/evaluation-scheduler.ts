/**
 * Shares the event loop between the evaluations one engine runs at the same time.
 *
 * A Grafana dashboard sends all its panels at once; they are evaluated on one thread, each
 * giving the thread back every ~20 ms of work ({@link QueryContext.poll}). Left to the event
 * loop, whose turns go first come first served, a panel of 4 series (a few ms of work) ends
 * behind every slice of the panels of 500 series beside it, and finishes last but one.
 *
 * Policy: **least attained service** (foreground–background scheduling). When an evaluation
 * yields, the next turn goes to the waiting evaluation that has done the least work so far
 * (work units: samples read and points evaluated, the units its limits already count), ties
 * to the one that has waited longest. Costs need not be known in advance: every query starts
 * at the front, and a query keeps its place only while it has done less than the others, so
 * cheap queries finish first (as shortest-job-first would order them) and heavy ones share
 * what is left in proportion, in slices.
 *
 * Fairness: an evaluation that has waited {@link MAX_WAIT_MS} or longer goes before any other
 * (the longest-waiting first), so a steady stream of small queries cannot starve a heavy one;
 * its wait for a turn is bounded by that plus one slice of each evaluation ahead of it.
 *
 * Only turns are ordered: work that resumes after I/O (a store read returning) runs when the
 * I/O completes, and between two turns the event loop runs everything else queued (ingestion,
 * HTTP), as a plain `setImmediate` yield did. With one evaluation in flight each turn is a
 * `setImmediate`, as before.
 */

/** Longest an evaluation waits for its turn while cheaper ones are served. */
export const MAX_WAIT_MS = 100;

interface Waiter {
  readonly task: SchedulerTask;
  readonly since: number;
  readonly resolve: () => void;
}

/** One evaluation's standing with its scheduler. */
export class SchedulerTask {
  /** Work units done so far (see the policy). */
  attained = 0;

  constructor(private readonly scheduler: EvaluationScheduler) {}

  /** Resolves when this evaluation may run again (after other work queued on the event loop). */
  turn(): Promise<void> {
    return this.scheduler.enqueue(this);
  }
}

export class EvaluationScheduler {
  private readonly waiting: Waiter[] = [];
  private dispatchPending = false;

  constructor(
    private readonly maxWaitMs = MAX_WAIT_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A task for a new evaluation; nothing to release when it ends (a finished evaluation waits for no turn). */
  begin(): SchedulerTask {
    return new SchedulerTask(this);
  }

  /** Evaluations waiting for a turn (for tests and telemetry). */
  get waitingCount(): number {
    return this.waiting.length;
  }

  enqueue(task: SchedulerTask): Promise<void> {
    return new Promise<void>((resolve) => {
      this.waiting.push({ task, since: this.now(), resolve });
      this.scheduleDispatch();
    });
  }

  private scheduleDispatch(): void {
    if (this.dispatchPending) return;
    this.dispatchPending = true;
    // One turn per event-loop iteration: the evaluation granted runs its slice in the
    // microtasks that follow, I/O callbacks and other queued work run before the next grant.
    setImmediate(() => {
      this.dispatchPending = false;
      this.dispatch();
      if (this.waiting.length > 0) this.scheduleDispatch();
    });
  }

  private dispatch(): void {
    const waiting = this.waiting;
    if (waiting.length === 0) return;
    // Waiters are in arrival order: the first has waited longest, and goes first once starved.
    let pick = 0;
    if (this.now() - waiting[0]!.since < this.maxWaitMs) {
      for (let i = 1; i < waiting.length; i++) if (waiting[i]!.task.attained < waiting[pick]!.task.attained) pick = i;
    }
    const [w] = waiting.splice(pick, 1);
    w!.resolve();
  }
}
