import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelsFromRecord, MetricBatchBuilder } from '#pharos/metric-model';
import { DuckDBMetricStore } from './duckdb/duckdb-metric-store.js';
import type { SeriesCounterRollups, SeriesRollups } from './port.js';
import { COUNTER_SOURCE_FIELDS, counterRollupsOf } from './rollup-counter.js';

/**
 * The shared helper an adapter may serve `selectCounterRollups` with: over the fields its
 * `selectRollups` gives, it answers as the DuckDB store's own reduction (which assembles and
 * reduces in scratch), to the bit.
 */

const HOUR = 3_600_000;
const T0 = Math.floor(Date.now() / HOUR) * HOUR - 30 * HOUR;
let dir: string;
let store: DuckDBMetricStore;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pharos-rollup-counter-'));
  store = await DuckDBMetricStore.open({ dir, threads: 1 });
  const b = new MetricBatchBuilder('t');
  for (let s = 0; s < 4; s++) {
    b.addSeries(labelsFromRecord({ __name__: 'c', s: String(s) }));
    let v = 3.3 * s;
    for (let i = 0; i < (30 * HOUR) / 15_000; i++) {
      v = i % (613 + 50 * s) === 0 ? 0.1 * s : v + 0.07 * (i % 9) + 0.001;
      b.addSample(T0 + i * 15_000 + 1_000 * s, v);
    }
  }
  await store.append(b.build());
  await store.flush();
});

afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const plain = (c: SeriesCounterRollups): unknown => [[...c.labels], Array.from(c.bucketStarts), Array.from(c.counter), c.firstTimestamp, c.firstValue, c.lastValue, c.withoutRollups === true];

describe('counterRollupsOf', () => {
  it('reduces selectRollups fields as the store reduces them', async () => {
    for (const resolutionMs of store.capabilities.rollupResolutionsMs) {
      for (const start of [T0, T0 + 5 * HOUR + 17 * 60_000]) {
        const q = { tenant: 't', matchers: [{ name: '__name__', value: 'c', type: '=' as const }], resolutionMs, start, end: T0 + 40 * HOUR };
        const fields = await collect(store.selectRollups({ ...q, fields: COUNTER_SOURCE_FIELDS }));
        const own = await collect(store.selectCounterRollups(q));
        expect(own.length).toBe(4);
        expect(own.every((c) => c.counter.length > 20)).toBe(true);
        expect(fields.map((r) => plain(counterRollupsOf(r)))).toEqual(own.map(plain));
      }
    }
  });

  it('refuses an answer without the counter fields, naming the missing one', async () => {
    const q = { tenant: 't', matchers: [{ name: '__name__', value: 'c', type: '=' as const }], resolutionMs: 300_000, start: T0, end: T0 + HOUR };
    const [r] = await collect(store.selectRollups({ ...q, fields: ['firstValue', 'increase'] }));
    expect(() => counterRollupsOf(r as SeriesRollups)).toThrow(/lastValue/);
  });
});
