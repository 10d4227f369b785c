import { Injectable, inject } from '@angular/core';
import { PrometheusHttp } from '../../core/prometheus-http';

export interface MetricHelp {
  readonly type: string;
  readonly help: string;
  readonly unit?: string;
}

/**
 * What exists to query: metric names, label names and values, series and metric metadata
 * (`/api/v1/labels`, `/api/v1/label/<name>/values`, `/api/v1/series`, `/api/v1/metadata`).
 * `startMs` bounds lookups to recent data, as Prometheus' own UI does.
 */
@Injectable({ providedIn: 'root' })
export class MetricCatalog {
  private readonly http = inject(PrometheusHttp);

  async labelNames(matchers: readonly string[], startMs: number): Promise<string[]> {
    return (await this.http.call<string[]>('GET', '/api/v1/labels', this.params(matchers, startMs))).data;
  }

  async labelValues(label: string, matchers: readonly string[], startMs: number): Promise<string[]> {
    const path = `/api/v1/label/${encodeURIComponent(label)}/values`;
    return (await this.http.call<string[]>('GET', path, this.params(matchers, startMs))).data;
  }

  async series(matchers: readonly string[], startMs: number): Promise<Record<string, string>[]> {
    if (matchers.length === 0) throw new Error('a series lookup needs at least one matcher');
    return (await this.http.call<Record<string, string>[]>('GET', '/api/v1/series', this.params(matchers, startMs))).data;
  }

  async metadata(): Promise<Record<string, MetricHelp[]>> {
    return (await this.http.call<Record<string, MetricHelp[]>>('GET', '/api/v1/metadata', {})).data;
  }

  private params(matchers: readonly string[], startMs: number): URLSearchParams {
    const p = new URLSearchParams({ start: (startMs / 1000).toFixed(3), end: (Date.now() / 1000).toFixed(3) });
    for (const m of matchers) p.append('match[]', m);
    return p;
  }
}
