import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labelsFromRecord, labelsToRecord, MetricBatchBuilder, STALE_NAN, type NativeHistogram } from '#pharos/metric-model';
import { DuckDBMetricStore } from '#pharos/storage';
import type { FunctionImpl } from '../functions/contract.js';
import { PromQLEngine } from './engine.js';
import type { QueryLimits, QueryResult } from './query-api.js';

/**
 * Test fixture for the engine tests: a real DuckDB metric store in a temporary directory, a
 * loader for series written as `name{label="v"}` with `[ms, value]` points, and result helpers.
 */
export const TENANT = 'test';

export interface Fixture {
  readonly store: DuckDBMetricStore;
  engine(options?: { limits?: QueryLimits; functions?: ReadonlyMap<string, FunctionImpl> }): PromQLEngine;
  /** Points are `[ms, value]`; the value `'stale'` writes a staleness marker. */
  load(series: Record<string, readonly (readonly [number, number | 'stale'])[]>): Promise<void>;
  loadHistograms(series: Record<string, readonly (readonly [number, NativeHistogram])[]>): Promise<void>;
  close(): Promise<void>;
}

export async function openFixture(): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), 'pharos-promql-'));
  const store = await DuckDBMetricStore.open({ dir, threads: 1, defaultRetentionMs: 1e15, now: () => 1e12 });
  return {
    store,
    engine: (options = {}) =>
      new PromQLEngine({
        store,
        ...(options.limits === undefined ? {} : { limits: options.limits }),
        ...(options.functions === undefined ? {} : { functions: options.functions }),
      }),
    async load(series) {
      const b = new MetricBatchBuilder(TENANT);
      for (const [text, points] of Object.entries(series)) {
        b.addSeries(parseSeriesText(text));
        // A staleness marker must not pass through a JS array: V8 canonicalises NaNs held there.
        for (const [t, v] of points) b.addSample(t, v === 'stale' ? STALE_NAN : v);
      }
      await store.append(b.build());
    },
    async loadHistograms(series) {
      const b = new MetricBatchBuilder(TENANT);
      for (const [text, points] of Object.entries(series)) {
        const index = b.addSeries(parseSeriesText(text));
        for (const [t, h] of points) b.addHistogram(index, t, h);
      }
      await store.append(b.build());
    },
    async close() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** `name{a="1",b="2"}` → labels (values without escapes). */
export function parseSeriesText(text: string): string[] {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)?(?:\{(.*)\})?$/.exec(text);
  if (!m) throw new Error(`bad series ${text}`);
  const record: Record<string, string> = {};
  if (m[1]) record['__name__'] = m[1];
  for (const pair of (m[2] ?? '').split(',').filter((p) => p.trim() !== '')) {
    const [name, value] = pair.split('=') as [string, string];
    record[name.trim()] = JSON.parse(value.trim()) as string;
  }
  return labelsFromRecord(record) as string[];
}

/** `{a="1"} => 5` lines of an instant vector result, sorted, for readable assertions. */
export function vectorLines(result: QueryResult): string[] {
  if (result.value.resultType !== 'vector') throw new Error(`expected vector, got ${result.value.resultType}`);
  return result.value.samples.map((s) => `${formatSeries(s.labels)} => ${s.h === undefined ? s.f : `hist(count=${s.h.count},sum=${s.h.sum})`}`).sort();
}

/** `{a="1"} => t:v t:v` lines of a matrix result, in result order (time in seconds). */
export function matrixLines(result: QueryResult): string[] {
  if (result.value.resultType !== 'matrix') throw new Error(`expected matrix, got ${result.value.resultType}`);
  return result.value.series.map((s) => {
    const points = Array.from(s.timestamps, (t, i) => `${t / 1000}:${s.values[i]}`);
    return `${formatSeries(s.labels)} => ${points.join(' ')}`;
  });
}

export function formatSeries(labels: readonly string[]): string {
  const record = labelsToRecord(labels);
  const name = record['__name__'] ?? '';
  delete record['__name__'];
  const inner = Object.entries(record)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  return `${name}{${inner}}`;
}
