import { promFloat } from '../support/prometheus3.js';

/** One evaluation of a query: instant at a time, or a range with start, end and step (all ms). */
export type Evaluation =
  | { readonly kind: 'instant'; readonly timeMs: number }
  | { readonly kind: 'range'; readonly startMs: number; readonly endMs: number; readonly stepMs: number };

/** A histogram as Prometheus' JSON API writes it; buckets as `[boundaryRule, lower, upper, count]`. */
export interface JsonHistogram {
  readonly count: number;
  readonly sum: number;
  readonly buckets: readonly (readonly [number, number, number, number])[];
}

export interface OutcomeSeries {
  readonly labels: Readonly<Record<string, string>>;
  /** Canonical label-set key (sorted pairs). */
  readonly key: string;
  /** `[t ms, value]` in the order returned. */
  readonly floats: readonly (readonly [number, number])[];
  readonly histograms: readonly (readonly [number, JsonHistogram])[];
}

export type QueryOutcome =
  | {
      readonly status: 'success';
      readonly resultType: 'vector' | 'matrix' | 'scalar' | 'string';
      /** Vector or matrix series in the order returned; empty for scalar and string. */
      readonly series: readonly OutcomeSeries[];
      /** Scalar or string results: `[t ms, value]`. */
      readonly scalar?: readonly [number, number];
      readonly string?: readonly [number, string];
      readonly warnings: readonly string[];
      readonly infos: readonly string[];
    }
  | { readonly status: 'error'; readonly errorType: string; readonly error: string; readonly httpStatus: number };

export function labelKey(labels: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const QUERY_TIMEOUT_MS = 60_000;

/** Form-encoded POST, as Grafana sends it (no URL length limits). */
export async function runQuery(url: string, query: string, evaluation: Evaluation): Promise<QueryOutcome> {
  const params = new URLSearchParams({ query });
  let path: string;
  if (evaluation.kind === 'instant') {
    path = '/api/v1/query';
    params.set('time', seconds(evaluation.timeMs));
  } else {
    path = '/api/v1/query_range';
    params.set('start', seconds(evaluation.startMs));
    params.set('end', seconds(evaluation.endMs));
    params.set('step', seconds(evaluation.stepMs));
  }
  // A hung engine must fail its query, not stall the whole comparison.
  const res = await fetch(url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: params.toString(),
    signal: AbortSignal.timeout(QUERY_TIMEOUT_MS),
  });
  const text = await res.text();
  let body: ApiBody;
  try {
    body = JSON.parse(text) as ApiBody;
  } catch {
    return { status: 'error', errorType: `non-JSON answer (HTTP ${res.status})`, error: text.slice(0, 500), httpStatus: res.status };
  }
  if (body.status !== 'success') return { status: 'error', errorType: body.errorType ?? '(none)', error: body.error ?? '', httpStatus: res.status };
  return parseData(body);
}

/** Milliseconds as the API's float seconds, exactly (no binary-fraction noise in the text). */
export function seconds(ms: number): string {
  if (!Number.isInteger(ms)) throw new Error(`evaluation times must be whole milliseconds, got ${ms}`);
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  const frac = abs % 1000;
  return `${sign}${Math.floor(abs / 1000)}${frac === 0 ? '' : `.${String(frac).padStart(3, '0')}`}`;
}

interface ApiHistogram {
  count: string;
  sum: string;
  buckets?: [number, string, string, string][];
}

interface ApiSeries {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
  histogram?: [number, ApiHistogram];
  histograms?: [number, ApiHistogram][];
}

interface ApiBody {
  status: string;
  errorType?: string;
  error?: string;
  warnings?: string[];
  infos?: string[];
  data?: { resultType: string; result: unknown };
}

function ms(t: number): number {
  return Math.round(t * 1000);
}

function histogram(h: ApiHistogram): JsonHistogram {
  return {
    count: promFloat(h.count),
    sum: promFloat(h.sum),
    buckets: (h.buckets ?? []).map(([rule, lo, hi, c]) => [rule, promFloat(lo), promFloat(hi), promFloat(c)] as const),
  };
}

function parseData(body: ApiBody): QueryOutcome {
  const warnings = body.warnings ?? [];
  const infos = body.infos ?? [];
  const data = body.data;
  if (!data) throw new Error(`success answer without data: ${JSON.stringify(body).slice(0, 300)}`);
  switch (data.resultType) {
    case 'scalar': {
      const [t, v] = data.result as [number, string];
      return { status: 'success', resultType: 'scalar', series: [], scalar: [ms(t), promFloat(v)], warnings, infos };
    }
    case 'string': {
      const [t, v] = data.result as [number, string];
      return { status: 'success', resultType: 'string', series: [], string: [ms(t), v], warnings, infos };
    }
    case 'vector':
    case 'matrix': {
      const series = (data.result as ApiSeries[]).map((s): OutcomeSeries => {
        const floats: [number, number][] = [];
        const histograms: [number, JsonHistogram][] = [];
        if (s.value) floats.push([ms(s.value[0]), promFloat(s.value[1])]);
        for (const [t, v] of s.values ?? []) floats.push([ms(t), promFloat(v)]);
        if (s.histogram) histograms.push([ms(s.histogram[0]), histogram(s.histogram[1])]);
        for (const [t, h] of s.histograms ?? []) histograms.push([ms(t), histogram(h)]);
        return { labels: s.metric, key: labelKey(s.metric), floats, histograms };
      });
      return { status: 'success', resultType: data.resultType, series, warnings, infos };
    }
    default:
      throw new Error(`unknown resultType ${data.resultType}`);
  }
}
