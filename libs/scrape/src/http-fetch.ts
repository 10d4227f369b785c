import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { createGunzip } from 'node:zlib';
import type { HttpClientConfig } from './http-client-config.js';

export interface FetchOptions {
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** 0: unlimited. Counted on the decompressed body, as Prometheus' body_size_limit. */
  readonly bodySizeLimit: number;
}

export interface FetchResult {
  readonly status: number;
  readonly statusText: string;
  readonly contentType: string | undefined;
  readonly body: Buffer;
}

export class FetchError extends Error {
  override readonly name = 'FetchError';
}

const MAX_REDIRECTS = 10;

/**
 * A keep-alive HTTP(S) client for one job's client settings (auth, TLS): scrapes reuse
 * connections, gzip is decompressed as it streams in, and the whole exchange — connect,
 * headers, body — is bounded by one timeout, as Prometheus' scrape context is.
 */
export class ScrapeHttpClient {
  private readonly httpAgent: HttpAgent;
  private readonly httpsAgent: HttpsAgent;

  constructor(private readonly config: HttpClientConfig) {
    this.httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 4 });
    const tls = config.tls;
    this.httpsAgent = new HttpsAgent({
      keepAlive: true,
      maxSockets: 4,
      rejectUnauthorized: !tls.insecureSkipVerify,
      ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
      ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
      ...(tls.key !== undefined ? { key: tls.key } : {}),
      ...(tls.minVersion ? { minVersion: tls.minVersion } : {}),
      ...(tls.maxVersion ? { maxVersion: tls.maxVersion } : {}),
    });
  }

  fetch(url: string, options: FetchOptions): Promise<FetchResult> {
    const signal = AbortSignal.timeout(options.timeoutMs);
    return this.fetchFollowing(url, options, signal, 0);
  }

  private async fetchFollowing(url: string, options: FetchOptions, signal: AbortSignal, redirects: number): Promise<FetchResult> {
    const res = await this.requestOnce(url, options, signal);
    if (res.location !== undefined) {
      if (!this.config.followRedirects) return res.result;
      if (redirects >= MAX_REDIRECTS) throw new FetchError(`stopped after ${MAX_REDIRECTS} redirects`);
      return this.fetchFollowing(new URL(res.location, url).toString(), options, signal, redirects + 1);
    }
    return res.result;
  }

  private requestOnce(url: string, options: FetchOptions, signal: AbortSignal): Promise<{ result: FetchResult; location?: string }> {
    const u = new URL(url);
    const https = u.protocol === 'https:';
    const headers: Record<string, string> = { ...options.headers };
    if (this.config.basicAuth) {
      headers['authorization'] = 'Basic ' + Buffer.from(`${this.config.basicAuth.username}:${this.config.basicAuth.password}`).toString('base64');
    } else if (this.config.authorization) {
      headers['authorization'] = this.config.authorization;
    }
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (err: Error): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        reject(err.name === 'FetchError' ? err : new FetchError(err.message));
        req.destroy();
      };
      const succeed = (value: { result: FetchResult; location?: string }): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      };
      const onAbort = (): void => fail(new FetchError(`context deadline exceeded (scrape timeout of ${options.timeoutMs / 1000}s)`));
      const req = (https ? httpsRequest : httpRequest)(
        u,
        {
          method: 'GET',
          headers,
          agent: https ? this.httpsAgent : this.httpAgent,
          ...(https && this.config.tls.serverName ? { servername: this.config.tls.serverName } : {}),
        },
        (res: IncomingMessage) => {
          const status = res.statusCode ?? 0;
          if (status >= 300 && status < 400 && res.headers.location && status !== 304) {
            res.resume();
            succeed({ result: { status, statusText: res.statusMessage ?? '', contentType: res.headers['content-type'], body: Buffer.alloc(0) }, location: res.headers.location });
            return;
          }
          const encoding = (res.headers['content-encoding'] ?? '').toLowerCase();
          if (encoding !== '' && encoding !== 'gzip' && encoding !== 'identity') {
            res.resume();
            fail(new FetchError(`unsupported Content-Encoding ${JSON.stringify(encoding)}`));
            return;
          }
          const stream = encoding === 'gzip' ? res.pipe(createGunzip()) : res;
          const chunks: Buffer[] = [];
          let size = 0;
          stream.on('data', (chunk: Buffer) => {
            if (settled) return;
            size += chunk.length;
            if (options.bodySizeLimit > 0 && size > options.bodySizeLimit) {
              fail(new FetchError(`body size limit exceeded: the scrape response is larger than ${options.bodySizeLimit} bytes (body_size_limit)`));
              return;
            }
            chunks.push(chunk);
          });
          stream.on('error', (err: Error) => fail(new FetchError(`reading the body: ${err.message}`)));
          res.on('error', (err: Error) => fail(new FetchError(`reading the body: ${err.message}`)));
          stream.on('end', () =>
            succeed({ result: { status, statusText: res.statusMessage ?? '', contentType: res.headers['content-type'], body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) } }),
          );
        },
      );
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      req.on('error', (err: Error) => fail(err));
      req.end();
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
