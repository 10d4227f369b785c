/**
 * In-process consumer groups. A coordinator per (group, topic) owns the member list and the
 * partition assignment; every membership change runs a rebalance, serialized per group:
 * revoked partitions first stop (waiting for the handler in flight, so that a partition is never
 * delivered by two members at once), then members hear their changes and start the new ones
 * from the committed offset.
 */
import type {
  ConsumerOptions,
  PartitionAssignment,
  RecordBatch,
  StreamConsumer,
} from '../port.js';
import type { EmbeddedStreamEvents } from './options.js';
import type { OffsetStore } from './offset-store.js';
import { emitEvent } from './events.js';
import type { PartitionLog } from './partition-log.js';

const DEFAULT_MAX_BATCH_BYTES = 4 * 1024 * 1024;
const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5000;

/** What the groups need from the stream. */
export interface GroupHost {
  /** The partitions of a topic, by index; throws for an unknown topic. */
  logsOf(topic: string): readonly PartitionLog[];
  readonly offsets: OffsetStore;
  readonly events: EmbeddedStreamEvents;
  /** A group committed on `topic`: segments every group has passed may be deleted. */
  afterCommit(topic: string): void;
}

interface Handlers {
  onBatch: (batch: RecordBatch) => Promise<void>;
  onAssignment?: (change: PartitionAssignment) => Promise<void> | void;
}

/** Delivers one partition to one member, one batch at a time. */
class PartitionFetcher {
  private stopped = false;
  private wake: (() => void) | null = null;
  readonly done: Promise<void>;

  constructor(
    private readonly member: GroupMember,
    private readonly log: PartitionLog,
    private position: number,
  ) {
    this.done = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.done;
  }

  /** Sleeps until records past the position arrive, `ms` passes, or the fetcher stops. */
  private async idle(ms: number | null): Promise<void> {
    const w = this.log.waitBeyond(ms === null ? this.position : Number.MAX_SAFE_INTEGER);
    const timer = ms === null ? null : setTimeout(w.cancel, ms);
    this.wake = w.cancel;
    await w.promise;
    this.wake = null;
    if (timer) clearTimeout(timer);
  }

  private async loop(): Promise<void> {
    const { topic, group, maxBatchBytes } = this.member;
    const events = this.member.host.events;
    let backoff = MIN_BACKOFF_MS;
    while (!this.stopped) {
      if (this.position >= this.log.highWatermark) {
        await this.idle(null);
        continue;
      }
      let read;
      try {
        read = await this.log.read(this.position, maxBatchBytes);
      } catch (error) {
        emitEvent(events, 'onError', { context: `read ${topic}/${this.log.partition} for ${group}`, error });
        await this.idle(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        continue;
      }
      if (this.stopped) break;
      if (read.records.length === 0) {
        // A gap or a segment deleted under the read: move on, or yield briefly if nothing moved.
        if (read.next > this.position) this.position = read.next;
        else await this.idle(10);
        continue;
      }
      try {
        await this.member.handlers!.onBatch({ topic, partition: this.log.partition, records: read.records });
        this.position = read.next;
        backoff = MIN_BACKOFF_MS;
      } catch (error) {
        // At-least-once: the same records are delivered again after the backoff.
        emitEvent(events, 'onHandlerError', { group, topic, partition: this.log.partition, error });
        await this.idle(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }
}

export class GroupMember implements StreamConsumer {
  handlers: Handlers | null = null;
  readonly fetchers = new Map<number, PartitionFetcher>();
  private state: 'new' | 'running' | 'stopped' = 'new';
  readonly group: string;
  readonly topic: string;
  readonly maxBatchBytes: number;
  readonly fromBeginning: boolean;

  constructor(
    readonly host: GroupHost,
    private readonly coordinator: GroupCoordinator,
    options: ConsumerOptions,
  ) {
    this.group = options.group;
    this.topic = options.topic;
    this.maxBatchBytes = options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES;
    this.fromBeginning = options.fromBeginning ?? true;
    if (!(this.maxBatchBytes > 0)) throw new RangeError('maxBatchBytes must be positive');
  }

  async run(handlers: Handlers): Promise<void> {
    if (this.state !== 'new') throw new Error(`consumer of group ${this.group} was already started`);
    this.host.logsOf(this.topic); // throws for an unknown topic, before joining
    this.state = 'running';
    this.handlers = handlers;
    await this.coordinator.join(this);
  }

  async commit(topic: string, offsets: readonly { partition: number; offset: number }[]): Promise<void> {
    if (topic !== this.topic) throw new Error(`consumer of ${this.topic} cannot commit on ${topic}`);
    if (this.state !== 'running') throw new Error(`consumer of group ${this.group} is not running`);
    const logs = this.host.logsOf(topic);
    for (const { partition, offset } of offsets) {
      // A member that lost a partition must not move the new owner's offset (Kafka's stale
      // generation check): its commit fails, and the new owner redelivers.
      if (!this.fetchers.has(partition)) {
        throw new Error(`partition ${partition} of ${topic} is not assigned to this member of ${this.group}`);
      }
      const log = logs[partition]!;
      if (!Number.isSafeInteger(offset) || offset < 0 || offset > log.highWatermark) {
        throw new RangeError(`offset ${offset} outside [0, ${log.highWatermark}] for ${topic}/${partition}`);
      }
    }
    if (offsets.length === 0) return;
    await this.host.offsets.commit(this.group, topic, offsets);
    this.host.afterCommit(topic);
  }

  async stop(): Promise<void> {
    if (this.state !== 'running') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopped';
    await this.coordinator.leave(this);
  }

  /** Used by a stream shutdown: no rebalance, just stop. */
  markStopped(): void {
    this.state = 'stopped';
  }

  async stopFetchers(partitions: readonly number[]): Promise<void> {
    await Promise.all(
      partitions.map(async (p) => {
        const f = this.fetchers.get(p);
        this.fetchers.delete(p);
        await f?.stop();
      }),
    );
  }

  startFetcher(log: PartitionLog, position: number): void {
    this.fetchers.set(log.partition, new PartitionFetcher(this, log, position));
  }

  async notify(change: PartitionAssignment): Promise<void> {
    if (change.assigned.length === 0 && change.revoked.length === 0) return;
    try {
      await this.handlers?.onAssignment?.(change);
    } catch (error) {
      emitEvent(this.host.events, 'onError', { context: `onAssignment of ${this.group}`, error });
    }
  }
}

export class GroupCoordinator {
  private members: GroupMember[] = [];
  private readonly owned = new Map<GroupMember, Set<number>>();
  /** Where a group without a committed offset started, so a rebalance does not skip ahead. */
  private readonly startPositions = new Map<number, number>();
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly host: GroupHost,
    readonly group: string,
    readonly topic: string,
  ) {}

  createMember(options: ConsumerOptions): GroupMember {
    return new GroupMember(this.host, this, options);
  }

  get memberCount(): number {
    return this.members.length;
  }

  /** Where this group started reading a partition it has no committed offset for. */
  startOf(partition: number): number | undefined {
    return this.startPositions.get(partition);
  }

  join(member: GroupMember): Promise<void> {
    return this.serialize(async () => {
      this.members.push(member);
      await this.rebalance();
    });
  }

  leave(member: GroupMember): Promise<void> {
    return this.serialize(async () => {
      this.members = this.members.filter((m) => m !== member);
      await this.rebalance();
    });
  }

  /** Stops every member without reassigning: the stream is closing. */
  shutdown(): Promise<void> {
    return this.serialize(async () => {
      const members = this.members;
      this.members = [];
      for (const m of members) m.markStopped();
      await this.rebalance();
    });
  }

  private serialize(fn: () => Promise<void>): Promise<void> {
    const next = this.chain.then(fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async rebalance(): Promise<void> {
    const logs = this.host.logsOf(this.topic);
    const desired = new Map<GroupMember, Set<number>>(this.members.map((m) => [m, new Set<number>()]));
    // Round-robin keeps the split even: sizes differ by at most one.
    logs.forEach((_, p) => {
      if (this.members.length > 0) desired.get(this.members[p % this.members.length]!)!.add(p);
    });

    const revokedBy = new Map<GroupMember, number[]>();
    await Promise.all(
      [...this.owned].map(async ([m, owned]) => {
        const want = desired.get(m);
        const revoked = [...owned].filter((p) => !want?.has(p));
        for (const p of revoked) owned.delete(p);
        revokedBy.set(m, revoked);
        await m.stopFetchers(revoked);
      }),
    );

    for (const [m, revoked] of revokedBy) {
      if (!desired.has(m)) {
        this.owned.delete(m);
        await m.notify({ assigned: [], revoked });
      }
    }
    for (const [m, want] of desired) {
      let owned = this.owned.get(m);
      if (!owned) this.owned.set(m, (owned = new Set()));
      const assigned = [...want].filter((p) => !owned.has(p));
      await m.notify({ assigned, revoked: revokedBy.get(m) ?? [] });
      for (const p of assigned) {
        owned.add(p);
        m.startFetcher(logs[p]!, this.startPosition(m, logs[p]!));
      }
    }
  }

  private startPosition(m: GroupMember, log: PartitionLog): number {
    const committed = this.host.offsets.committed(this.group, this.topic, log.partition);
    if (committed !== undefined) return committed;
    const remembered = this.startPositions.get(log.partition);
    if (remembered !== undefined) return remembered;
    const start = m.fromBeginning ? log.startOffset : log.highWatermark;
    this.startPositions.set(log.partition, start);
    return start;
  }
}
