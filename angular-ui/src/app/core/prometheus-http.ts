import { Injectable, inject } from '@angular/core';
import { ApiFetch } from './api-fetch';

/** An error answer of the Prometheus HTTP API, with the API's own message. */
export class PrometheusApiError extends Error {
  override readonly name = 'PrometheusApiError';
  constructor(
    readonly status: number,
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

/** What the query inspector shows about one request. */
export interface RequestRecord {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly status: number;
  /** From sending the request to having the whole body. */
  readonly fetchMs: number;
  /** JSON parsing of the body. */
  readonly parseMs: number;
  readonly bytes: number;
  readonly warnings: readonly string[];
}

export interface ApiAnswer<T> {
  readonly data: T;
  readonly request: RequestRecord;
}

interface Envelope {
  readonly status?: string;
  readonly data?: unknown;
  readonly errorType?: string;
  readonly error?: string;
  readonly warnings?: readonly string[];
}

/**
 * The one place that speaks HTTP to Pharos' Prometheus-compatible API (`/api/v1/...`): the
 * envelope, error answers and timings. Feature services build on it, so moving a concern to
 * the GraphQL gateway later replaces a feature service, not the components.
 */
@Injectable({ providedIn: 'root' })
export class PrometheusHttp {
  private readonly api = inject(ApiFetch);

  async call<T>(method: 'GET' | 'POST', path: string, params: Readonly<Record<string, string>> | URLSearchParams, signal?: AbortSignal): Promise<ApiAnswer<T>> {
    const search = params instanceof URLSearchParams ? params : new URLSearchParams(params);
    const started = performance.now();
    let res: Response;
    try {
      res =
        method === 'GET'
          ? await this.api.fetch(`${path}?${search.toString()}`, { signal: signal ?? null, headers: { accept: 'application/json' } })
          : await this.api.fetch(path, {
              method: 'POST',
              signal: signal ?? null,
              headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
              body: search.toString(),
            });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw new PrometheusApiError(0, 'unavailable', `cannot reach Pharos at ${location.origin}: ${(err as Error).message}`);
    }
    const text = await res.text();
    const fetchMs = performance.now() - started;
    const parseStart = performance.now();
    let body: Envelope;
    try {
      body = JSON.parse(text) as Envelope;
    } catch {
      throw new PrometheusApiError(res.status, 'bad_response', `HTTP ${res.status} from ${path} is not JSON: ${text.slice(0, 200)}`);
    }
    const parseMs = performance.now() - parseStart;
    if (!res.ok || body.status !== 'success') {
      throw new PrometheusApiError(res.status, body.errorType ?? 'error', body.error ?? `HTTP ${res.status} from ${path}`);
    }
    const flat: Record<string, string> = {};
    for (const [k, v] of search) flat[k] = v;
    return {
      data: body.data as T,
      request: { method, path, params: flat, status: res.status, fetchMs, parseMs, bytes: text.length, warnings: body.warnings ?? [] },
    };
  }
}
