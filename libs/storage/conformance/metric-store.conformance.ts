import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  CUSTOM_BUCKETS_SCHEMA,
  isStaleNaN,
  labelsFromRecord,
  MetricBatchBuilder,
  STALE_NAN,
  type LabelMatcher,
  type MetricBatch,
  type NativeHistogram,
} from '#pharos/metric-model';
import { UnsupportedQueryError, type MetricStore, type SeriesCounterRollups, type SeriesRollups, type SeriesSamples } from '#pharos/storage';

/**
 * The metric store port's acceptance suite (after Jaeger's storage integration suite): every
 * adapter wires itself in with a harness that opens a store over a location, and reopens it
 * over the same location to check durability. Adapters list the tests they opt out of.
 */
export interface MetricStoreHarness {
  /** A fresh, empty location. */
  newLocation(): Promise<StoreLocation>;
  /** Test names to skip, with the reason in the adapter's test file. */
  readonly skip?: readonly string[];
}

export interface StoreLocation {
  /** Opens a store over this location; called again after `close()` to reopen it. */
  open(): Promise<MetricStore>;
  dispose(): Promise<void>;
}

export interface SeriesSpec {
  readonly labels: Readonly<Record<string, string>>;
  readonly samples?: readonly (readonly [number, number])[];
  readonly histograms?: readonly (readonly [number, NativeHistogram])[];
}

export function buildBatch(tenant: string, specs: readonly SeriesSpec[]): MetricBatch {
  const b = new MetricBatchBuilder(tenant);
  for (const spec of specs) {
    const index = b.addSeries(labelsFromRecord(spec.labels));
    for (const [t, v] of spec.samples ?? []) b.addSample(t, v);
    for (const [t, h] of spec.histograms ?? []) b.addHistogram(index, t, h);
  }
  return b.build();
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const HOUR = 3_600_000;
const MINUTE = 60_000;
/** Hour-aligned, well inside the default 15-day retention. */
const BASE = Math.floor(Date.now() / HOUR) * HOUR - 48 * HOUR;
const ALL = { start: BASE - 100 * HOUR, end: BASE + 100 * HOUR };
const T = 'tenant-a';
const OTHER = 'tenant-b';

const eq = (name: string, value: string): LabelMatcher => ({ name, type: '=', value });
const m = (name: string, type: LabelMatcher['type'], value: string): LabelMatcher => ({ name, type, value });

/**
 * Bit pattern of a float. Values under test travel in typed arrays and function arguments
 * only: V8 canonicalises NaNs stored in plain double arrays, which would erase the marker.
 */
function bits(v: number): string {
  const f = new Float64Array(1);
  f[0] = v;
  const u = new Uint32Array(f.buffer);
  return `${u[1]!.toString(16)}:${u[0]!.toString(16)}`;
}

function single(labels: Readonly<Record<string, string>>, t: number, v: number): MetricBatch {
  const b = new MetricBatchBuilder(T);
  b.addSeries(labelsFromRecord(labels));
  b.addSample(t, v);
  return b.build();
}

function samplesOf(s: SeriesSamples | undefined): [number, number][] {
  if (s === undefined) return [];
  return Array.from(s.timestamps, (t, i) => [t, s.values[i]!]);
}

function histogram(kind: 'int' | 'float' | 'custom', scale: number): NativeHistogram {
  const custom = kind === 'custom';
  return {
    isInteger: kind !== 'float',
    schema: custom ? CUSTOM_BUCKETS_SCHEMA : 3,
    zeroThreshold: custom ? 0 : 1e-128,
    zeroCount: custom ? 0 : kind === 'int' ? 2 * scale : 1.5 * scale,
    count: 10 * scale,
    sum: 123.25 * scale,
    positiveSpans: Int32Array.from([0, 2, 3, 1]),
    positiveCounts: kind === 'float' ? Float64Array.from([1.5, 2.25, 0.5].map((c) => c * scale)) : Float64Array.from([3, 4, 1].map((c) => c * scale)),
    negativeSpans: custom ? new Int32Array(0) : Int32Array.from([-2, 1]),
    negativeCounts: custom ? new Float64Array(0) : Float64Array.from([2 * scale]),
    resetHint: 0,
    customValues: custom ? Float64Array.from([0.1, 0.5, 1, 5, 10, 50]) : new Float64Array(0),
  };
}

export function describeMetricStoreConformance(adapterName: string, harness: MetricStoreHarness): void {
  describe(`MetricStore conformance: ${adapterName}`, () => {
    const open: { store?: MetricStore; location?: StoreLocation }[] = [];
    afterEach(async () => {
      for (const o of open.splice(0)) {
        await o.store?.close().catch(() => undefined);
        await o.location?.dispose();
      }
    });

    /** Opens a fresh store; `reopen` closes it and opens the same location again. */
    async function fresh(): Promise<{ store: () => MetricStore; reopen: () => Promise<MetricStore>; dispose: () => Promise<void> }> {
      const location = await harness.newLocation();
      const slot: { store?: MetricStore; location?: StoreLocation } = { location, store: await location.open() };
      open.push(slot);
      return {
        store: () => slot.store!,
        reopen: async () => {
          await slot.store!.close();
          slot.store = await location.open();
          return slot.store;
        },
        dispose: async () => {
          open.splice(open.indexOf(slot), 1);
          await slot.store!.close();
          await location.dispose();
        },
      };
    }

    const test = (name: string, fn: () => Promise<void>, timeout?: number): void => {
      if (harness.skip?.includes(name)) it.skip(name, fn);
      else it(name, fn, timeout);
    };

    async function select(store: MetricStore, matchers: LabelMatcher[], range = ALL, tenant = T): Promise<SeriesSamples[]> {
      return collect(store.select({ tenant, matchers, ...range }));
    }

    const up = { __name__: 'up', job: 'node', instance: 'h1:9100' };

    test('append is visible to select before flush, sorted, with inclusive ranges', async () => {
      const { store } = await fresh();
      const r = await store().append(buildBatch(T, [{ labels: up, samples: [[BASE + 30_000, 3], [BASE, 1], [BASE + 15_000, 2]] }]));
      expect(r).toEqual({ samplesStored: 3, histogramsStored: 0, samplesTooOld: 0 });
      const [s] = await select(store(), [eq('__name__', 'up')]);
      expect(s!.labels).toEqual(labelsFromRecord(up));
      expect(samplesOf(s)).toEqual([[BASE, 1], [BASE + 15_000, 2], [BASE + 30_000, 3]]);
      const inner = await select(store(), [eq('job', 'node')], { start: BASE, end: BASE + 15_000 });
      expect(samplesOf(inner[0])).toEqual([[BASE, 1], [BASE + 15_000, 2]]);
      expect(await select(store(), [eq('job', 'node')], { start: BASE + 1, end: BASE + 14_999 })).toEqual([]);
      await store().flush();
      const flushedInner = await select(store(), [eq('job', 'node')], { start: BASE + 15_000, end: BASE + 30_000 });
      expect(samplesOf(flushedInner[0])).toEqual([[BASE + 15_000, 2], [BASE + 30_000, 3]]);
    });

    test('data is durable after flush, close and reopen, with stable series identity', async () => {
      const { store, reopen } = await fresh();
      await store().append(buildBatch(T, [{ labels: up, samples: [[BASE, 1]] }, { labels: { __name__: 'x', a: '1' }, samples: [[BASE, 7]] }]));
      await store().flush();
      const before = await store().stats();
      const again = await reopen();
      expect(samplesOf((await select(again, [eq('__name__', 'up')]))[0])).toEqual([[BASE, 1]]);
      // The same label set, in another order, is the same series after a restart.
      await again.append(buildBatch(T, [{ labels: { instance: 'h1:9100', job: 'node', __name__: 'up' }, samples: [[BASE + 15_000, 2]] }]));
      expect((await again.stats()).series).toBe(before.series);
      expect(await again.series({ tenant: T, matcherSets: [[eq('__name__', 'up')]], ...ALL })).toHaveLength(1);
      expect(samplesOf((await select(again, [eq('__name__', 'up')]))[0])).toEqual([[BASE, 1], [BASE + 15_000, 2]]);
      expect(before.bytesOnDisk).toBeGreaterThan(0);
    });

    test('close flushes what was appended', async () => {
      const { store, reopen } = await fresh();
      await store().append(buildBatch(T, [{ labels: up, samples: [[BASE, 1]] }]));
      const again = await reopen();
      expect(samplesOf((await select(again, [eq('__name__', 'up')]))[0])).toEqual([[BASE, 1]]);
    });

    test('tenants are isolated in every read and in deletes', async () => {
      const { store } = await fresh();
      await store().append(buildBatch(T, [{ labels: { __name__: 'm', only: 'a' }, samples: [[BASE, 1]] }]));
      await store().append(buildBatch(OTHER, [{ labels: { __name__: 'm', only: 'b' }, samples: [[BASE, 2]] }]));
      await store().flush();
      await store().append(buildBatch(OTHER, [{ labels: { __name__: 'm', only: 'b' }, samples: [[BASE + 1, 3]] }]));
      const a = await select(store(), [eq('__name__', 'm')], ALL, T);
      expect(a.map((s) => s.labels)).toEqual([labelsFromRecord({ __name__: 'm', only: 'a' })]);
      expect(samplesOf(a[0])).toEqual([[BASE, 1]]);
      expect(await store().series({ tenant: T, matcherSets: [[eq('__name__', 'm')]], ...ALL })).toEqual([labelsFromRecord({ __name__: 'm', only: 'a' })]);
      expect(await store().labelValues({ tenant: T, name: 'only', ...ALL })).toEqual(['a']);
      expect(await store().labelNames({ tenant: 'nobody', ...ALL })).toEqual([]);
      const [resolutionMs] = store().capabilities.rollupResolutionsMs;
      if (resolutionMs !== undefined) {
        const rollups = await collect(store().selectRollups({ tenant: T, matchers: [eq('__name__', 'm')], resolutionMs, ...ALL }));
        expect(rollups.map((r) => r.labels)).toEqual([labelsFromRecord({ __name__: 'm', only: 'a' })]);
        if (store().selectCounterRollups !== undefined) {
          const counters = await collect(store().selectCounterRollups!({ tenant: T, matchers: [eq('__name__', 'm')], resolutionMs, ...ALL }));
          expect(counters.map((r) => r.labels)).toEqual([labelsFromRecord({ __name__: 'm', only: 'a' })]);
          expect(await collect(store().selectCounterRollups!({ tenant: 'nobody', matchers: [eq('__name__', 'm')], resolutionMs, ...ALL }))).toEqual([]);
        }
      }
      expect(await store().deleteSeries({ tenant: T, matchers: [eq('__name__', 'm')] })).toBe(1);
      expect(samplesOf((await select(store(), [eq('__name__', 'm')], ALL, OTHER))[0])).toEqual([[BASE, 2], [BASE + 1, 3]]);
    });

    test('matchers: equality, inequality, regex anchoring, missing labels', async () => {
      const { store } = await fresh();
      await store().append(
        buildBatch(T, [
          { labels: { __name__: 'up', job: 'api', env: 'prod' }, samples: [[BASE, 1]] },
          { labels: { __name__: 'up', job: 'apiserver', env: 'dev' }, samples: [[BASE, 2]] },
          { labels: { __name__: 'up', job: 'db' }, samples: [[BASE, 3]] },
          { labels: { __name__: 'upx', job: 'api' }, samples: [[BASE, 4]] },
        ]),
      );
      await store().flush();
      const jobs = async (matchers: LabelMatcher[]): Promise<string[]> =>
        (await select(store(), matchers)).map((s) => `${s.labels[s.labels.indexOf('__name__') + 1]}/${s.labels[s.labels.indexOf('job') + 1]}`);
      expect(await jobs([eq('__name__', 'up'), eq('job', 'api')])).toEqual(['up/api']);
      expect(await jobs([m('__name__', '=~', 'up'), m('job', '=~', 'api')])).toEqual(['up/api']);
      // Series come sorted by label set: env="dev" sorts before env="prod".
      expect(await jobs([m('__name__', '=~', 'up'), m('job', '=~', 'api.*')])).toEqual(['up/apiserver', 'up/api']);
      expect(await jobs([m('__name__', '=~', 'up'), m('job', '=~', 'pi')])).toEqual([]);
      expect(await jobs([eq('__name__', 'up'), m('job', '!~', 'api.*')])).toEqual(['up/db']);
      // A missing label is the empty string: `!=` and `!~` match series that lack it.
      expect(await jobs([eq('__name__', 'up'), m('env', '!=', 'prod')])).toEqual(['up/apiserver', 'up/db']);
      expect(await jobs([eq('__name__', 'up'), m('env', '!~', 'prod|dev')])).toEqual(['up/db']);
      expect(await jobs([eq('__name__', 'up'), eq('env', '')])).toEqual(['up/db']);
      expect(await jobs([eq('__name__', 'up'), m('env', '=~', '')])).toEqual(['up/db']);
      expect(await jobs([eq('__name__', 'up'), m('env', '=~', '.+')])).toEqual(['up/apiserver', 'up/api']);
      expect(await jobs([m('job', '=~', 'api|db')])).toEqual(['up/api', 'up/db', 'upx/api']);
    });

    test('out-of-order samples are accepted, in the head and across flushes', async () => {
      const { store } = await fresh();
      await store().append(buildBatch(T, [{ labels: up, samples: [[BASE + 60_000, 5]] }]));
      await store().flush();
      await store().append(buildBatch(T, [{ labels: up, samples: [[BASE + 30_000, 3], [BASE, 1]] }]));
      expect(samplesOf((await select(store(), [eq('__name__', 'up')]))[0])).toEqual([[BASE, 1], [BASE + 30_000, 3], [BASE + 60_000, 5]]);
      await store().flush();
      await store().append(buildBatch(T, [{ labels: up, samples: [[BASE + 15_000, 2]] }]));
      expect(samplesOf((await select(store(), [eq('__name__', 'up')]))[0])).toEqual([[BASE, 1], [BASE + 15_000, 2], [BASE + 30_000, 3], [BASE + 60_000, 5]]);
    });

    const conflicts: [string, number, number, number][] = [
      ['larger value wins', 1, 2, 2],
      ['a number beats NaN', NaN, -5, -5],
      ['a number beats the staleness marker', STALE_NAN, 0, 0],
      ['the staleness marker beats another NaN', NaN, STALE_NAN, STALE_NAN],
      ['+Inf beats a finite value', 1e300, Infinity, Infinity],
    ];
    for (const [what, a, b, winner] of conflicts) {
      test(`duplicates resolve the same in both arrival orders: ${what}`, async () => {
        for (const flip of [false, true]) {
          for (const flushBetween of [false, true]) {
            const { store, reopen } = await fresh();
            await store().append(single(up, BASE, flip ? b : a));
            if (flushBetween) await store().flush();
            await store().append(single(up, BASE, flip ? a : b));
            const check = async (s: MetricStore): Promise<void> => {
              const [got] = await select(s, [eq('__name__', 'up')]);
              expect(got!.values).toHaveLength(1);
              expect(bits(got!.values[0]!)).toBe(bits(winner));
            };
            await check(store());
            if (flushBetween) {
              await store().flush();
              await check(await reopen());
            }
          }
        }
      });
    }

    test('a replayed batch is stored once', async () => {
      const { store, reopen } = await fresh();
      const batch = buildBatch(T, [{ labels: up, samples: [[BASE, 1], [BASE + 15_000, 2]] }, { labels: { __name__: 'y' }, samples: [[BASE, 9]] }]);
      await store().append(batch);
      await store().flush();
      await store().append(batch);
      expect(samplesOf((await select(store(), [eq('__name__', 'up')]))[0])).toEqual([[BASE, 1], [BASE + 15_000, 2]]);
      await store().flush();
      const again = await reopen();
      await again.append(batch);
      await again.flush();
      expect(samplesOf((await select(again, [eq('__name__', 'up')]))[0])).toEqual([[BASE, 1], [BASE + 15_000, 2]]);
      expect(samplesOf((await select(again, [eq('__name__', 'y')]))[0])).toEqual([[BASE, 9]]);
    });

    test('staleness markers are preserved bit-exact', async () => {
      const { store, reopen } = await fresh();
      const odd = new Float64Array(new Uint32Array([1, 0x7ff80000]).buffer)[0]!;
      const b = new MetricBatchBuilder(T);
      b.addSeries(labelsFromRecord(up));
      b.addSample(BASE, 1);
      b.addSample(BASE + 15_000, STALE_NAN);
      b.addSample(BASE + 30_000, odd);
      expect(isStaleNaN(b.build().values[1]!)).toBe(true);
      await store().append(b.build());
      const check = async (s: MetricStore): Promise<void> => {
        const [got] = await select(s, [eq('__name__', 'up')]);
        expect(Array.from(got!.values, (v) => bits(v))).toEqual([bits(1), bits(STALE_NAN), bits(odd)]);
        expect(isStaleNaN(got!.values[1]!)).toBe(true);
        expect(isStaleNaN(got!.values[2]!)).toBe(false);
      };
      await check(store());
      await store().flush();
      await check(store());
      await check(await reopen());
    });

    test('native histograms round-trip (integer, float, custom buckets)', async () => {
      const { store, reopen } = await fresh();
      if (!store().capabilities.nativeHistograms) return;
      const hs: [number, NativeHistogram][] = [
        [BASE + 30_000, histogram('custom', 1)],
        [BASE, histogram('int', 1)],
        [BASE + 15_000, histogram('float', 2)],
      ];
      const r = await store().append(buildBatch(T, [{ labels: { __name__: 'h' }, histograms: hs }]));
      expect(r.histogramsStored).toBe(3);
      const expected = [...hs].sort((x, y) => x[0] - y[0]);
      const check = async (s: MetricStore): Promise<void> => {
        const [got] = await select(s, [eq('__name__', 'h')]);
        expect(Array.from(got!.histogramTimestamps)).toEqual(expected.map(([t]) => t));
        expect(got!.histograms).toEqual(expected.map(([, h]) => h));
        expect(got!.timestamps).toHaveLength(0);
      };
      await check(store());
      await store().flush();
      await store().append(buildBatch(T, [{ labels: { __name__: 'h' }, histograms: [hs[1]!] }]));
      await check(store());
      await check(await reopen());
    });

    test('series, labelNames and labelValues honour matcher sets and time ranges', async () => {
      const { store, reopen } = await fresh();
      await store().append(
        buildBatch(T, [
          { labels: { __name__: 'a', job: 'x', zone: 'eu' }, samples: [[BASE, 1]] },
          { labels: { __name__: 'b', job: 'y' }, samples: [[BASE + 2 * HOUR, 1]] },
          { labels: { __name__: 'c', job: 'z', team: 't' }, samples: [[BASE + 4 * HOUR, 1]] },
        ]),
      );
      await store().flush();
      await store().append(buildBatch(T, [{ labels: { __name__: 'd', job: 'w' }, samples: [[BASE + 6 * HOUR, 1]] }]));
      const names = (ls: readonly (readonly string[])[]): string[] => ls.map((l) => l[1]!);
      expect(names(await store().series({ tenant: T, matcherSets: [[eq('__name__', 'a')], [eq('job', 'z')]], ...ALL }))).toEqual(['a', 'c']);
      expect(names(await store().series({ tenant: T, matcherSets: [[m('job', '=~', '.+')]], start: BASE + 2 * HOUR, end: BASE + 4 * HOUR }))).toEqual(['b', 'c']);
      expect(names(await store().series({ tenant: T, matcherSets: [[m('job', '=~', '.+')]], start: BASE + 5 * HOUR, end: BASE + 7 * HOUR }))).toEqual(['d']);
      expect(names(await store().series({ tenant: T, matcherSets: [[m('job', '=~', '.+')]], start: BASE + 1, end: BASE + 2 * HOUR - 1 }))).toEqual([]);
      // A range inside one series' run of samples: it has data there only if a sample falls in
      // the range, not because samples lie on both sides of it.
      // Asked again after a reopen, when older samples are wherever the adapter keeps them at rest
      // (a later sample, hours on, makes chunked adapters close the first run).
      const e = { labels: { __name__: 'e', job: 'v' }, samples: [[BASE + 8 * HOUR, 1], [BASE + 8 * HOUR + 30 * MINUTE, 2], [BASE + 9 * HOUR, 3], [BASE + 12 * HOUR, 4]] as [number, number][] };
      await store().append(buildBatch(OTHER, [e]));
      await store().flush();
      const inGap = async (s: MetricStore, start: number, end: number): Promise<string[]> => names(await s.series({ tenant: OTHER, matcherSets: [[eq('job', 'v')]], start, end }));
      for (const reopened of [false, true]) {
        if (reopened) await reopen();
        expect(await inGap(store(), BASE + 8 * HOUR + 10 * MINUTE, BASE + 8 * HOUR + 50 * MINUTE)).toEqual(['e']);
        expect(await inGap(store(), BASE + 8 * HOUR + 40 * MINUTE, BASE + 8 * HOUR + 50 * MINUTE)).toEqual([]);
      }
      expect(await store().labelNames({ tenant: T, ...ALL })).toEqual(['__name__', 'job', 'team', 'zone']);
      expect(await store().labelNames({ tenant: T, start: BASE, end: BASE + 3 * HOUR })).toEqual(['__name__', 'job', 'zone']);
      expect(await store().labelNames({ tenant: T, matcherSets: [[eq('job', 'z')]], ...ALL })).toEqual(['__name__', 'job', 'team']);
      expect(await store().labelValues({ tenant: T, name: 'job', ...ALL })).toEqual(['w', 'x', 'y', 'z']);
      expect(await store().labelValues({ tenant: T, name: 'job', start: BASE + HOUR, end: BASE + 6 * HOUR, matcherSets: [[m('__name__', '!=', 'c')]] })).toEqual(['w', 'y']);
      expect(await store().labelValues({ tenant: T, name: 'nope', ...ALL })).toEqual([]);
      expect(await store().labelValues({ tenant: T, name: 'job', limit: 2, ...ALL })).toEqual(['w', 'x']);
    });

    test('deleteSeries removes samples in a range or for all time', async () => {
      const { store, reopen } = await fresh();
      await store().append(
        buildBatch(T, [
          { labels: up, samples: [[BASE, 1], [BASE + 15_000, 2], [BASE + 30_000, 3]] },
          { labels: { __name__: 'keep' }, samples: [[BASE, 1]] },
        ]),
      );
      await store().flush();
      await store().append(buildBatch(T, [{ labels: up, samples: [[BASE + 45_000, 4]] }]));
      expect(await store().deleteSeries({ tenant: T, matchers: [eq('__name__', 'up')], start: BASE + 15_000, end: BASE + 45_000 })).toBe(1);
      expect(samplesOf((await select(store(), [eq('__name__', 'up')]))[0])).toEqual([[BASE, 1]]);
      expect(await store().deleteSeries({ tenant: T, matchers: [eq('__name__', 'up')] })).toBe(1);
      expect(await select(store(), [eq('__name__', 'up')])).toEqual([]);
      expect(await store().series({ tenant: T, matcherSets: [[m('__name__', '=~', '.+')]], ...ALL })).toEqual([labelsFromRecord({ __name__: 'keep' })]);
      const again = await reopen();
      expect(await select(again, [eq('__name__', 'up')])).toEqual([]);
      expect(await again.deleteSeries({ tenant: T, matchers: [eq('__name__', 'up')] })).toBe(0);
    });

    test('retention: too-old samples are counted at append and enforceRetention removes old data', async () => {
      const { store, reopen } = await fresh();
      const now = Date.now();
      store().setRetention(T, 10 * HOUR);
      const r = await store().append(buildBatch(T, [{ labels: up, samples: [[now - 11 * HOUR, 1], [now - 9 * HOUR, 2], [now - HOUR, 3]] }]));
      expect(r.samplesStored).toBe(2);
      expect(r.samplesTooOld).toBe(1);
      const other = await store().append(buildBatch(OTHER, [{ labels: up, samples: [[now - 11 * HOUR, 1]] }]));
      expect(other.samplesTooOld).toBe(0);
      await store().flush();
      await store().enforceRetention(now + 2 * HOUR);
      const range = { start: now - 20 * HOUR, end: now };
      expect(samplesOf((await select(store(), [eq('__name__', 'up')], range))[0])).toEqual([[now - HOUR, 3]]);
      expect(samplesOf((await select(store(), [eq('__name__', 'up')], range, OTHER))[0])).toEqual([[now - 11 * HOUR, 1]]);
      const again = await reopen();
      // Retention survives a restart, and enforced deletes are durable.
      again.setRetention(T, 10 * HOUR);
      expect(samplesOf((await select(again, [eq('__name__', 'up')], range))[0])).toEqual([[now - HOUR, 3]]);
    });

    test('exemplars are returned per series and time range, isolated by tenant, and durable after flush', async () => {
      const { store, reopen } = await fresh();
      const query = { tenant: T, matchers: [eq('__name__', 'req')], ...ALL };
      if (!store().capabilities.exemplars) {
        await expect(store().exemplars(query)).rejects.toBeInstanceOf(UnsupportedQueryError);
        return;
      }
      const write = (tenant: string, t: number, v: number, trace: string): MetricBatch => {
        const b = new MetricBatchBuilder(tenant);
        const i = b.addSeries(labelsFromRecord({ __name__: 'req', route: '/a' }));
        b.addSample(t, v);
        b.addExemplar({ seriesIndex: i, labels: labelsFromRecord({ trace_id: trace }), timestamp: t, value: v });
        return b.build();
      };
      await store().append(write(T, BASE + 15_000, 0.25, 'b'));
      await store().append(write(T, BASE, 0.5, 'a'));
      await store().append(write(OTHER, BASE, 9, 'x'));
      const check = async (s: MetricStore): Promise<void> => {
        const got = await s.exemplars(query);
        expect(got.map((g) => g.labels)).toEqual([labelsFromRecord({ __name__: 'req', route: '/a' })]);
        expect(got[0]!.exemplars).toEqual([
          { labels: labelsFromRecord({ trace_id: 'a' }), timestamp: BASE, value: 0.5 },
          { labels: labelsFromRecord({ trace_id: 'b' }), timestamp: BASE + 15_000, value: 0.25 },
        ]);
        const inner = await s.exemplars({ ...query, start: BASE + 1, end: BASE + 15_000 });
        expect(inner[0]!.exemplars.map((e) => e.timestamp)).toEqual([BASE + 15_000]);
        expect(await s.exemplars({ ...query, matchers: [eq('__name__', 'nope')] })).toEqual([]);
      };
      await check(store());
      await store().flush();
      // A replayed batch does not duplicate its exemplar.
      await store().append(write(T, BASE, 0.5, 'a'));
      await check(store());
      await check(await reopen());
    });

    test('metric metadata: the last received wins per tenant and family, and it is durable', async () => {
      const { store, reopen } = await fresh();
      const meta = (tenant: string, name: string, help: string): MetricBatch => {
        const b = new MetricBatchBuilder(tenant);
        b.addMetadata({ metricFamilyName: name, type: 'counter', help, unit: 'seconds' });
        return b.build();
      };
      await store().append(meta(T, 'b_total', 'old'));
      await store().append(meta(T, 'a_total', 'A'));
      await store().flush();
      await store().append(meta(T, 'b_total', 'new'));
      await store().append(meta(OTHER, 'c_total', 'C'));
      const check = async (s: MetricStore): Promise<void> => {
        expect(await s.metadata({ tenant: T })).toEqual([
          { metricFamilyName: 'a_total', type: 'counter', help: 'A', unit: 'seconds' },
          { metricFamilyName: 'b_total', type: 'counter', help: 'new', unit: 'seconds' },
        ]);
        expect((await s.metadata({ tenant: T, metric: 'b_total' })).map((m) => m.help)).toEqual(['new']);
        expect((await s.metadata({ tenant: T, limit: 1 })).map((m) => m.metricFamilyName)).toEqual(['a_total']);
        expect((await s.metadata({ tenant: OTHER })).map((m) => m.metricFamilyName)).toEqual(['c_total']);
      };
      await check(store());
      await store().flush();
      await check(await reopen());
    });

    test('chunked storage keeps long series exact across flushes, reopen and a range delete', async () => {
      const { store, reopen } = await fresh();
      // Long enough to span several chunks; counters with decimals, a reset, NaN and a staleness marker.
      const n = 1000;
      let v = 1234.5;
      const b = new MetricBatchBuilder(T);
      b.addSeries(labelsFromRecord(up));
      for (let i = 0; i < n; i++) {
        v = i === 500 ? 3 : v + (i % 7) * 0.25;
        b.addSample(BASE + i * 15_000 + (i % 3), i === 700 ? STALE_NAN : i === 701 ? NaN : v);
      }
      const batch = b.build();
      for (let from = 0; from < n; from += 137) {
        const part = new MetricBatchBuilder(T);
        part.addSeries(labelsFromRecord(up));
        for (let i = from; i < Math.min(n, from + 137); i++) part.addSample(batch.timestamps[i]!, batch.values[i]!);
        await store().append(part.build());
        if (from % 2 === 0) await store().flush();
      }
      // Expected values stay in typed arrays (see `bits`): plain arrays would erase the marker.
      const check = async (s: MetricStore, keep: (t: number) => boolean): Promise<void> => {
        const [got] = await select(s, [eq('__name__', 'up')]);
        const want = Array.from(batch.timestamps.keys()).filter((i) => keep(batch.timestamps[i]!));
        expect(Array.from(got!.timestamps)).toEqual(want.map((i) => batch.timestamps[i]!));
        expect(Array.from(got!.values, (x) => bits(x))).toEqual(want.map((i) => bits(batch.values[i]!)));
      };
      const all = (): boolean => true;
      await check(store(), all);
      const again = await reopen();
      await check(again, all);
      const from = BASE + 300 * 15_000;
      const to = BASE + 450 * 15_000;
      expect(await again.deleteSeries({ tenant: T, matchers: [eq('__name__', 'up')], start: from, end: to })).toBe(1);
      const kept = (t: number): boolean => t < from || t > to;
      await check(again, kept);
      await again.flush();
      await check(await reopen(), kept);
    });

    test('an unsupported rollup resolution is refused, not answered empty', async () => {
      const { store } = await fresh();
      await expect(collect(store().selectRollups({ tenant: T, matchers: [eq('__name__', 'up')], resolutionMs: 42_000, ...ALL }))).rejects.toBeInstanceOf(UnsupportedQueryError);
    });

    test('selectRollups names the series it cannot summarize when asked (withoutRollupsFrom)', async () => {
      const { store, reopen } = await fresh();
      const [res] = store().capabilities.rollupResolutionsMs;
      if (res === undefined || !store().capabilities.nativeHistograms) return;
      // The read: buckets from BASE, samples looked for from `from` (inside the first bucket) to `end`.
      const from = BASE + 60_000;
      const end = BASE + 4 * res - 1;
      const h = histogram('int', 1);
      await store().append(
        buildBatch(T, [
          { labels: { __name__: 'x', k: 'float' }, samples: [[BASE + 2 * res, 1]] },
          { labels: { __name__: 'x', k: 'hist' }, histograms: [[BASE + res, h]] },
          // Only before `from` (its bucket is read, but it holds no sample asked about).
          { labels: { __name__: 'x', k: 'hist-early' }, histograms: [[BASE + 30_000, h]] },
          { labels: { __name__: 'x', k: 'hist-late' }, histograms: [[end + 1, h]] },
          { labels: { __name__: 'x', k: 'mixed' }, samples: [[BASE + res, 2]], histograms: [[BASE + res + 1, h]] },
          { labels: { __name__: 'y', k: 'hist' }, histograms: [[BASE + res, h]] },
        ]),
      );
      // Staleness markers go in through the builder's arguments: an array literal would canonicalise their NaN.
      const stale = new MetricBatchBuilder(T);
      stale.addSeries(labelsFromRecord({ __name__: 'x', k: 'stale' }));
      stale.addSample(BASE + res, STALE_NAN);
      // A real sample before `from` gives it a bucket; its staleness marker in range adds none.
      stale.addSeries(labelsFromRecord({ __name__: 'x', k: 'stale-after-sample' }));
      stale.addSample(BASE + 1000, 3);
      stale.addSample(BASE + 2 * res, STALE_NAN);
      await store().append(stale.build());
      const ask = async (s: MetricStore, extra: { withoutRollupsFrom?: number; limitSeries?: number }): Promise<[string, boolean, number][]> =>
        (await collect(s.selectRollups({ tenant: T, matchers: [eq('__name__', 'x')], resolutionMs: res, start: BASE, end, fields: ['count'], ...extra }))).map(
          (r) => [r.labels[3]!, r.withoutRollups === true, r.bucketStarts.length + r.count.length + r.sum.length + r.increase.length],
        );
      const check = async (s: MetricStore): Promise<void> => {
        expect(await ask(s, { withoutRollupsFrom: from })).toEqual([
          ['float', false, 2],
          ['mixed', false, 2],
          ['stale-after-sample', false, 2],
          ['hist', true, 0],
          ['stale', true, 0],
        ]);
        // What `series` lists for the range, minus the series with buckets.
        const listed = (await s.series({ tenant: T, matcherSets: [[eq('__name__', 'x')]], start: from, end })).map((l) => l[3]);
        expect(listed.filter((k) => !['float', 'mixed', 'stale-after-sample'].includes(k!))).toEqual(['hist', 'stale']);
        expect(await ask(s, {})).toEqual([
          ['float', false, 2],
          ['mixed', false, 2],
          ['stale-after-sample', false, 2],
        ]);
        expect(await ask(s, { withoutRollupsFrom: from, limitSeries: 4 })).toHaveLength(4);
        // From the bucket's start, the early histogram counts.
        expect((await ask(s, { withoutRollupsFrom: BASE })).filter(([, without]) => without).map(([k]) => k)).toEqual(['hist', 'hist-early', 'stale']);
        // The counter aggregate names the same series, alike (ADR 0020).
        if (s.selectCounterRollups !== undefined) {
          for (const extra of [{ withoutRollupsFrom: from }, {}, { withoutRollupsFrom: from, limitSeries: 4 }]) {
            const counters = await collect(s.selectCounterRollups({ tenant: T, matchers: [eq('__name__', 'x')], resolutionMs: res, start: BASE, end, ...extra }));
            expect(counters.map((c) => [c.labels[3]!, c.withoutRollups === true, c.bucketStarts.length + c.counter.length])).toEqual(await ask(s, extra));
          }
        }
      };
      await check(store());
      await store().flush();
      await check(store());
      await check(await reopen());
    });

    test('the counter aggregate equals its definition over the rollup fields, from any first bucket', async () => {
      const { store, reopen } = await fresh();
      if (store().selectCounterRollups === undefined) return;
      const resolutions = store().capabilities.rollupResolutionsMs;
      // Two days of three counters at 15 s with fractional steps (so the order of additions
      // shows in the bits), resets inside buckets and at bucket boundaries, and a gap.
      const step = 15_000;
      const DAY = 24 * HOUR;
      const start = BASE - 2 * DAY;
      const series = [0, 1, 2].map((s) => {
        const samples: [number, number][] = [];
        let v = 1000.1 * (s + 1);
        for (let i = 0; i < (2 * DAY) / step; i++) {
          if (s === 2 && i % 5000 < 400) continue;
          const t = start + i * step;
          if (i % (997 + 300 * s) === 0) v = 0.3 * s;
          else if (s === 1 && t % 3_600_000 === 0) v = 0.7;
          else v += 0.1 * ((i * 7 + s) % 13) + 1e-3 * s;
          samples.push([t, v]);
        }
        return { labels: { __name__: 'c', s: String(s) }, samples };
      });
      for (let day = 0; day < 2; day++) {
        const from = start + day * DAY;
        await store().append(buildBatch(T, series.map((x) => ({ labels: x.labels, samples: x.samples.filter(([t]) => t >= from && t < from + DAY) }))));
        await store().flush();
      }
      const check = async (s: MetricStore): Promise<void> => {
        for (const res of resolutions) {
          for (const first of [start, start + 7 * res, start + DAY + 3 * res]) {
            const q = { tenant: T, matchers: [eq('__name__', 'c')], resolutionMs: res, start: first, end: BASE };
            const fields = await collect(s.selectRollups({ ...q, fields: ['firstTimestamp', 'firstValue', 'lastValue', 'increase'] }));
            const counters = await collect(s.selectCounterRollups!(q));
            expect(counters.length).toBe(3);
            expect(counters.map(counterPlain)).toEqual(fields.map((r) => counterPlain(referenceCounter(r, first))));
            expect(counters.every((c) => c.counter.length > 10)).toBe(true);
          }
        }
      };
      await check(store());
      await check(await reopen());
    });

    test(
      'rollups equal a brute-force computation over the raw samples',
      async () => {
        const { store: first } = await fresh();
        const resolutions = first().capabilities.rollupResolutionsMs;
        if (resolutions.length === 0) return;
        const step = 15_000;
        const arb = fc.record({
          series: fc.array(
            fc.array(fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 50 })), { minLength: 1, maxLength: 300 }),
            { minLength: 1, maxLength: 3 },
          ),
          chunks: fc.integer({ min: 1, max: 5 }),
          shuffleSeed: fc.integer(),
          flushes: fc.boolean(),
          reopen: fc.boolean(),
        });
        await fc.assert(
          fc.asyncProperty(arb, async ({ series, chunks, shuffleSeed, flushes, reopen }) => {
            const { store, reopen: doReopen, dispose } = await fresh();
            // Counters: each step adds the drawn increment; -1 is a reset to a small value.
            const raw: [number, number][][] = series.map((incs) => {
              let v = 100;
              return incs.map((inc, i) => {
                v = inc < 0 ? i % 7 : v + inc;
                return [BASE + 7 * 60_000 + i * step, v];
              });
            });
            const all: [number, number, number][] = raw.flatMap((s, si) => s.map(([t, v]) => [si, t, v] as [number, number, number]));
            let seed = shuffleSeed;
            for (let i = all.length - 1; i > 0; i--) {
              seed = (Math.imul(seed, 1103515245) + 12345) | 0;
              const j = Math.abs(seed) % (i + 1);
              [all[i], all[j]] = [all[j]!, all[i]!];
            }
            const per = Math.ceil(all.length / chunks);
            for (let c = 0; c < chunks; c++) {
              const part = all.slice(c * per, (c + 1) * per);
              await store().append(buildBatch(T, part.map(([si, t, v]) => ({ labels: { __name__: 'c', s: String(si) }, samples: [[t, v]] }))));
              if (flushes && c % 2 === 0) await store().flush();
            }
            const s = reopen ? await doReopen() : store();
            for (const res of resolutions) {
              const got = await collect(s.selectRollups({ tenant: T, matchers: [eq('__name__', 'c')], resolutionMs: res, ...ALL }));
              const expected = raw.map((samples, si) => bruteForce(samples, res, labelsFromRecord({ __name__: 'c', s: String(si) })));
              const plain = (r: SeriesRollups): unknown => JSON.parse(JSON.stringify({ ...r, labels: [...r.labels] }, (_, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v)));
              expect(got.map(plain)).toEqual(expected.map(plain));
              // Naming fields: those (and the buckets) as a full read has them; the others MAY be empty.
              const fields = ROLLUP_FIELD_NAMES.filter((_, k) => ((shuffleSeed >>> k) & 1) === 1);
              const some = await collect(s.selectRollups({ tenant: T, matchers: [eq('__name__', 'c')], resolutionMs: res, fields, ...ALL }));
              const part = (r: SeriesRollups): unknown => ({ labels: [...r.labels], bucketStarts: Array.from(r.bucketStarts), ...Object.fromEntries(fields.map((f) => [f, Array.from(r[f])])) });
              expect(some.map(part)).toEqual(expected.map(part));
              if (s.selectCounterRollups !== undefined) {
                // The counter aggregate (ADR 0020): the port's definition over the fields, bit
                // for bit, started by the first bucket asked (all of them, then from a later one).
                const later = Math.floor((BASE + 7 * 60_000 + 40 * step) / res) * res;
                for (const start of [ALL.start, later]) {
                  const counters = await collect(s.selectCounterRollups({ tenant: T, matchers: [eq('__name__', 'c')], resolutionMs: res, start, end: ALL.end }));
                  const want = expected.map((r) => referenceCounter(r, start)).filter((c) => c.bucketStarts.length > 0);
                  expect(counters.map(counterPlain)).toEqual(want.map(counterPlain));
                }
              }
            }
            await dispose();
          }),
          { numRuns: 15 },
        );
      },
      120_000,
    );
  });
}

const ROLLUP_FIELD_NAMES = ['count', 'sum', 'min', 'max', 'firstTimestamp', 'firstValue', 'lastTimestamp', 'lastValue', 'increase'] as const;

type CounterAnswer = Omit<SeriesCounterRollups, 'withoutRollups'>;

function counterPlain(c: CounterAnswer): unknown {
  return [[...c.labels], Array.from(c.bucketStarts), Array.from(c.counter), c.firstTimestamp, c.firstValue, c.lastValue];
}

/**
 * Reference counter aggregate of a rollup answer's buckets from `from` on, as port.ts defines
 * `SeriesCounterRollups.counter`: the first bucket's first value plus its increase, then each
 * bucket adds the jump from the last one (its first value alone after a drop) and its increase.
 */
function referenceCounter(r: SeriesRollups, from: number): CounterAnswer {
  const keep: number[] = [];
  r.bucketStarts.forEach((b, k) => {
    if (b >= from) keep.push(k);
  });
  const counter: number[] = [];
  let total = NaN;
  keep.forEach((k, j) => {
    if (j === 0) total = r.firstValue[k]! + r.increase[k]!;
    else {
      const jump = r.firstValue[k]! - r.lastValue[keep[j - 1]!]!;
      total = total + (jump >= 0 ? jump : r.firstValue[k]!) + r.increase[k]!;
    }
    counter.push(total);
  });
  const k0 = keep[0];
  const kn = keep[keep.length - 1];
  return {
    labels: r.labels,
    bucketStarts: Float64Array.from(keep, (k) => r.bucketStarts[k]!),
    counter: Float64Array.from(counter),
    firstTimestamp: k0 === undefined ? NaN : r.firstTimestamp[k0]!,
    firstValue: k0 === undefined ? NaN : r.firstValue[k0]!,
    lastValue: kn === undefined ? NaN : r.lastValue[kn]!,
  };
}

/** Reference rollup: per bucket, from the sorted samples of one series. */
function bruteForce(samples: readonly (readonly [number, number])[], res: number, labels: readonly string[]): SeriesRollups {
  const byBucket = new Map<number, [number, number][]>();
  for (const [t, v] of [...samples].sort((a, b) => a[0] - b[0])) {
    const b = Math.floor(t / res) * res;
    if (!byBucket.has(b)) byBucket.set(b, []);
    byBucket.get(b)!.push([t, v]);
  }
  const buckets = [...byBucket.keys()].sort((a, b) => a - b);
  const col = (f: (s: [number, number][]) => number): Float64Array => Float64Array.from(buckets, (b) => f(byBucket.get(b)!));
  return {
    labels,
    bucketStarts: Float64Array.from(buckets),
    count: col((s) => s.length),
    sum: col((s) => s.reduce((a, [, v]) => a + v, 0)),
    min: col((s) => Math.min(...s.map(([, v]) => v))),
    max: col((s) => Math.max(...s.map(([, v]) => v))),
    firstTimestamp: col((s) => s[0]![0]),
    firstValue: col((s) => s[0]![1]),
    lastTimestamp: col((s) => s[s.length - 1]![0]),
    lastValue: col((s) => s[s.length - 1]![1]),
    increase: col((s) => s.slice(1).reduce((a, [, v], i) => a + (v >= s[i]![1] ? v - s[i]![1] : v), 0)),
  };
}
