/**
 * State the load-generator threads share with the bench's main thread without messages:
 * per-sender counters (read at the exact instants a window opens and closes), the step each
 * sender has completed (to keep senders within a few scrapes of one another), and the stop
 * flag.
 */

/** Counter slots per sender, in a Float64Array (integers stay exact below 2^53). */
export const Counter = {
  ackedSamples: 0,
  ackedRequests: 1,
  /** Requests answered 429/5xx or failed on the network, then sent again. */
  retries: 2,
  /** Requests refused for good (4xx other than 429): their samples are lost. */
  rejectedRequests: 3,
  rejectedSamples: 4,
  bytesSent: 5,
  /** Bodies encoded while the clock ran because the pre-built ring was used up. */
  bodiesEncodedLive: 6,
  /** 1 once the sender reached the end of the time span the data may cover. */
  exhausted: 7,
} as const;
export const COUNTERS_PER_SENDER = 8;

export type CounterName = keyof typeof Counter;
export type CounterTotals = Record<CounterName, number>;

export class SharedLoadState {
  readonly counters: Float64Array;
  /** Steps each sender has had fully acknowledged. */
  readonly stepsDone: Int32Array;
  /** [0]: 1 = stop sending. */
  readonly control: Int32Array;

  constructor(
    readonly senders: number,
    readonly buffers = {
      counters: new SharedArrayBuffer(senders * COUNTERS_PER_SENDER * 8),
      steps: new SharedArrayBuffer(senders * 4),
      control: new SharedArrayBuffer(4),
    },
  ) {
    this.counters = new Float64Array(buffers.counters);
    this.stepsDone = new Int32Array(buffers.steps);
    this.control = new Int32Array(buffers.control);
  }

  /** Only the main thread resets, between runs, while no sender runs. */
  reset(): void {
    this.counters.fill(0);
    this.stepsDone.fill(0);
    Atomics.store(this.control, 0, 0);
  }

  add(sender: number, c: number, n: number): void {
    // Each slot has one writer (its sender's thread); plain writes are enough.
    this.counters[sender * COUNTERS_PER_SENDER + c] += n;
  }

  set(sender: number, c: number, n: number): void {
    this.counters[sender * COUNTERS_PER_SENDER + c] = n;
  }

  totals(): CounterTotals {
    const out = {} as CounterTotals;
    for (const [name, c] of Object.entries(Counter) as [CounterName, number][]) {
      let sum = 0;
      for (let s = 0; s < this.senders; s++) sum += this.counters[s * COUNTERS_PER_SENDER + c]!;
      out[name] = sum;
    }
    return out;
  }

  minStepDone(): number {
    let min = Infinity;
    for (let s = 0; s < this.senders; s++) min = Math.min(min, Atomics.load(this.stepsDone, s));
    return min;
  }

  stopRequested(): boolean {
    return Atomics.load(this.control, 0) === 1;
  }

  requestStop(): void {
    Atomics.store(this.control, 0, 1);
  }
}
