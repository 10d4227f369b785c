import type { Labels } from '#pharos/metric-model';

interface LabelSetEntry {
  readonly id: number;
  /** A message defining the id (carrying its labels) has been sent. */
  sent: boolean;
  /** Unsent messages that refer to the id. */
  pending: number;
}

/** A series placed in a message being filled: its label-set id, and whether the message defines it. */
export interface LabelSetUse {
  readonly entry: LabelSetEntry;
  readonly define: boolean;
}

/**
 * The store thread's record of the label sets the caller has cached by id (see
 * `ThreadedMetricStore`), keyed by the store's label arrays (stable per series).
 *
 * Several streamed reads fill messages at once and send them when their reader has room, so
 * a message may leave after a later-filled one. Hence: an id counts as known to the caller
 * only once a message defining it has been *sent* (a message filled meanwhile defines it
 * again), and an id is evicted only while no unsent message refers to it. Eviction keeps the
 * caller's cache at about `capacity` label sets, least recently used first; evicted ids go
 * out in the next message (`forget`), and a later use of the same labels gets a new id.
 */
export class SentLabelSets {
  private readonly entries = new Map<Labels, LabelSetEntry>();
  private forget: number[] = [];
  private nextId = 1;

  constructor(private readonly capacity: number) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) throw new RangeError(`label set cache capacity must be a positive integer, got ${capacity}`);
  }

  /** Places a series with `labels` in a message being filled. */
  use(labels: Labels): LabelSetUse {
    let entry = this.entries.get(labels);
    if (entry === undefined) {
      entry = { id: this.nextId++, sent: false, pending: 0 };
      this.evictFor(1);
    } else this.entries.delete(labels);
    this.entries.set(labels, entry);
    entry.pending++;
    return { entry, define: !entry.sent };
  }

  /** The message holding `uses` was sent. */
  sent(uses: readonly LabelSetUse[]): void {
    for (const u of uses) {
      u.entry.pending--;
      if (u.define) u.entry.sent = true;
    }
  }

  /** Ids the caller should drop, once, in the next message. */
  takeForget(): number[] | undefined {
    if (this.forget.length === 0) return undefined;
    const out = this.forget;
    this.forget = [];
    return out;
  }

  get size(): number {
    return this.entries.size;
  }

  private evictFor(adding: number): void {
    let tries = this.entries.size;
    while (this.entries.size + adding > this.capacity && tries-- > 0) {
      const [labels, oldest] = this.entries.entries().next().value as [Labels, LabelSetEntry];
      this.entries.delete(labels);
      if (oldest.pending > 0) {
        // Still in a message to be sent: keep it (as most recent) and look further.
        this.entries.set(labels, oldest);
        continue;
      }
      if (oldest.sent) this.forget.push(oldest.id);
    }
  }
}
