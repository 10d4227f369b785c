import { describe, expect, it } from 'vitest';
import type { SelectQuery, SeriesSamples } from '#pharos/storage';
import { PromQLEngine } from './engine.js';
import { InMemorySeriesStore, PANEL_SCRAPE_MS, PANEL_TENANT, panelSeries } from './panel-fixture.js';
import type { QueryResult } from './query-api.js';

// Identical selects in flight share one store read (selectors.ts), and nothing else does:
// reads are never kept once done, a cancelled first reader does not fail the others, and
// answers are those of unshared reads.

const HOUR = 3_600_000;

/** Counts `select` calls and lets a test hold them open until released. */
class CountingStore extends InMemorySeriesStore {
  selects = 0;
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;

  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open?.();
    this.gate = undefined;
  }

  override async *select(query: SelectQuery): AsyncIterable<SeriesSamples> {
    this.selects++;
    if (this.gate !== undefined) await this.gate;
    query.signal?.throwIfAborted();
    yield* super.select(query);
  }
}

function request(query: string, signal?: AbortSignal): { tenant: string; query: string; startMs: number; endMs: number; stepMs: number; signal?: AbortSignal } {
  return { tenant: PANEL_TENANT, query, startMs: HOUR, endMs: 3 * HOUR, stepMs: 60_000, ...(signal === undefined ? {} : { signal }) };
}

function bits(r: QueryResult): string {
  if (r.value.resultType !== 'matrix') throw new Error(r.value.resultType);
  return JSON.stringify(r.value.series.map((s) => [s.labels, Array.from(s.timestamps), Array.from(new Uint32Array(Float64Array.from(s.values).buffer))]));
}

const P99 = 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[75s])))';
const P99_BY_HANDLER = 'histogram_quantile(0.99, sum by (le, handler) (rate(http_request_duration_seconds_bucket[75s])))';

describe('shared selects', () => {
  const series = panelSeries(2, 4 * HOUR);
  expect(PANEL_SCRAPE_MS).toBe(15_000);

  it('two panels reading the same series at once make one store read, with unchanged answers', async () => {
    const alone = new PromQLEngine({ store: new InMemorySeriesStore(PANEL_TENANT, series) });
    const want = [bits(await alone.rangeQuery(request(P99))), bits(await alone.rangeQuery(request(P99_BY_HANDLER)))];

    const store = new CountingStore(PANEL_TENANT, series);
    const engine = new PromQLEngine({ store });
    // The first read is held until the second query has had many turns of the event loop to
    // plan and reach its select: "at once" by order of events, not by how fast the machine is
    // (on a loaded one a query's planning may yield, and the first read used to end before).
    store.hold();
    const answers = Promise.all([engine.rangeQuery(request(P99)), engine.rangeQuery(request(P99_BY_HANDLER))]);
    for (let turn = 0; turn < 50; turn++) await new Promise((resolve) => setImmediate(resolve));
    store.release();
    const got = await answers;
    expect(store.selects).toBe(1);
    expect(got.map(bits)).toEqual(want);
  });

  it('keeps nothing once a read is done, and does not share different ranges or matchers', async () => {
    const store = new CountingStore(PANEL_TENANT, series);
    const engine = new PromQLEngine({ store });
    await engine.rangeQuery(request(P99));
    await engine.rangeQuery(request(P99));
    expect(store.selects).toBe(2);
    await Promise.all([
      engine.rangeQuery(request(P99)),
      engine.rangeQuery({ ...request(P99), endMs: 3 * HOUR - 60_000 }),
      engine.rangeQuery(request('histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{handler="/metrics"}[75s])))')),
    ]);
    expect(store.selects).toBe(5);
  });

  it('a cancelled first reader does not fail the queries that joined its read', async () => {
    const store = new CountingStore(PANEL_TENANT, series);
    const engine = new PromQLEngine({ store });
    const want = bits(await new PromQLEngine({ store: new InMemorySeriesStore(PANEL_TENANT, series) }).rangeQuery(request(P99_BY_HANDLER)));
    store.hold();
    const abort = new AbortController();
    const first = engine.rangeQuery(request(P99, abort.signal));
    const joined = engine.rangeQuery(request(P99_BY_HANDLER));
    await new Promise((resolve) => setTimeout(resolve, 10));
    abort.abort();
    store.release();
    await expect(first).rejects.toMatchObject({ type: 'canceled' });
    expect(bits(await joined)).toBe(want);
    // The joiner read again for itself.
    expect(store.selects).toBe(2);
  });
});
