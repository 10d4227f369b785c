import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricBatchBuilder, labelsFromRecord } from '#pharos/metric-model';
import {
  DuckDBMetricStore,
  StoreHost,
  ThreadedMetricStore,
  WriteTrackingStore,
  type CounterRollupQuery,
  type MessageEndpoint,
  type MetricStore,
  type SeriesCounterRollups,
  type StoreResponse,
} from '#pharos/storage';

/**
 * The counter aggregate (ADR 0020) through the store thread's protocol (ADR 0018), host and
 * proxy on one thread over a real `MessagePort`: offered exactly when the store offers it,
 * answers equal to the store's own bit for bit (columns and the three edge numbers, across
 * messages of at most 256 series), and only `bucketStarts`, `counter` and the edges cross.
 */

const SERIES = 300;
const STEP = 15_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T = 't';

let dir: string;
let store: DuckDBMetricStore;
/** What the host posted: per `items` message, its series and the lengths of its spans and numbers (before the move detaches them). */
const posted: { count: number; spans: number; numbers: number }[] = [];
let proxy: ThreadedMetricStore;
let tracked: WriteTrackingStore;
const end = Math.floor(Date.now() / HOUR) * HOUR;
const start = end - DAY;

/** Host and proxy over a `MessageChannel`; the host's posts recorded in `log` when given. */
async function serve(inner: MetricStore, log?: typeof posted): Promise<ThreadedMetricStore> {
  const { port1, port2 } = new MessageChannel();
  const ready = ThreadedMetricStore.connect(port1 as unknown as MessageEndpoint, async () => port1.close());
  const endpoint: MessageEndpoint = {
    postMessage: (message, transfer) => {
      const m = message as StoreResponse;
      if (log !== undefined && m.kind === 'items') log.push({ count: m.batch.count, spans: m.batch.spans.length, numbers: m.batch.numbers.length });
      port2.postMessage(message, transfer as ArrayBuffer[]);
    },
    on: (event, listener) => port2.on(event, listener),
  };
  new StoreHost(inner, endpoint);
  return ready;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pharos-thread-counters-'));
  store = await DuckDBMetricStore.open({ dir, threads: 1 });
  // A day of counters at 15 s, fractional steps (the order of additions shows in the bits),
  // resets inside buckets and at hour boundaries (between buckets), a gap in every fifth
  // series; the first half flushed, the rest in memory (open and buffered buckets).
  const values = new Float64Array(SERIES).map((_, s) => 100.3 * (s + 1));
  for (let half = 0; half < 2; half++) {
    const b = new MetricBatchBuilder(T);
    for (let s = 0; s < SERIES; s++) {
      b.addSeries(labelsFromRecord({ __name__: 'c_total', s: String(s).padStart(3, '0') }));
      for (let t = start + half * (DAY / 2) + (s % 4) * 1000; t < start + (half + 1) * (DAY / 2); t += STEP) {
        const i = (t - start) / STEP;
        if (s % 5 === 0 && i % 2000 < 150) continue;
        if (Math.floor(i) % (701 + s) === 0) values[s] = 0.1 * (s % 3);
        else if (s % 7 === 1 && (t - start) % (3 * HOUR) < STEP) values[s] = 0.25;
        else values[s]! += 0.1 * ((Math.floor(i) * 7 + s) % 11) + 0.003 * s;
        b.addSample(t, values[s]!);
      }
    }
    await store.append(b.build());
    if (half === 0) await store.flush();
  }
  proxy = await serve(store, posted);
  tracked = new WriteTrackingStore(proxy);
});

afterAll(async () => {
  await tracked.close();
  await rm(dir, { recursive: true, force: true });
});

async function collect(read: AsyncIterable<SeriesCounterRollups>): Promise<SeriesCounterRollups[]> {
  const out: SeriesCounterRollups[] = [];
  for await (const c of read) out.push(c);
  return out;
}

/** Every bit of an answer: labels, both columns' bytes, the edges' bytes, the flag. */
function bits(c: SeriesCounterRollups): unknown {
  const hex = (a: Float64Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');
  return [[...c.labels], hex(c.bucketStarts), hex(c.counter), hex(Float64Array.of(c.firstTimestamp, c.firstValue, c.lastValue)), c.withoutRollups === true];
}

describe('the counter aggregate through the store thread', () => {
  it('is offered through the proxy and WriteTrackingStore because the store offers it', () => {
    expect(store.selectCounterRollups).toBeDefined();
    expect(proxy.selectCounterRollups).toBeDefined();
    expect(tracked.selectCounterRollups).toBeDefined();
  });

  it('answers as the store does, bit for bit, from any first bucket and with a series limit', async () => {
    for (const resolutionMs of store.capabilities.rollupResolutionsMs) {
      for (const [from, limitSeries] of [
        [start, undefined],
        [start + 7 * resolutionMs + 13, undefined],
        [start + DAY / 2 - resolutionMs, 270],
      ] as const) {
        const query: CounterRollupQuery = { tenant: T, matchers: [{ name: '__name__', type: '=', value: 'c_total' }], resolutionMs, start: from, end, ...(limitSeries === undefined ? {} : { limitSeries }) };
        const direct = await collect(store.selectCounterRollups(query));
        expect(direct.length).toBe(limitSeries ?? SERIES);
        expect(direct.every((c) => c.counter.length > 10)).toBe(true);
        posted.length = 0;
        const threaded = await collect(tracked.selectCounterRollups!(query));
        expect(threaded.map(bits)).toEqual(direct.map(bits));
        // More than one message (≤ 256 series each), and each carried two columns a series
        // and three numbers, nothing else.
        const batches = posted.filter((b) => b.count > 0);
        expect(batches.length).toBeGreaterThan(1);
        for (const b of batches) {
          expect(b.spans).toBe(2 * 2 * b.count);
          expect(b.numbers).toBe(3 * b.count);
        }
      }
    }
  });

  it('is not offered when the store does not offer it', async () => {
    // The same store with the optional method hidden, as an adapter without it looks.
    const plain = new Proxy(store, {
      get(target, key) {
        if (key === 'selectCounterRollups') return undefined;
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const without = await serve(plain);
    expect(without.selectCounterRollups).toBeUndefined();
    expect(new WriteTrackingStore(without).selectCounterRollups).toBeUndefined();
    // Its other reads still work (the channel is not closed here: `close` would close the store).
    const rollups: unknown[] = [];
    for await (const r of without.selectRollups({ tenant: T, matchers: [{ name: 's', type: '=', value: '001' }], resolutionMs: 3_600_000, start, end })) rollups.push(r);
    expect(rollups).toHaveLength(1);
  });
});
