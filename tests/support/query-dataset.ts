import type { NativeHistogram } from '#pharos/metric-model';
import type { SeriesInput } from './remote-write-client.js';

/**
 * A small data set for query API tests (floats, counters with a reset, odd values and label
 * text, native histograms of three schemas, exemplars), written identically to Pharos and to
 * a reference Prometheus so that their answers can be compared byte for byte.
 */

export const MINUTE = 60_000;
// Whole minutes, an hour ago: inside both stores' accepted window, away from "now".
export const BASE = Math.floor(Date.now() / MINUTE) * MINUTE - 60 * MINUTE;
export const STEP = 15_000;
export const POINTS = 41; // 10 minutes of 15 s samples
export const sec = (ms: number): string => String(ms / 1000);

export const hist = (o: Partial<NativeHistogram>): NativeHistogram => ({
  isInteger: false,
  schema: 0,
  zeroThreshold: 0.001,
  zeroCount: 2,
  count: 20,
  sum: 33.5,
  positiveSpans: new Int32Array([0, 2, 1, 1]),
  positiveCounts: new Float64Array([3, 5, 4]),
  negativeSpans: new Int32Array([1, 1]),
  negativeCounts: new Float64Array([6]),
  resetHint: 0,
  customValues: new Float64Array(),
  ...o,
});

export function dataset(): SeriesInput[] {
  const times = Array.from({ length: POINTS }, (_, i) => BASE + i * STEP);
  const out: SeriesInput[] = [];
  for (const job of ['api', 'db']) {
    for (const instance of ['a:1', 'b:2']) {
      const k = job.length + instance.charCodeAt(0);
      out.push({ labels: { __name__: 'qa_gauge', job, instance }, samples: times.map((t, i) => ({ timestamp: t, value: Math.sin(i / 5 + k) * 10 + i / 3 })) });
      out.push({ labels: { __name__: 'qa_requests_total', job, instance }, samples: times.map((t, i) => ({ timestamp: t, value: i < 30 ? i * k : (i - 30) * 2 })) });
    }
  }
  out.push({
    labels: { __name__: 'qa_weird', note: 'x<y&z "q"', 'utf-8': 'ü' },
    samples: times.map((t, i) => ({ timestamp: t, value: [1.5e-7, 1e22, -0.000001, 123456.789, Infinity, -Infinity, 0.1 + 0.2][i % 7]! })),
  });
  out.push({
    labels: { __name__: 'qa_hist', kind: 'exp' },
    histograms: times.map((t, i) => ({ timestamp: t, histogram: hist({ count: 20 + i * 12, sum: 33.5 + i, positiveCounts: new Float64Array([3 + i, 5 + i * 10, 4]), negativeCounts: new Float64Array([6 + i]) }) })),
  });
  out.push({
    labels: { __name__: 'qa_hist', kind: 'fine' },
    histograms: times.map((t, i) => ({
      timestamp: t,
      histogram: hist({ schema: 3, zeroThreshold: 0.1, count: 13 + i * 4, positiveSpans: new Int32Array([-2, 3, 5, 1]), positiveCounts: new Float64Array([1, 2, 3 + i, 4 + 3 * i]), negativeSpans: new Int32Array([0, 2]), negativeCounts: new Float64Array([1, 0]) }),
    })),
  });
  out.push({
    labels: { __name__: 'qa_hist', kind: 'custom' },
    histograms: times.map((t, i) => ({
      timestamp: t,
      histogram: hist({ schema: -53, zeroThreshold: 0, zeroCount: 0, count: 10 + i, sum: 7.25 + i, positiveCounts: new Float64Array([1, 4, 5 + i]), negativeSpans: new Int32Array(), negativeCounts: new Float64Array(), customValues: new Float64Array([0.5, 1, 2.5]) }),
    })),
  });
  out.push({
    labels: { __name__: 'qa_exemplar_total', job: 'api' },
    samples: times.map((t, i) => ({ timestamp: t, value: i })),
    exemplars: [
      { labels: { trace_id: 'abc123' }, value: 1.5, timestamp: BASE + 30_000 },
      { labels: { trace_id: 'def456', span_id: '7' }, value: 3, timestamp: BASE + 90_500 },
    ],
  });
  return out;
}
