import { Injectable, inject } from '@angular/core';
import { PrometheusHttp, type ApiAnswer } from '../../core/prometheus-http';
import type { MatrixSeries } from '../series/matrix-grid';
import type { Labels } from '../series/legend-format';

export type SamplePair = readonly [number, string];

export interface VectorSample {
  readonly metric: Labels;
  readonly value?: SamplePair;
  readonly histogram?: readonly [number, unknown];
}

export type InstantResult =
  | { readonly resultType: 'vector'; readonly result: readonly VectorSample[] }
  | { readonly resultType: 'scalar' | 'string'; readonly result: SamplePair }
  | { readonly resultType: 'matrix'; readonly result: readonly MatrixSeries[] };

export interface RangeResult {
  readonly resultType: 'matrix';
  readonly result: readonly MatrixSeries[];
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

/** PromQL evaluation: instant and range queries (`/api/v1/query`, `/api/v1/query_range`). */
@Injectable({ providedIn: 'root' })
export class MetricQueries {
  private readonly http = inject(PrometheusHttp);

  instant(expr: string, timeMs: number, signal?: AbortSignal): Promise<ApiAnswer<InstantResult>> {
    return this.http.call<InstantResult>('POST', '/api/v1/query', { query: expr, time: seconds(timeMs) }, signal);
  }

  async range(expr: string, startMs: number, endMs: number, stepMs: number, signal?: AbortSignal): Promise<ApiAnswer<RangeResult>> {
    const params = { query: expr, start: seconds(startMs), end: seconds(endMs), step: seconds(stepMs) };
    return this.http.call<RangeResult>('POST', '/api/v1/query_range', params, signal);
  }
}
