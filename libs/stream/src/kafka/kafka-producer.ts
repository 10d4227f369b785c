import type { Message, Producer, TopicMessages } from 'kafkajs';
import { partitionForKey } from '../partitioner.js';
import type { ProduceAck, ProducerRecord, StreamProducer } from '../port.js';

/** What the producer needs to know of a topic; cached by the stream. */
export interface TopicLayout {
  readonly partitions: number;
  /** The topic's `max.message.bytes`: the largest record batch the broker accepts. */
  readonly maxMessageBytes: number;
}

/**
 * Record-batch framing, a conservative estimate: 61 bytes of batch header, and per record up to
 * ~21 bytes of varints and attributes. Over-estimating only splits a send earlier.
 */
const BATCH_OVERHEAD = 128;
const RECORD_OVERHEAD = 32;

function recordCost(r: ProducerRecord): number {
  return r.value.byteLength + Buffer.byteLength(r.key, 'utf8') + RECORD_OVERHEAD;
}

interface Placed {
  readonly topic: string;
  readonly partition: number;
  readonly message: Message;
  readonly cost: number;
}

/** One `produce` call waiting for its turn. */
interface PendingCall {
  readonly topic: string;
  readonly placed: readonly Placed[];
  /** Largest byte count the call puts on any one partition (its record batch there). */
  readonly maxPartitionCost: number;
  readonly totalCost: number;
  readonly batchLimit: number;
  readonly resolve: (acks: ProduceAck[]) => void;
  readonly reject: (err: unknown) => void;
}

export interface KafkaProducerSettings {
  /** Upper bound on the bytes of one produce request made of coalesced calls. */
  readonly maxRequestBytes: number;
}

/**
 * The stream's producer over one kafkajs idempotent producer (acks=-1).
 *
 * Calls are queued and sent one request at a time: kafkajs' idempotent producer keeps one
 * sequence number per partition and is only safe with one request in flight, and a single
 * queue is also what keeps the records of one call contiguous in a partition. While a request
 * is in flight, further calls wait and then go out together in the next request (group commit),
 * so concurrent callers share round trips instead of queueing behind each other's.
 *
 * A call whose records exceed the topic's record-batch limit on some partition is split into
 * several requests, sent back to back with nothing in between.
 */
export class KafkaStreamProducer implements StreamProducer {
  readonly kind = 'kafka' as const;
  private readonly queue: PendingCall[] = [];
  private pumping = false;

  constructor(
    private readonly connected: () => Promise<Producer>,
    private readonly layout: (topic: string) => Promise<TopicLayout>,
    private readonly settings: KafkaProducerSettings,
  ) {}

  async produce(topic: string, records: readonly ProducerRecord[]): Promise<ProduceAck[]> {
    if (records.length === 0) return [];
    const { partitions, maxMessageBytes } = await this.layout(topic);
    const now = String(Date.now());
    const perPartition = new Map<number, number>();
    let totalCost = 0;
    const placed = records.map((r): Placed => {
      let partition: number;
      if (r.partition === undefined) {
        partition = partitionForKey(r.key, partitions);
      } else {
        if (!Number.isInteger(r.partition) || r.partition < 0 || r.partition >= partitions) {
          throw new RangeError(`partition ${r.partition} out of range: topic ${topic} has ${partitions} partitions`);
        }
        partition = r.partition;
      }
      const cost = recordCost(r);
      perPartition.set(partition, (perPartition.get(partition) ?? 0) + cost);
      totalCost += cost;
      return {
        topic,
        partition,
        cost,
        message: {
          key: r.key,
          // A view, not a copy: kafkajs encodes the value into the request before send resolves.
          value: Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength),
          partition,
          timestamp: r.timestamp === undefined ? now : String(r.timestamp),
        },
      };
    });
    const maxPartitionCost = Math.max(...perPartition.values());
    return new Promise<ProduceAck[]>((resolve, reject) => {
      this.queue.push({
        topic,
        placed,
        maxPartitionCost,
        totalCost,
        batchLimit: maxMessageBytes - BATCH_OVERHEAD,
        resolve,
        reject,
      });
      this.pump();
    });
  }

  /** Fails every queued call; used when the stream closes. */
  failPending(err: Error): void {
    for (const call of this.queue.splice(0)) call.reject(err);
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    void this.drain().finally(() => {
      this.pumping = false;
      // A call queued after the loop's last check would otherwise wait for the next call.
      if (this.queue.length > 0) this.pump();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if (head.maxPartitionCost > head.batchLimit) {
        this.queue.shift();
        await this.sendSplit(head);
        continue;
      }
      const group = this.takeCoalesced();
      try {
        const acks = await this.send(group.flatMap((c) => c.placed));
        let at = 0;
        for (const call of group) {
          call.resolve(acks.slice(at, at + call.placed.length));
          at += call.placed.length;
        }
      } catch (err) {
        for (const call of group) call.reject(err);
      }
    }
  }

  /** Takes queued calls, in order, while they fit one request and each partition's batch limit. */
  private takeCoalesced(): PendingCall[] {
    const group: PendingCall[] = [];
    const perPartition = new Map<string, number>();
    let total = 0;
    while (this.queue.length > 0) {
      const call = this.queue[0]!;
      if (call.maxPartitionCost > call.batchLimit) break;
      if (group.length > 0 && total + call.totalCost > this.settings.maxRequestBytes) break;
      const added = new Map<string, number>();
      for (const p of call.placed) {
        const k = `${p.partition}\u0000${p.topic}`;
        added.set(k, (added.get(k) ?? 0) + p.cost);
      }
      let fits = true;
      for (const [k, cost] of added) if ((perPartition.get(k) ?? 0) + cost > call.batchLimit) fits = false;
      if (group.length > 0 && !fits) break;
      for (const [k, cost] of added) perPartition.set(k, (perPartition.get(k) ?? 0) + cost);
      total += call.totalCost;
      group.push(this.queue.shift()!);
    }
    return group;
  }

  /** Sends one oversized call as consecutive requests, each within the batch limit per partition. */
  private async sendSplit(call: PendingCall): Promise<void> {
    const acks: ProduceAck[] = [];
    try {
      let chunk: Placed[] = [];
      const perPartition = new Map<number, number>();
      for (const p of call.placed) {
        const used = perPartition.get(p.partition) ?? 0;
        // A record larger than the limit goes alone; the broker decides whether it fits.
        if (chunk.length > 0 && used + p.cost > call.batchLimit) {
          acks.push(...(await this.send(chunk)));
          chunk = [];
          perPartition.clear();
        }
        chunk.push(p);
        perPartition.set(p.partition, (perPartition.get(p.partition) ?? 0) + p.cost);
      }
      if (chunk.length > 0) acks.push(...(await this.send(chunk)));
      call.resolve(acks);
    } catch (err) {
      call.reject(err);
    }
  }

  /**
   * One produce request. Acks are rebuilt from each partition's base offset: kafkajs keeps the
   * records of a partition in the order given, one record batch per partition, and the broker
   * assigns them consecutive offsets.
   */
  private async send(placed: readonly Placed[]): Promise<ProduceAck[]> {
    const producer = await this.connected();
    const byTopic = new Map<string, Message[]>();
    const indexInPartition: number[] = [];
    const counters = new Map<string, number>();
    for (const p of placed) {
      let list = byTopic.get(p.topic);
      if (!list) byTopic.set(p.topic, (list = []));
      list.push(p.message);
      const k = `${p.partition}\u0000${p.topic}`;
      const n = counters.get(k) ?? 0;
      indexInPartition.push(n);
      counters.set(k, n + 1);
    }
    const topicMessages: TopicMessages[] = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    const metadata = await producer.sendBatch({ topicMessages, acks: -1 });
    const base = new Map<string, number>();
    for (const m of metadata) {
      if (m.baseOffset === undefined) throw new Error(`no base offset for ${m.topicName}/${m.partition} in produce response`);
      base.set(`${m.partition}\u0000${m.topicName}`, Number(m.baseOffset));
    }
    return placed.map((p, i) => {
      const b = base.get(`${p.partition}\u0000${p.topic}`);
      if (b === undefined) throw new Error(`no produce response for ${p.topic}/${p.partition}`);
      return { partition: p.partition, offset: b + indexInPartition[i]! };
    });
  }
}
