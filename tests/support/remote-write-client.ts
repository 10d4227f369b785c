import snappy from 'snappy';
import { encodeWriteRequestV1, encodeWriteRequestV2 } from '#pharos/remote-write';

export type SeriesInput = Parameters<typeof encodeWriteRequestV1>[0][number];

export const V1_CONTENT_TYPE = 'application/x-protobuf';
export const V2_CONTENT_TYPE = 'application/x-protobuf;proto=io.prometheus.write.v2.Request';

/** Posts a remote-write request as Prometheus would (snappy, protobuf, version header). */
export async function remoteWrite(
  url: string,
  series: SeriesInput[],
  options: {
    version?: '1.0' | '2.0';
    headers?: Record<string, string>;
    /** Uncompressed protobuf to send instead of encoding `series`. */
    protobuf?: Uint8Array;
    /** Exact bytes to send (no snappy applied). */
    wireBody?: Uint8Array;
  } = {},
): Promise<Response> {
  const v2 = options.version === '2.0';
  const raw = options.protobuf ?? (v2 ? encodeWriteRequestV2(series) : encodeWriteRequestV1(series));
  return fetch(`${url}/api/v1/write`, {
    method: 'POST',
    headers: {
      'content-type': v2 ? V2_CONTENT_TYPE : V1_CONTENT_TYPE,
      'content-encoding': 'snappy',
      'x-prometheus-remote-write-version': v2 ? '2.0.0' : '0.1.0',
      ...options.headers,
    },
    body: options.wireBody ?? snappy.compressSync(Buffer.from(raw)),
  });
}

/** Polls `/api/v1/series` until `predicate` holds or the deadline passes; returns the last answer. */
export async function waitForSeries(
  url: string,
  match: string,
  predicate: (series: Record<string, string>[]) => boolean,
  options: { tenant?: string; timeoutMs?: number } = {},
): Promise<Record<string, string>[]> {
  const deadline = Date.now() + (options.timeoutMs ?? 2000);
  for (;;) {
    const series = await getSeries(url, match, options.tenant);
    if (predicate(series) || Date.now() > deadline) return series;
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function getSeries(url: string, match: string, tenant?: string): Promise<Record<string, string>[]> {
  const res = await fetch(`${url}/api/v1/series?${new URLSearchParams({ 'match[]': match })}`, {
    headers: tenant ? { 'x-scope-orgid': tenant } : {},
  });
  const body = (await res.json()) as { status: string; data: Record<string, string>[] };
  if (body.status !== 'success') throw new Error(`series query failed: ${JSON.stringify(body)}`);
  return body.data;
}
