import type { RemoteWriteVersion } from './options.js';

/** Content types of the two protocol versions (remote write 2.0 spec, "Content-Type"). */
export const REMOTE_WRITE_V1_PROTO = 'prometheus.WriteRequest';
export const REMOTE_WRITE_V2_PROTO = 'io.prometheus.write.v2.Request';
export const REMOTE_WRITE_CONTENT_TYPE_V1 = 'application/x-protobuf';
export const REMOTE_WRITE_CONTENT_TYPE_V2 = `application/x-protobuf;proto=${REMOTE_WRITE_V2_PROTO}`;

/** Response headers a 2.0 receiver MUST send with the written counts. */
export const HEADER_SAMPLES_WRITTEN = 'X-Prometheus-Remote-Write-Samples-Written';
export const HEADER_HISTOGRAMS_WRITTEN = 'X-Prometheus-Remote-Write-Histograms-Written';
export const HEADER_EXEMPLARS_WRITTEN = 'X-Prometheus-Remote-Write-Exemplars-Written';

export type RemoteWriteNegotiation =
  | { readonly ok: true; readonly version: RemoteWriteVersion }
  | { readonly ok: false; readonly status: 415; readonly message: string };

/**
 * Picks the protocol version from the request headers as the remote write 2.0 spec lays
 * out: `application/x-protobuf` without a `proto` parameter, or with
 * `proto=prometheus.WriteRequest`, is 1.0; `proto=io.prometheus.write.v2.Request` is 2.0;
 * anything else, or an encoding other than snappy, is 415 (the sender MAY then retry
 * with another content type).
 *
 * Missing headers are read as 1.0 and snappy, as Prometheus does, so that old 1.0 senders
 * which omit them keep working.
 */
export function negotiateRemoteWriteVersion(
  contentType: string | undefined,
  contentEncoding: string | undefined,
): RemoteWriteNegotiation {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  if (encoding !== '' && encoding !== 'snappy') {
    return unsupported(`unsupported Content-Encoding ${JSON.stringify(contentEncoding)}: remote write requires "snappy"`);
  }
  const type = (contentType ?? '').trim();
  if (type === '') return { ok: true, version: '1.0' };
  const parts = type.split(';');
  const mediaType = parts[0]!.trim().toLowerCase();
  if (mediaType !== REMOTE_WRITE_CONTENT_TYPE_V1) {
    return unsupported(`unsupported Content-Type ${JSON.stringify(contentType)}: expected ${REMOTE_WRITE_CONTENT_TYPE_V1}`);
  }
  let proto: string | undefined;
  for (let i = 1; i < parts.length; i++) {
    const eq = parts[i]!.indexOf('=');
    if (eq < 0) continue;
    if (parts[i]!.slice(0, eq).trim().toLowerCase() !== 'proto') continue;
    proto = parts[i]!.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  if (proto === undefined || proto === REMOTE_WRITE_V1_PROTO) return { ok: true, version: '1.0' };
  if (proto === REMOTE_WRITE_V2_PROTO) return { ok: true, version: '2.0' };
  return unsupported(
    `unsupported remote write message proto=${JSON.stringify(proto)}: supported are ${REMOTE_WRITE_V1_PROTO} and ${REMOTE_WRITE_V2_PROTO}`,
  );
}

function unsupported(message: string): RemoteWriteNegotiation {
  return { ok: false, status: 415, message };
}
