import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';

/** One file of the built console, held in memory (the whole build is well under 2 MB). */
export interface ConsoleAsset {
  readonly path: string;
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
  readonly cacheControl: string;
  readonly compressible: boolean;
}

/** What a GET of a path under `/` resolves to. */
export type AssetLookup =
  | { readonly kind: 'asset'; readonly asset: ConsoleAsset }
  /** A client-side route: answered with index.html. */
  | { readonly kind: 'app'; readonly asset: ConsoleAsset }
  /** A file-like path that does not exist (a stale chunk, a typo): a real 404. */
  | { readonly kind: 'missing' }
  /** A path another part of Pharos owns; the console never answers it. */
  | { readonly kind: 'reserved' };

/**
 * Paths the console must never shadow: the HTTP APIs, OTLP/HTTP, self-metrics, the ops
 * endpoints, GraphQL and the InfluxDB write door. An unknown path under them stays a 404 of
 * the API rather than becoming the console's index.html.
 */
export const RESERVED_PREFIXES: readonly string[] = ['/api', '/otlp', '/metrics', '/-', '/graphql', '/write'];

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Angular's output hashing names files `main-ABCD1234.js`: their content never changes. */
const HASHED = /-[A-Z0-9]{8}\.(?:js|mjs|css)$/;
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html names the current hashes, so it is revalidated on every load (cheap with the ETag). */
const REVALIDATE = 'no-cache';
const SHORT = 'public, max-age=3600';

export function isReservedPath(path: string): boolean {
  return RESERVED_PREFIXES.some((p) => path === p || path.startsWith(p + '/'));
}

/**
 * The built console (`angular-ui/dist/console/browser`): a table of its files with content
 * types, strong ETags and cache policy, plus compressed variants made once on first use.
 */
export class ConsoleAssets {
  private readonly files = new Map<string, ConsoleAsset>();
  private readonly encoded = new Map<string, Buffer>();

  private constructor(
    readonly dir: string,
    readonly index: ConsoleAsset,
  ) {}

  /** Reads every file of the build; throws naming the directory when there is no build. */
  static load(dir: string): ConsoleAssets {
    const indexFile = join(dir, 'index.html');
    if (!existsSync(indexFile)) {
      throw new Error(`no console build in ${dir} (index.html is missing); build it with: node scripts/console.mjs`);
    }
    const read = (file: string): ConsoleAsset => {
      const path = '/' + relative(dir, file).split(sep).join('/');
      const body = readFileSync(file);
      const ext = extname(file).toLowerCase();
      const contentType = CONTENT_TYPES[ext] ?? 'application/octet-stream';
      return {
        path,
        body,
        contentType,
        etag: `"${createHash('sha1').update(body).digest('base64url')}"`,
        cacheControl: path === '/index.html' ? REVALIDATE : HASHED.test(path) ? IMMUTABLE : SHORT,
        compressible: /^(?:text\/|application\/json|image\/svg)/.test(contentType) && body.length > 1024,
      };
    };
    const assets = new ConsoleAssets(dir, read(indexFile));
    const walk = (d: string): void => {
      for (const name of readdirSync(d)) {
        const p = join(d, name);
        if (statSync(p).isDirectory()) walk(p);
        else {
          const a = read(p);
          assets.files.set(a.path, a);
        }
      }
    };
    walk(dir);
    return assets;
  }

  get size(): number {
    return this.files.size;
  }

  /** Resolves a decoded URL path (no query string). */
  lookup(path: string): AssetLookup {
    if (isReservedPath(path)) return { kind: 'reserved' };
    if (path === '/' || path === '/index.html') return { kind: 'app', asset: this.index };
    const asset = this.files.get(path);
    if (asset) return { kind: 'asset', asset };
    const last = path.slice(path.lastIndexOf('/') + 1);
    return last.includes('.') ? { kind: 'missing' } : { kind: 'app', asset: this.index };
  }

  /**
   * The body to send for an `Accept-Encoding` header: brotli, then gzip, else identity.
   * Compressed variants are made once and kept.
   */
  negotiate(asset: ConsoleAsset, acceptEncoding: string | undefined): { body: Buffer; encoding: 'br' | 'gzip' | null } {
    if (!asset.compressible || !acceptEncoding) return { body: asset.body, encoding: null };
    const accepted = acceptedEncodings(acceptEncoding);
    const encoding = accepted.has('br') ? 'br' : accepted.has('gzip') ? 'gzip' : null;
    if (encoding === null) return { body: asset.body, encoding };
    const key = `${encoding}:${asset.path}`;
    let body = this.encoded.get(key);
    if (!body) {
      body = encoding === 'br' ? brotliCompressSync(asset.body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 9 } }) : gzipSync(asset.body, { level: 9 });
      this.encoded.set(key, body);
    }
    return { body, encoding };
  }
}

/** The codings an `Accept-Encoding` header allows (q > 0), lower-cased. */
export function acceptedEncodings(header: string): Set<string> {
  const out = new Set<string>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (!name) continue;
    const q = params.find((p) => p.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) out.add(name);
  }
  return out;
}

/**
 * Where the console build is: `PHAROS_CONSOLE_DIR` if set, else `angular-ui/dist/console/browser`
 * in the Pharos checkout this module runs from (found by walking up to its package.json), so
 * both `src/` under vitest and `dist/` of the built binary find it.
 */
export function defaultConsoleDir(env: NodeJS.ProcessEnv = process.env, from: string = dirname(fileURLToPath(import.meta.url))): string {
  const override = env['PHAROS_CONSOLE_DIR'];
  if (override) return override;
  for (let d = from; ; d = dirname(d)) {
    const pkg = join(d, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'pharos') {
      return join(d, 'angular-ui', 'dist', 'console', 'browser');
    }
    if (dirname(d) === d) throw new Error(`cannot find the Pharos package root above ${from}; set PHAROS_CONSOLE_DIR`);
  }
}
