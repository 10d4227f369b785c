/**
 * The stream port's acceptance suite, run against every adapter (the shape of Jaeger's storage
 * integration suite): an adapter wires itself in with a harness and lists only the tests it opts
 * out of. Every test uses its own topic and group names, so the suite also runs against a shared
 * Kafka broker without cleanup between tests.
 *
 * Usage, from an adapter's test file:
 * ```ts
 * describeStreamConformance('embedded', { open: () => EmbeddedStream.open({ dir }) });
 * ```
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { partitionForKey } from '../src/partitioner.js';
import type {
  ConsumerOptions,
  PartitionAssignment,
  RecordBatch,
  Stream,
  StreamConsumer,
  StreamRecord,
} from '../src/port.js';

export interface StreamHarness {
  /**
   * Opens a stream over the adapter's storage (directory or broker). Called again after the
   * previous stream was closed, it MUST see the same topics, records and committed offsets:
   * that is how the suite simulates a process restart.
   */
  open(): Promise<Stream>;
  /** Called before each test, e.g. to reset per-test state; names are unique anyway. */
  fresh?(): Promise<void>;
  /** Names of tests (see {@link STREAM_CONFORMANCE_TESTS}) this adapter opts out of. */
  skip?: readonly string[];
  /** Per-test timeout; brokers with slow group rebalances need more (default 60 s). */
  testTimeoutMs?: number;
  /** How long to wait for an expected delivery before failing (default 20 s). */
  waitTimeoutMs?: number;
  /** Size of the values of the large-record test (default 1 MiB). */
  largeValueBytes?: number;
}

/** Test names, exported so that `skip` lists are checked rather than silently ignored. */
export const STREAM_CONFORMANCE_TESTS = {
  ensureTopic: 'ensureTopic is idempotent and keeps the partition count',
  denseOffsets: 'produce acknowledges dense increasing offsets per partition',
  concurrentProduce: 'concurrent produce calls never share an offset',
  partitioning: 'keyed records go to partitionForKey, an explicit partition is honoured',
  order: 'delivers each partition in offset order with the produced values',
  resume: 'a group resumes from its committed offset after the stream is reopened',
  redelivery: 'records delivered but not committed are delivered again',
  independentGroups: 'two groups consume independently',
  memberSplit: 'members of one group split partitions, and the survivor takes all after a stop',
  fromLatest: 'fromBeginning:false starts at the end of the log',
  lag: 'lag reports end offsets, committed offsets and lag per partition',
  largeValues: 'large values round-trip byte-exact',
  backpressure: 'no new batch of a partition before the previous handler resolved',
  maxBatchBytes: 'batches never exceed maxBatchBytes unless a single record is larger',
} as const;

const KNOWN_TESTS = new Set<string>(Object.values(STREAM_CONFORMANCE_TESTS));

/** A record as seen by a test: copied, since handlers do not own value buffers past the call. */
interface Seen {
  readonly partition: number;
  readonly offset: number;
  readonly key: string;
  readonly value: Buffer;
  readonly timestamp: number;
}

function unique(prefix: string): string {
  return `conf-${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

function text(s: string): Uint8Array {
  return Buffer.from(s, 'utf8');
}

function recordBytes(r: StreamRecord): number {
  return r.value.byteLength + Buffer.byteLength(r.key, 'utf8');
}

async function waitFor(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // Polling is fine in a test; adapters are checked for prompt wake-up elsewhere.
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A running consumer that records what it receives and which partitions it holds. */
class Probe {
  readonly seen: Seen[] = [];
  readonly batches: RecordBatch[] = [];
  readonly owned = new Set<number>();
  readonly assignments: PartitionAssignment[] = [];
  /** Failures detected inside handlers, rethrown by `check()` so they fail the test. */
  readonly violations: string[] = [];
  readonly consumer: StreamConsumer;

  constructor(
    stream: Stream,
    readonly options: ConsumerOptions,
    private readonly onBatch?: (batch: RecordBatch, probe: Probe) => Promise<void>,
  ) {
    this.consumer = stream.consumer(options);
  }

  async start(): Promise<this> {
    await this.consumer.run({
      onBatch: async (batch) => {
        if (batch.topic !== this.options.topic) this.violations.push(`batch of topic ${batch.topic}`);
        if (!this.owned.has(batch.partition)) {
          this.violations.push(`batch of partition ${batch.partition} not assigned to this member`);
        }
        this.batches.push({ ...batch, records: [...batch.records] });
        for (const r of batch.records) {
          this.seen.push({
            partition: batch.partition,
            offset: r.offset,
            key: r.key,
            value: Buffer.from(r.value),
            timestamp: r.timestamp,
          });
        }
        if (this.onBatch) await this.onBatch(batch, this);
      },
      onAssignment: (change) => {
        this.assignments.push(change);
        for (const p of change.revoked) this.owned.delete(p);
        for (const p of change.assigned) this.owned.add(p);
      },
    });
    return this;
  }

  values(partition?: number): string[] {
    return this.seen.filter((s) => partition === undefined || s.partition === partition).map((s) => s.value.toString());
  }

  check(): void {
    expect(this.violations).toEqual([]);
  }
}

export function describeStreamConformance(adapterName: string, harness: StreamHarness): void {
  for (const name of harness.skip ?? []) {
    if (!KNOWN_TESTS.has(name)) throw new Error(`stream conformance: unknown test in skip list: ${name}`);
  }
  const skipped = new Set(harness.skip ?? []);
  const testTimeout = harness.testTimeoutMs ?? 60_000;
  const waitMs = harness.waitTimeoutMs ?? 20_000;
  const largeBytes = harness.largeValueBytes ?? 1024 * 1024;

  describe(`stream conformance: ${adapterName}`, () => {
    let open: Stream[] = [];
    let probes: Probe[] = [];

    const openStream = async (): Promise<Stream> => {
      const s = await harness.open();
      open.push(s);
      return s;
    };
    const closeStream = async (s: Stream): Promise<void> => {
      open = open.filter((x) => x !== s);
      await s.close();
    };
    const probe = (
      s: Stream,
      options: ConsumerOptions,
      onBatch?: (batch: RecordBatch, probe: Probe) => Promise<void>,
    ): Promise<Probe> => {
      const p = new Probe(s, options, onBatch);
      probes.push(p);
      return p.start();
    };
    const stopProbe = async (p: Probe): Promise<void> => {
      probes = probes.filter((x) => x !== p);
      await p.consumer.stop();
    };

    beforeEach(async () => {
      await harness.fresh?.();
    });

    afterEach(async () => {
      const ps = probes;
      const ss = open;
      probes = [];
      open = [];
      for (const p of ps) await p.consumer.stop();
      for (const s of ss) await s.close();
    });

    const test = (name: string, fn: () => Promise<void>): void => {
      (skipped.has(name) ? it.skip : it)(name, fn, testTimeout);
    };

    test(STREAM_CONFORMANCE_TESTS.ensureTopic, async () => {
      const s = await openStream();
      const topic = unique('topic');
      await s.ensureTopic(topic, 3);
      await s.ensureTopic(topic, 3);
      expect(await s.partitionCount(topic)).toBe(3);
      await s.ensureTopic(topic, 7);
      expect(await s.partitionCount(topic)).toBe(3);
      await closeStream(s);
      const again = await openStream();
      await again.ensureTopic(topic, 5);
      expect(await again.partitionCount(topic)).toBe(3);
    });

    test(STREAM_CONFORMANCE_TESTS.denseOffsets, async () => {
      const s = await openStream();
      const topic = unique('dense');
      await s.ensureTopic(topic, 2);
      const p = s.producer();
      const first = await p.produce(
        topic,
        Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, value: text(`a${i}`), partition: 0 })),
      );
      expect(first).toEqual([0, 1, 2, 3, 4].map((offset) => ({ partition: 0, offset })));
      const mixed = await p.produce(topic, [
        { key: 'x', value: text('b0'), partition: 1 },
        { key: 'y', value: text('b1'), partition: 0 },
        { key: 'z', value: text('b2'), partition: 1 },
      ]);
      // Acks come back in the order of the records.
      expect(mixed).toEqual([
        { partition: 1, offset: 0 },
        { partition: 0, offset: 5 },
        { partition: 1, offset: 1 },
      ]);
      expect(await s.producer().produce(topic, [])).toEqual([]);
    });

    test(STREAM_CONFORMANCE_TESTS.concurrentProduce, async () => {
      const s = await openStream();
      const topic = unique('concurrent');
      await s.ensureTopic(topic, 1);
      const p = s.producer();
      const acks = await Promise.all(
        Array.from({ length: 20 }, (_, c) =>
          p.produce(topic, Array.from({ length: 5 }, (_, i) => ({ key: 'k', value: text(`${c}-${i}`), partition: 0 }))),
        ),
      );
      for (const call of acks) {
        // Records of one call are contiguous and in order.
        for (let i = 1; i < call.length; i++) expect(call[i]!.offset).toBe(call[i - 1]!.offset + 1);
      }
      const offsets = acks.flat().map((a) => a.offset).sort((a, b) => a - b);
      expect(offsets).toEqual(Array.from({ length: 100 }, (_, i) => i));
    });

    test(STREAM_CONFORMANCE_TESTS.partitioning, async () => {
      const s = await openStream();
      const topic = unique('keys');
      await s.ensureTopic(topic, 4);
      const keys = Array.from({ length: 40 }, (_, i) => `tenant-${i % 3}/series-${i}`);
      const acks = await s.producer().produce(
        topic,
        keys.map((key) => ({ key, value: text(key) })),
      );
      keys.forEach((key, i) => expect(acks[i]!.partition).toBe(partitionForKey(key, 4)));
      // The keys must actually spread, or the test would not check much.
      expect(new Set(acks.map((a) => a.partition)).size).toBeGreaterThan(1);
      const pinned = await s.producer().produce(topic, [
        { key: keys[0]!, value: text('pinned'), partition: (partitionForKey(keys[0]!, 4) + 1) % 4 },
      ]);
      expect(pinned[0]!.partition).toBe((partitionForKey(keys[0]!, 4) + 1) % 4);

      const c = await probe(s, { group: unique('g'), topic });
      await waitFor('all 41 records', () => c.seen.length >= 41, waitMs);
      for (const r of c.seen) {
        if (r.value.toString() === 'pinned') expect(r.partition).toBe((partitionForKey(keys[0]!, 4) + 1) % 4);
        else expect(r.partition).toBe(partitionForKey(r.key, 4));
      }
      c.check();
    });

    test(STREAM_CONFORMANCE_TESTS.order, async () => {
      const s = await openStream();
      const topic = unique('order');
      await s.ensureTopic(topic, 3);
      const p = s.producer();
      const expected: string[][] = [[], [], []];
      for (let round = 0; round < 10; round++) {
        const records = Array.from({ length: 30 }, (_, i) => {
          const partition = (round + i) % 3;
          const v = `r${round}-i${i}`;
          expected[partition]!.push(v);
          return { key: v, value: text(v), partition, timestamp: 1_700_000_000_000 + round };
        });
        await p.produce(topic, records);
      }
      const c = await probe(s, { group: unique('g'), topic, maxBatchBytes: 256 });
      await waitFor('300 records', () => c.seen.length >= 300, waitMs);
      for (let partition = 0; partition < 3; partition++) {
        expect(c.values(partition)).toEqual(expected[partition]);
        const mine = c.seen.filter((r) => r.partition === partition);
        mine.forEach((r, i) => {
          if (i > 0) expect(r.offset).toBeGreaterThan(mine[i - 1]!.offset);
        });
      }
      // Explicit timestamps are kept.
      expect(c.seen.find((r) => r.value.toString() === 'r3-i0')!.timestamp).toBe(1_700_000_000_003);
      expect(c.seen.length).toBe(300);
      c.check();
    });

    test(STREAM_CONFORMANCE_TESTS.resume, async () => {
      const topic = unique('resume');
      const group = unique('g');
      let s = await openStream();
      await s.ensureTopic(topic, 1);
      await s.producer().produce(
        topic,
        Array.from({ length: 20 }, (_, i) => ({ key: 'k', value: text(`v${i}`), partition: 0 })),
      );
      const c1 = await probe(s, { group, topic });
      await waitFor('20 records', () => c1.seen.length >= 20, waitMs);
      await c1.consumer.commit(topic, [{ partition: 0, offset: 12 }]);
      await stopProbe(c1);
      await closeStream(s);

      s = await openStream();
      await s.producer().produce(topic, [{ key: 'k', value: text('v20'), partition: 0 }]);
      const c2 = await probe(s, { group, topic });
      await waitFor('records from 12 to 20', () => c2.seen.length >= 9, waitMs);
      await sleep(200);
      expect(c2.seen.map((r) => r.offset)).toEqual([12, 13, 14, 15, 16, 17, 18, 19, 20]);
      expect(c2.values()).toEqual(['v12', 'v13', 'v14', 'v15', 'v16', 'v17', 'v18', 'v19', 'v20']);
      c2.check();
    });

    test(STREAM_CONFORMANCE_TESTS.redelivery, async () => {
      const s = await openStream();
      const topic = unique('redeliver');
      const group = unique('g');
      await s.ensureTopic(topic, 2);
      await s.producer().produce(
        topic,
        Array.from({ length: 10 }, (_, i) => ({ key: 'k', value: text(`v${i}`), partition: i % 2 })),
      );
      const c1 = await probe(s, { group, topic });
      await waitFor('10 records', () => c1.seen.length >= 10, waitMs);
      // Partition 0 committed up to offset 3 (records 0..2 done), partition 1 not at all.
      await c1.consumer.commit(topic, [{ partition: 0, offset: 3 }]);
      await stopProbe(c1);

      const c2 = await probe(s, { group, topic });
      await waitFor('redelivery', () => c2.seen.length >= 7, waitMs);
      await sleep(200);
      expect(c2.seen.filter((r) => r.partition === 0).map((r) => r.offset)).toEqual([3, 4]);
      expect(c2.seen.filter((r) => r.partition === 1).map((r) => r.offset)).toEqual([0, 1, 2, 3, 4]);
      c2.check();
    });

    test(STREAM_CONFORMANCE_TESTS.independentGroups, async () => {
      const s = await openStream();
      const topic = unique('groups');
      await s.ensureTopic(topic, 1);
      await s.producer().produce(
        topic,
        Array.from({ length: 6 }, (_, i) => ({ key: 'k', value: text(`v${i}`), partition: 0 })),
      );
      const a = await probe(s, { group: unique('a'), topic });
      await waitFor('group a', () => a.seen.length >= 6, waitMs);
      await a.consumer.commit(topic, [{ partition: 0, offset: 6 }]);
      const b = await probe(s, { group: unique('b'), topic });
      await waitFor('group b', () => b.seen.length >= 6, waitMs);
      expect(b.values()).toEqual(a.values());
      await s.producer().produce(topic, [{ key: 'k', value: text('v6'), partition: 0 }]);
      await waitFor('both groups get v6', () => a.seen.length >= 7 && b.seen.length >= 7, waitMs);
      expect(a.values().at(-1)).toBe('v6');
      expect(b.values().at(-1)).toBe('v6');
      a.check();
      b.check();
    });

    test(STREAM_CONFORMANCE_TESTS.memberSplit, async () => {
      const s = await openStream();
      const topic = unique('split');
      const group = unique('g');
      const partitions = 4;
      await s.ensureTopic(topic, partitions);
      const commitAll = async (batch: RecordBatch, p: Probe): Promise<void> => {
        await p.consumer.commit(topic, [{ partition: batch.partition, offset: batch.records.at(-1)!.offset + 1 }]);
      };
      const m1 = await probe(s, { group, topic }, commitAll);
      const m2 = await probe(s, { group, topic }, commitAll);
      await waitFor(
        'both members to hold partitions',
        () => m1.owned.size > 0 && m2.owned.size > 0 && m1.owned.size + m2.owned.size === partitions,
        waitMs,
      );
      expect([...m1.owned].filter((p) => m2.owned.has(p))).toEqual([]);
      expect(new Set([...m1.owned, ...m2.owned]).size).toBe(partitions);

      const produceRound = async (tag: string) =>
        s.producer().produce(
          topic,
          Array.from({ length: partitions * 3 }, (_, i) => ({ key: 'k', value: text(`${tag}-${i}`), partition: i % partitions })),
        );
      await produceRound('a');
      await waitFor('round a', () => m1.seen.length + m2.seen.length >= partitions * 3, waitMs);
      for (const r of m1.seen) expect(m1.owned.has(r.partition)).toBe(true);
      for (const r of m2.seen) expect(m2.owned.has(r.partition)).toBe(true);

      await stopProbe(m2);
      await waitFor('survivor to hold every partition', () => m1.owned.size === partitions, waitMs);
      const before = m1.seen.length;
      await produceRound('b');
      await waitFor('round b on the survivor', () => m1.values().filter((v) => v.startsWith('b-')).length >= partitions * 3, waitMs);
      expect(new Set(m1.seen.slice(before).filter((r) => r.value.toString().startsWith('b-')).map((r) => r.partition)).size).toBe(
        partitions,
      );
      m1.check();
      m2.check();
    });

    test(STREAM_CONFORMANCE_TESTS.fromLatest, async () => {
      const s = await openStream();
      const topic = unique('latest');
      await s.ensureTopic(topic, 1);
      await s.producer().produce(
        topic,
        Array.from({ length: 5 }, (_, i) => ({ key: 'k', value: text(`old${i}`), partition: 0 })),
      );
      const c = await probe(s, { group: unique('g'), topic, fromBeginning: false });
      await waitFor('assignment', () => c.owned.size === 1, waitMs);
      // A broker may resolve "the end" lazily after assignment: keep producing until one arrives.
      let n = 0;
      const deadline = Date.now() + waitMs;
      while (c.seen.length === 0) {
        if (Date.now() > deadline) throw new Error('no record produced after the start was delivered');
        await s.producer().produce(topic, [{ key: 'k', value: text(`new${n++}`), partition: 0 }]);
        await sleep(100);
      }
      await sleep(100);
      expect(c.values().filter((v) => v.startsWith('old'))).toEqual([]);
      expect(c.seen[0]!.offset).toBeGreaterThanOrEqual(5);
      c.check();
    });

    test(STREAM_CONFORMANCE_TESTS.lag, async () => {
      const s = await openStream();
      const topic = unique('lag');
      const group = unique('g');
      await s.ensureTopic(topic, 2);
      await s.producer().produce(topic, [
        ...Array.from({ length: 10 }, (_, i) => ({ key: 'k', value: text(`p0-${i}`), partition: 0 })),
        ...Array.from({ length: 4 }, (_, i) => ({ key: 'k', value: text(`p1-${i}`), partition: 1 })),
      ]);
      const sorted = async () => [...(await s.lag(group, topic))].sort((a, b) => a.partition - b.partition);
      expect(await sorted()).toEqual([
        { partition: 0, endOffset: 10, committedOffset: 0, lagRecords: 10 },
        { partition: 1, endOffset: 4, committedOffset: 0, lagRecords: 4 },
      ]);
      const c = await probe(s, { group, topic });
      await waitFor('14 records', () => c.seen.length >= 14, waitMs);
      await c.consumer.commit(topic, [
        { partition: 0, offset: 7 },
        { partition: 1, offset: 4 },
      ]);
      expect(await sorted()).toEqual([
        { partition: 0, endOffset: 10, committedOffset: 7, lagRecords: 3 },
        { partition: 1, endOffset: 4, committedOffset: 4, lagRecords: 0 },
      ]);
      await s.producer().produce(topic, [{ key: 'k', value: text('p1-4'), partition: 1 }]);
      expect((await sorted())[1]).toEqual({ partition: 1, endOffset: 5, committedOffset: 4, lagRecords: 1 });
      c.check();
    });

    test(STREAM_CONFORMANCE_TESTS.largeValues, async () => {
      const s = await openStream();
      const topic = unique('large');
      await s.ensureTopic(topic, 1);
      const values = [randomBytes(largeBytes), randomBytes(largeBytes - 1), randomBytes(17)];
      for (const value of values) await s.producer().produce(topic, [{ key: 'big', value, partition: 0 }]);
      const c = await probe(s, { group: unique('g'), topic, maxBatchBytes: 64 * 1024 });
      await waitFor('3 records', () => c.seen.length >= 3, waitMs);
      expect(c.seen.length).toBe(3);
      values.forEach((v, i) => expect(c.seen[i]!.value.equals(v)).toBe(true));
      // A record larger than maxBatchBytes is delivered, alone.
      for (const b of c.batches) if (b.records.some((r) => r.value.byteLength > 64 * 1024)) expect(b.records.length).toBe(1);
      c.check();
    });

    test(STREAM_CONFORMANCE_TESTS.backpressure, async () => {
      const s = await openStream();
      const topic = unique('backpressure');
      await s.ensureTopic(topic, 2);
      await s.producer().produce(
        topic,
        Array.from({ length: 40 }, (_, i) => ({ key: 'k', value: randomBytes(200), partition: i % 2 })),
      );
      const inFlight = new Map<number, number>();
      let overlaps = 0;
      let maxConcurrentPartitions = 0;
      const c = await probe(s, { group: unique('g'), topic, maxBatchBytes: 512 }, async (batch) => {
        const n = (inFlight.get(batch.partition) ?? 0) + 1;
        inFlight.set(batch.partition, n);
        if (n > 1) overlaps++;
        maxConcurrentPartitions = Math.max(maxConcurrentPartitions, [...inFlight.values()].filter((x) => x > 0).length);
        await sleep(20);
        inFlight.set(batch.partition, n - 1);
      });
      await waitFor('40 records', () => c.seen.length >= 40, waitMs);
      expect(overlaps).toBe(0);
      // Small batches make sure the test saw many batches per partition, not one big one.
      expect(c.batches.length).toBeGreaterThanOrEqual(10);
      expect(maxConcurrentPartitions).toBeGreaterThanOrEqual(1);
      c.check();
    });

    test(STREAM_CONFORMANCE_TESTS.maxBatchBytes, async () => {
      const s = await openStream();
      const topic = unique('maxbatch');
      await s.ensureTopic(topic, 1);
      const max = 4096;
      await s.producer().produce(
        topic,
        [
          ...Array.from({ length: 50 }, () => ({ key: 'k', value: randomBytes(1000), partition: 0 })),
          { key: 'k', value: randomBytes(10_000), partition: 0 },
          ...Array.from({ length: 10 }, () => ({ key: 'k', value: randomBytes(700), partition: 0 })),
        ],
      );
      const c = await probe(s, { group: unique('g'), topic, maxBatchBytes: max });
      await waitFor('61 records', () => c.seen.length >= 61, waitMs);
      expect(c.seen.length).toBe(61);
      for (const b of c.batches) {
        expect(b.records.length).toBeGreaterThan(0);
        const bytes = b.records.reduce((n, r) => n + recordBytes(r), 0);
        if (b.records.length > 1) expect(bytes).toBeLessThanOrEqual(max);
      }
      expect(c.batches.find((b) => b.records.some((r) => r.value.byteLength === 10_000))!.records.length).toBe(1);
      // Batches of several records occur, so the bound is exercised rather than trivially met.
      expect(c.batches.some((b) => b.records.length > 1)).toBe(true);
      c.check();
    });
  });
}
