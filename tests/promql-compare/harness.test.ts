import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CUSTOM_BUCKETS_SCHEMA, isStaleNaN } from '#pharos/metric-model';
import { compareOutcomes, floatsEqual } from './compare.js';
import { evaluationsFor, expandQuery, loadCorpus, type CorpusQuery } from './corpus.js';
import { generateDataset } from './dataset.js';
import { PROMETHEUS_2_VS_3_DIFFERENCES } from './differences.js';
import { HistogramBuilder } from './histogram-builder.js';
import { PHAROS_KNOWN_FAILURES } from './known-failing.js';
import { labelKey, seconds, type OutcomeSeries, type QueryOutcome } from './query-client.js';

/** Checks of the comparison harness itself (no engines): the comparer must catch what it claims to. */

function series(labels: Record<string, string>, floats: [number, number][]): OutcomeSeries {
  return { labels, key: labelKey(labels), floats, histograms: [] };
}

function vector(...s: OutcomeSeries[]): QueryOutcome {
  return { status: 'success', resultType: 'vector', series: s, warnings: [], infos: [] };
}

describe('floatsEqual', () => {
  it('allows a relative 1e-9 and no more, equates NaNs, and wants infinities exact', () => {
    expect(floatsEqual(1e6, 1e6 * (1 + 0.9e-9))).toBe(true);
    expect(floatsEqual(1e6, 1e6 * (1 + 1.1e-9))).toBe(false);
    expect(floatsEqual(-3e-300, -3e-300 * (1 + 5e-10))).toBe(true);
    expect(floatsEqual(NaN, NaN)).toBe(true);
    expect(floatsEqual(NaN, 0)).toBe(false);
    expect(floatsEqual(Infinity, Infinity)).toBe(true);
    expect(floatsEqual(Infinity, -Infinity)).toBe(false);
    expect(floatsEqual(Infinity, 1.7976931348623157e308)).toBe(false);
    expect(floatsEqual(0, 1e-300)).toBe(false);
    expect(floatsEqual(0, -0)).toBe(true);
  });
});

describe('compareOutcomes', () => {
  const a = { __name__: 'up', instance: 'a' };
  const b = { __name__: 'up', instance: 'b' };

  it('finds nothing between equal answers given in a different order', () => {
    expect(compareOutcomes(vector(series(a, [[1, 1]]), series(b, [[1, 2]])), vector(series(b, [[1, 2]]), series(a, [[1, 1]])))).toEqual([]);
  });

  it('names missing and unexpected series, wrong values and wrong timestamps', () => {
    expect(compareOutcomes(vector(series(a, [[1, 1]])), vector(series(b, [[1, 1]])))).toEqual([
      'missing series up{instance="b"}: want [1 @1]',
      'unexpected series up{instance="a"}: got [1 @1]',
    ]);
    expect(compareOutcomes(vector(series(a, [[1, 1.5]])), vector(series(a, [[1, 1]])))).toEqual(['series up{instance="a"}: @1: got 1.5, want 1']);
    expect(compareOutcomes(vector(series(a, [[2, 1]])), vector(series(a, [[1, 1]])))).toEqual(['series up{instance="a"}: point 0: got time @2, want @1']);
  });

  it('compares error types, not messages, and an error against a result', () => {
    const err = (errorType: string, error: string): QueryOutcome => ({ status: 'error', errorType, error, httpStatus: 400 });
    expect(compareOutcomes(err('bad_data', 'x'), err('bad_data', 'y'))).toEqual([]);
    expect(compareOutcomes(err('execution', 'x'), err('bad_data', 'y'))[0]).toMatch(/^error type execution != bad_data/);
    expect(compareOutcomes(err('bad_data', 'x'), vector())[0]).toBe('got error bad_data: x; want vector of 0 series');
  });

  it('checks order only where asked: by value (ties in any order) or by labels', () => {
    const got = vector(series(a, [[1, 1]]), series(b, [[1, 2]]));
    const want = vector(series(b, [[1, 2]]), series(a, [[1, 1]]));
    expect(compareOutcomes(got, want, 'none')).toEqual([]);
    expect(compareOutcomes(got, want, 'by-value')[0]).toMatch(/^order at position 0/);
    expect(compareOutcomes(got, want, 'by-labels')[0]).toMatch(/^order at position 0/);
    const tie = vector(series(a, [[1, 1]]), series(b, [[1, 1]]));
    const tieSwapped = vector(series(b, [[1, 1]]), series(a, [[1, 1]]));
    expect(compareOutcomes(tie, tieSwapped, 'by-value')).toEqual([]);
    expect(compareOutcomes(tie, tieSwapped, 'by-labels')).not.toEqual([]);
  });

  it('compares histograms bucket by bucket', () => {
    const h = (buckets: [number, number, number, number][]): QueryOutcome =>
      vector({ labels: a, key: labelKey(a), floats: [], histograms: [[1, { count: 3, sum: 2, buckets }]] });
    expect(compareOutcomes(h([[0, 0, 1, 1], [0, 1, 2, 2]]), h([[0, 0, 1, 1], [0, 1, 2, 2]]))).toEqual([]);
    expect(compareOutcomes(h([[0, 0, 1, 1], [0, 1, 2, 2]]), h([[0, 0, 1, 1], [0, 1, 2.5, 2]]))).toEqual(['series up{instance="a"}: histogram @1: bucket 1: (1, 2]:2 != (1, 2.5]:2']);
    expect(compareOutcomes(h([[0, 0, 1, 1]]), h([[0, 0, 1, 1], [0, 1, 2, 2]]))[0]).toMatch(/1 buckets != 2/);
    expect(compareOutcomes(h([[3, -1, 1, 1]]), h([[0, -1, 1, 1]]))[0]).toMatch(/\[-1, 1\]:1 != \(-1, 1\]:1/);
  });

  it('tells a float result from a histogram result of the same series', () => {
    const f = vector(series(a, [[1, 0]]));
    const h = vector({ labels: a, key: labelKey(a), floats: [], histograms: [[1, { count: 0, sum: 0, buckets: [] }]] });
    expect(compareOutcomes(f, h)[0]).toMatch(/float\/histogram mix differs/);
  });
});

describe('generateDataset', () => {
  const options = { seed: 7, startMs: 1_700_000_040_000, durationMs: 4 * 3_600_000 };

  it('is the same for the same seed and different for another', () => {
    const one = generateDataset(options);
    const two = generateDataset(options);
    const other = generateDataset({ ...options, seed: 8 });
    expect(one.series.map((s) => s.values.length)).toEqual(two.series.map((s) => s.values.length));
    expect(one.series.flatMap((s) => s.values.slice(0, 20))).toEqual(two.series.flatMap((s) => s.values.slice(0, 20)));
    expect(one.series.flatMap((s) => s.values.slice(0, 20))).not.toEqual(other.series.flatMap((s) => s.values.slice(0, 20)));
  });

  it('keeps every series in time order, inside the range, off the 10 ms grid unless aligned', () => {
    const d = generateDataset(options);
    expect(d.series.length).toBeGreaterThan(150);
    for (const s of d.series) {
      const name = s.labels.__name__!;
      for (const ts of [s.timestamps, s.histTimestamps]) {
        for (let i = 0; i < ts.length; i++) {
          if (i > 0) expect(ts[i]!, name).toBeGreaterThan(ts[i - 1]!);
          expect(ts[i]!).toBeGreaterThanOrEqual(d.startMs);
          expect(ts[i]!).toBeLessThanOrEqual(d.endMs + 15_000 + 2_500);
          expect(ts[i]! % 10 === 5, `${name} @${ts[i]}`).toBe(!name.startsWith('aligned_'));
        }
      }
    }
  });

  it('has counter resets, staleness markers, gaps, NaN/±Inf, and consistent native histograms', () => {
    const d = generateDataset(options);
    const counters = d.series.filter((s) => s.labels.__name__ === 'http_requests_total');
    expect(counters.some((s) => s.values.some((v, i) => i > 0 && v < s.values[i - 1]!))).toBe(true);
    expect(d.series.filter((s) => s.values.some(isStaleNaN)).length).toBeGreaterThan(20);
    const memory = d.series.filter((s) => s.labels.__name__ === 'process_resident_memory_bytes' && s.labels.job === 'worker');
    expect(memory.every((s) => s.timestamps.some((t, i) => i > 0 && t - s.timestamps[i - 1]! > 10 * 60_000))).toBe(true);
    const special = d.series.find((s) => s.labels.kind === 'mixed')!;
    expect(special.values.some((v) => Number.isNaN(v) && !isStaleNaN(v))).toBe(true);
    expect(special.values).toContain(Infinity);
    expect(special.values).toContain(-Infinity);
    const histograms = d.series.flatMap((s) => s.histograms);
    expect(histograms.length).toBeGreaterThan(5000);
    expect(histograms.some((h) => h.schema === CUSTOM_BUCKETS_SCHEMA)).toBe(true);
    expect(histograms.some((h) => !h.isInteger && h.negativeCounts.length > 0)).toBe(true);
    for (const h of histograms) {
      const buckets = [...h.positiveCounts, ...h.negativeCounts].reduce((x, y) => x + y, 0) + h.zeroCount;
      expect(Math.abs(h.count - buckets)).toBeLessThan(1e-9);
      const spanned = (spans: Int32Array): number => spans.reduce((n, v, i) => (i % 2 === 1 ? n + v : n), 0);
      expect(spanned(h.positiveSpans)).toBe(h.positiveCounts.length);
      expect(spanned(h.negativeSpans)).toBe(h.negativeCounts.length);
    }
  });

  it('refuses a start off the minute grid', () => {
    expect(() => generateDataset({ ...options, startMs: options.startMs + 1 })).toThrow(/multiple of 60 s/);
  });
});

describe('HistogramBuilder', () => {
  it('puts values in Prometheus bucket indexes and spans', () => {
    const h = new HistogramBuilder(0, 0.001);
    for (const v of [1, 1.5, 2, 8.5, -3, 0.0005]) h.observe(v);
    const s = h.snapshot();
    h.observe(300);
    // 300 -> index 9, five empty buckets after 4: a new span.
    expect([...h.snapshot().positiveSpans]).toEqual([0, 5, 4, 1]);
    // schema 0: index i holds (2^(i-1), 2^i]: 1 -> 0, 1.5 and 2 -> 1, 8.5 -> 4; -3 -> negative 2.
    // The two empty buckets between 1 and 4 stay inside the span.
    expect([...s.positiveSpans]).toEqual([0, 5]);
    expect([...s.positiveCounts]).toEqual([1, 2, 0, 0, 1]);
    expect([...s.negativeSpans]).toEqual([2, 1]);
    expect(s.zeroCount).toBe(1);
    expect(s.count).toBe(6);
  });

  it('puts custom-bucket values by upper bound, the last index being +Inf', () => {
    const h = new HistogramBuilder(CUSTOM_BUCKETS_SCHEMA, 0, [0.1, 1]);
    for (const v of [0.05, 0.1, 0.5, 7]) h.observe(v);
    const s = h.snapshot();
    expect([...s.positiveSpans]).toEqual([0, 3]);
    expect([...s.positiveCounts]).toEqual([2, 1, 1]);
    expect([...s.customValues]).toEqual([0.1, 1]);
  });
});

describe('differences.ts', () => {
  it('is documented class by class in docs/promql-compatibility.md, and lists each query once', () => {
    const doc = readFileSync(new URL('../../docs/promql-compatibility.md', import.meta.url), 'utf8');
    for (const c of PROMETHEUS_2_VS_3_DIFFERENCES) expect(doc, c.id).toContain(`(\`${c.id}\`)`);
    const all = PROMETHEUS_2_VS_3_DIFFERENCES.flatMap((c) => c.queries);
    expect(all.filter((q, i) => all.indexOf(q) !== i)).toEqual([]);
    const corpus = new Set(loadCorpus().map((q) => q.id));
    expect(all.filter((q) => !corpus.has(q))).toEqual([]);
    expect(Object.keys(PHAROS_KNOWN_FAILURES).filter((q) => !corpus.has(q))).toEqual([]);
  });
});

describe('corpus', () => {
  it('loads the checked-in corpus with its tags', () => {
    const corpus = loadCorpus();
    expect(corpus.length).toBeGreaterThanOrEqual(300);
    expect(corpus.find((q) => q.id === 'sort(process_resident_memory_bytes)')!.tags.has('ordered')).toBe(true);
  });

  it('rejects duplicate queries and unknown tags, naming the line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pharos-corpus-'));
    try {
      writeFileSync(join(dir, 'a.txt'), '# c\nup\n\nup\n');
      expect(() => loadCorpus(dir)).toThrow('a.txt:4: duplicate query (first at a.txt:2): up');
      writeFileSync(join(dir, 'a.txt'), '[orderd] up\n');
      expect(() => loadCorpus(dir)).toThrow(/a.txt:1: unknown tag "orderd"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('expands time placeholders and evaluates off whole seconds', () => {
    const d = generateDataset({ seed: 1, startMs: 1_700_000_040_000, durationMs: 4 * 3_600_000 });
    const q: CorpusQuery = { id: 'up @ {{t:90.5}}', file: 'x', line: 1, tags: new Set(['aligned']) };
    expect(expandQuery(q, d)).toBe('up @ 1700000130.500');
    const evaluations = evaluationsFor(q, d);
    // Whole-minute times only where asked for (aligned), never otherwise.
    expect(evaluations.filter(({ evaluation }) => evaluation.kind === 'instant' && evaluation.timeMs % 60_000 === 0)).toHaveLength(2);
    for (const { evaluation } of evaluationsFor({ ...q, tags: new Set() }, d)) {
      const times = evaluation.kind === 'instant' ? [evaluation.timeMs] : [evaluation.startMs, evaluation.startMs + evaluation.stepMs, evaluation.endMs];
      for (const t of times) expect(t % 1000).not.toBe(0);
    }
    expect(seconds(1_700_000_130_050)).toBe('1700000130.050');
    expect(seconds(-500)).toBe('-0.500');
    expect(seconds(-2000)).toBe('-2');
  });
});
