import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStaleNaN } from '#pharos/metric-model';
import { scrapeSums } from '../support/prometheus3.js';
import { getSeries } from '../support/remote-write-client.js';
import { loadCorpus, type CorpusQuery, type CorpusTag } from './corpus.js';
import { uncovered } from './coverage.js';
import { datasetSize, generateDataset, type Dataset } from './dataset.js';
import { differenceClassOf, PROMETHEUS_2_VS_3_DIFFERENCES } from './differences.js';
import { PHAROS_KNOWN_FAILURES } from './known-failing.js';
import { loadDataset, type LoadSummary } from './load.js';
import { labelKey, runQuery } from './query-client.js';
import { annotationDifferences, differences, formatDifferences, runCorpus, timingSummary, type QueryDifference, type QueryRun } from './runner.js';
import { startPharosTarget, startPrometheus2, startPrometheus3, type QueryTarget, type TargetName } from './targets.js';

const SEED = 20_240_611;
const HOURS = 4;
/** Prometheus' head block range, at whose multiples it cuts chunks. */
const BLOCK_RANGE_MS = 2 * 3_600_000;
/** Set to a file path to write every difference (all three pairs) for the engine engineers. */
const REPORT = process.env.PHAROS_PROMQL_COMPARE_REPORT;

/**
 * Issue 3 §2: Pharos answers PromQL like real Prometheus. One seeded data set (4 h of counters
 * with resets, gauges with gaps, stale series, classic and native histograms, NaN/±Inf, UTF-8
 * label values) is loaded over remote_write into Prometheus 2.42 (1.0), Prometheus 3.x (2.0)
 * and Pharos (2.0); the corpus (tests/promql-compare/corpus/*.txt) runs on all three as instant
 * queries at several step-misaligned times and as range queries with misaligned start and
 * step, and the answers are compared: same result type, same series, values within 1e-9
 * relative, histograms bucket by bucket, same error type.
 */
describe('PromQL compared with Prometheus 2.42 and 3.x', () => {
  const corpus = loadCorpus();
  let dataset: Dataset;
  const targets: QueryTarget[] = [];
  let runs: QueryRun[] = [];

  let loads: LoadSummary[] = [];
  /** Why Pharos could not be started or loaded, if so: only its own tests fail then. */
  let pharosError: unknown;

  /** Settles once Pharos is loaded (or failed to start or load): afterAll waits for it. */
  let pharosReady: Promise<void> = Promise.resolve();

  beforeAll(async () => {
    // Data end on the last even hour (UTC), so the run is reproducible: Prometheus cuts head
    // chunks at multiples of its 2 h block range, and a native histogram read back across a
    // chunk boundary can have a different bucket layout (recoded with empty buckets) than the
    // same histogram inside one chunk, which `changes()` counts as a change. (Recent data,
    // too: Pharos refuses samples older than its retention, 15 d.)
    const end = Math.floor(Date.now() / BLOCK_RANGE_MS) * BLOCK_RANGE_MS;
    dataset = generateDataset({ seed: SEED, startMs: end - HOURS * 3_600_000, durationMs: HOURS * 3_600_000 });
    pharosReady = startPharosTarget().then(
      async (t) => {
        targets.push(t);
        await loadDataset(t.url, dataset, { version: '2.0', audience: 'v3' });
        await waitUntilStored(t, dataset);
      },
      (err: unknown) => {
        pharosError = err;
      },
    );
    // The first 3.x start may build it from source (minutes); later runs find it cached.
    const started = await Promise.allSettled([startPrometheus2(), startPrometheus3()]);
    for (const s of started) if (s.status === 'fulfilled') targets.push(s.value);
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    const [p2, p3] = started.map((s) => (s as PromiseFulfilledResult<QueryTarget>).value) as [QueryTarget, QueryTarget];
    loads = await Promise.all([loadDataset(p2.url, dataset, { version: '1.0', audience: 'all' }), loadDataset(p3.url, dataset, { version: '2.0', audience: 'v3' })]);
    await pharosReady.catch((err: unknown) => {
      pharosError = err;
    });
    runs = await runCorpus(corpus, dataset, pharosError === undefined ? targets : [p2, p3]);
    // Answer times, for the record (the targets share two cores with the test and each other).
    console.info(`PromQL corpus: ${corpus.length} queries, answer times\n${timingSummary(runs)}`);
    if (REPORT) writeReport(REPORT, runs, dataset, pharosError === undefined);
  }, 30 * 60_000);

  afterAll(async () => {
    await pharosReady.catch(() => undefined);
    await Promise.all(targets.map((t) => t.stop()));
  });

  const target = (name: TargetName): QueryTarget => {
    const t = targets.find((x) => x.name === name);
    if (!t) throw new Error(`${name} is not running`);
    return t;
  };

  it('has at least 300 distinct queries calling every function, aggregator and operator', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(300);
    expect(uncovered(corpus)).toEqual([]);
    const tags = (tag: CorpusTag): number => corpus.filter((q) => q.tags.has(tag)).length;
    expect(tags('ordered') + tags('ordered-labels')).toBeGreaterThan(5);
    expect(tags('aligned')).toBeGreaterThan(5);
  });

  it('finds Prometheus 2.42 and 3.x different exactly on the listed queries', () => {
    const listed = new Set(PROMETHEUS_2_VS_3_DIFFERENCES.flatMap((c) => c.queries));
    for (const id of listed) expect(corpus.some((q) => q.id === id), `listed difference not in the corpus: ${id}`).toBe(true);
    const found = differences(runs, dataset, 'prometheus2', 'prometheus3', (q) => !q.tags.has('v3-data'));
    const unlisted = found.filter((d) => !listed.has(d.query.id));
    const agreeing = [...listed].filter((id) => !found.some((d) => d.query.id === id));
    expect(unlisted.length, formatDifferences('2.42 and 3.x differ on queries not in differences.ts', unlisted)).toBe(0);
    expect(agreeing, 'listed in differences.ts but 2.42 and 3.x agree: remove them').toEqual([]);
  });

  it('answers every query like Prometheus 3.x, except the known failures', () => {
    if (pharosError !== undefined) throw pharosError;
    const failing = pharosFailures(runs, dataset);
    const unexpected = failing.filter((d) => !(d.query.id in PHAROS_KNOWN_FAILURES));
    const fixed = Object.keys(PHAROS_KNOWN_FAILURES).filter((id) => !failing.some((d) => d.query.id === id));
    expect(unexpected.length, formatDifferences('Pharos differs from Prometheus on queries not in known-failing.ts', unexpected)).toBe(0);
    expect(fixed, 'known-failing.ts lists queries Pharos now answers correctly: remove them').toEqual([]);
  });

  it('loaded every sample into each Prometheus and every series into Pharos', async () => {
    // A difference must never be the load's fault: each Prometheus holds exactly the samples
    // sent (staleness markers are not returned), and Pharos knows every series.
    for (const load of loads) expect(load.staleMarkers).toBeGreaterThan(20);
    const raw = `{__name__=~".+"}[${HOURS * 60 + 10}m]`;
    const at = { kind: 'instant', timeMs: dataset.endMs + 60_000 } as const;
    for (const [t, audience] of [[target('prometheus2'), 'all'], [target('prometheus3'), 'v3']] as const) {
      const expected = new Map<string, number>();
      for (const s of dataset.series) {
        if (audience === 'all' && s.audience !== 'all') continue;
        expected.set(labelKey(s.labels), s.values.filter((v) => !isStaleNaN(v)).length + s.histograms.length);
      }
      const got = await runQuery(t.url, raw, at);
      if (got.status !== 'success') throw new Error(`${t.name}: ${got.error}`);
      const counts = new Map(got.series.map((s) => [s.key, s.floats.length + s.histograms.length]));
      expect(counts, t.name).toEqual(expected);
    }
    if (pharosError !== undefined) throw pharosError;
    const series = await getSeries(target('pharos').url, '{__name__=~".+"}');
    expect(series.length).toBe(datasetSize(dataset, 'v3').series);
  });
});

/** Pharos' differences from 3.x on every query, plus from 2.42 where 2.42 and 3.x agree. */
function pharosFailures(runs: readonly QueryRun[], dataset: Dataset): QueryDifference[] {
  const vs3 = differences(runs, dataset, 'pharos', 'prometheus3');
  const vs2 = differences(runs, dataset, 'pharos', 'prometheus2', (q: CorpusQuery) => !q.tags.has('v3-data') && differenceClassOf(q.id) === undefined);
  const byId = new Map(vs3.map((d) => [d.query.id, d]));
  for (const d of vs2) {
    const prior = byId.get(d.query.id);
    byId.set(d.query.id, prior ? { ...prior, lines: [...prior.lines, ...d.lines.map((l) => `vs 2.42: ${l}`)] } : { ...d, lines: d.lines.map((l) => `vs 2.42: ${l}`) });
  }
  return [...byId.values()];
}

/**
 * Remote write answers Pharos only once the stream holds the samples; the processor appends
 * them to the store shortly after. Wait until it has appended everything that was sent.
 */
async function waitUntilStored(pharos: QueryTarget, dataset: Dataset): Promise<void> {
  const size = datasetSize(dataset, 'v3');
  const want = size.floats + size.histograms;
  const deadline = Date.now() + 120_000;
  for (;;) {
    const sums = await scrapeSums(pharos.url, ['pharos_processor_appended_samples_total', 'pharos_processor_dropped_samples_total'], 'tenant="default"');
    if (sums.pharos_processor_dropped_samples_total! > 0) throw new Error(`Pharos dropped ${sums.pharos_processor_dropped_samples_total} samples of the data set`);
    if (sums.pharos_processor_appended_samples_total! >= want) return;
    if (Date.now() > deadline) throw new Error(`Pharos appended ${sums.pharos_processor_appended_samples_total} of ${want} samples within 120 s:\n${pharos.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function writeReport(path: string, runs: readonly QueryRun[], dataset: Dataset, withPharos: boolean): void {
  const all = 1_000_000;
  const parts = [formatDifferences('Prometheus 2.42 vs 3.x', differences(runs, dataset, 'prometheus2', 'prometheus3', (q) => !q.tags.has('v3-data')), all, 20), `Answer times\n${timingSummary(runs)}`];
  if (withPharos) {
    const annotations = annotationDifferences(runs, 'pharos', 'prometheus3');
    parts.push(`Annotations (not asserted): Pharos vs Prometheus 3.x differ on ${annotations.length} queries\n${annotations.join('\n')}`);
    parts.unshift(
      formatDifferences('Pharos vs Prometheus 3.x', differences(runs, dataset, 'pharos', 'prometheus3'), all, 20),
      formatDifferences('Pharos vs Prometheus 2.42 (listed 2.42/3.x differences and 3.x-only data left out)', differences(runs, dataset, 'pharos', 'prometheus2', (q) => !q.tags.has('v3-data') && differenceClassOf(q.id) === undefined), all, 20),
    );
  }
  writeFileSync(path, parts.join('\n\n') + '\n');
}
