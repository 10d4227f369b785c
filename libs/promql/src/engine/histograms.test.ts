import type { NativeHistogram } from '#pharos/metric-model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFixture, TENANT, vectorLines, type Fixture } from './test-fixture.js';

let fx: Fixture;
const T = 60_000;

function hist(count: number, sum: number, buckets: number[]): NativeHistogram {
  return {
    isInteger: false,
    schema: 0,
    zeroThreshold: 0.001,
    zeroCount: 0,
    count,
    sum,
    positiveSpans: Int32Array.from([0, buckets.length]),
    positiveCounts: Float64Array.from(buckets),
    negativeSpans: new Int32Array(0),
    negativeCounts: new Float64Array(0),
    resetHint: 0,
    customValues: new Float64Array(0),
  };
}

beforeAll(async () => {
  fx = await openFixture();
  await fx.loadHistograms({
    'h{i="1"}': [[T, hist(3, 6, [1, 2])]],
    'h{i="2"}': [[T, hist(5, 10, [2, 3])]],
    'mixed{i="1"}': [[T, hist(1, 1, [1])]],
  });
  await fx.load({ 'mixed{i="2"}': [[T, 4]], 'f{i="1"}': [[T, 2]] });
});
afterAll(() => fx.close());

async function run(query: string): Promise<{ lines: string[]; warnings: string[]; infos: string[] }> {
  const r = await fx.engine().instantQuery({ tenant: TENANT, query, timeMs: T });
  return { lines: vectorLines(r), warnings: [...r.annotations.warnings], infos: [...r.annotations.infos] };
}

async function buckets(query: string): Promise<number[][]> {
  const r = await fx.engine().instantQuery({ tenant: TENANT, query, timeMs: T });
  if (r.value.resultType !== 'vector') throw new Error('vector expected');
  return r.value.samples.map((s) => Array.from(s.h!.positiveCounts));
}

describe('native histogram arithmetic', () => {
  it('adds and subtracts histograms', async () => {
    expect((await run('h{i="1"} + ignoring(i) h{i="2"}')).lines).toEqual(['{} => hist(count=8,sum=16)']);
    expect(await buckets('h{i="1"} + ignoring(i) h{i="2"}')).toEqual([[3, 5]]);
    expect((await run('h{i="2"} - ignoring(i) h{i="1"}')).lines).toEqual(['{} => hist(count=2,sum=4)']);
  });

  it('scales by scalars on either side and divides by them', async () => {
    expect((await run('h{i="1"} * 2')).lines).toEqual(['{i="1"} => hist(count=6,sum=12)']);
    expect((await run('2 * h{i="1"}')).lines).toEqual(['{i="1"} => hist(count=6,sum=12)']);
    expect((await run('h{i="1"} / 2')).lines).toEqual(['{i="1"} => hist(count=1.5,sum=3)']);
  });

  it('ignores unsupported combinations with an info annotation', async () => {
    const r = await run('h > 1');
    expect(r.lines).toEqual([]);
    expect(r.infos).toEqual(['PromQL info: incompatible sample types encountered for binary operator ">": histogram > float (1:1)']);
    const plus = await run('h{i="1"} + 1');
    expect(plus.lines).toEqual([]);
    expect(plus.infos).toEqual(['PromQL info: incompatible sample types encountered for binary operator "+": histogram + float (1:1)']);
  });

  it('compares histograms for equality', async () => {
    expect((await run('h == h')).lines).toEqual(['h{i="1"} => hist(count=3,sum=6)', 'h{i="2"} => hist(count=5,sum=10)']);
    // One-to-one matching with ignoring() removes the ignored labels from the result.
    expect((await run('h{i="1"} != ignoring(i) h{i="2"}')).lines).toEqual(['h{} => hist(count=3,sum=6)']);
  });
});

describe('native histogram aggregation', () => {
  it('sums and averages histograms', async () => {
    expect((await run('sum(h)')).lines).toEqual(['{} => hist(count=8,sum=16)']);
    expect(await buckets('sum(h)')).toEqual([[3, 5]]);
    expect((await run('avg(h)')).lines).toEqual(['{} => hist(count=4,sum=8)']);
    expect(await buckets('avg(h)')).toEqual([[1.5, 2.5]]);
  });

  it('drops a group that mixes floats and histograms, with a warning', async () => {
    const r = await run('sum(mixed)');
    expect(r.lines).toEqual([]);
    expect(r.warnings).toEqual(['PromQL warning: encountered a mix of histograms and floats for aggregation (1:5)']);
  });

  it('ignores histograms in min/max/topk with an info', async () => {
    const r = await run('max(mixed)');
    expect(r.lines).toEqual(['{} => 4']);
    expect(r.infos).toEqual(['PromQL info: ignored histogram in max aggregation (1:5)']);
    expect((await run('topk(1, mixed)')).lines).toEqual(['mixed{i="2"} => 4']);
    expect((await run('count(mixed)')).lines).toEqual(['{} => 2']);
  });
});
