import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PUBLIC_ROUTE_CONFIG } from '#apps/common';
import type { Logger } from '#pharos/telemetry';
import type { ConsoleAssets } from './console-assets.js';

const NOT_BUILT_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Pharos</title></head>
<body><h1>The Pharos console is not built</h1><p>Build it with <code>node scripts/console.mjs</code>
(<code>npm start</code> does this when it is missing), then reload. The APIs under <code>/api</code> work without it.</p></body></html>`;

function decodePath(url: string): string | null {
  const q = url.indexOf('?');
  try {
    return decodeURIComponent(q < 0 ? url : url.slice(0, q));
  } catch {
    return null;
  }
}

/**
 * Serves the console at `/` on the main HTTP port: built files with cache headers and
 * compression, index.html for client-side routes (SPA fallback). Registered as a catch-all
 * (`/*`), so every route another module declares still wins (Fastify matches static routes
 * first); unknown paths under the reserved API prefixes go on to the normal 404.
 * `assets` is null when there is no build: pages then explain how to make one (503).
 */
export function registerConsoleRoutes(fastify: FastifyInstance, assets: ConsoleAssets | null, logger: Logger): void {
  const handler = (req: FastifyRequest, reply: FastifyReply): FastifyReply | void => {
    const path = decodePath(req.url);
    if (path === null) return reply.code(400).type('text/plain; charset=utf-8').send(`malformed percent-encoding in ${req.url}`);
    if (assets === null) {
      const reservedOrFile = path.startsWith('/api') || path.slice(path.lastIndexOf('/') + 1).includes('.');
      if (reservedOrFile) return reply.callNotFound();
      return reply.code(503).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(NOT_BUILT_PAGE);
    }
    const found = assets.lookup(path);
    if (found.kind === 'reserved' || found.kind === 'missing') return reply.callNotFound();
    const { asset } = found;
    reply.header('etag', asset.etag).header('cache-control', asset.cacheControl).header('vary', 'accept-encoding').type(asset.contentType);
    if (asset.path === '/index.html') {
      // The console only frames itself; clickjacking protection for the page that holds sessions.
      reply.header('x-frame-options', 'DENY').header('x-content-type-options', 'nosniff');
    }
    if (req.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    const { body, encoding } = assets.negotiate(asset, req.headers['accept-encoding']);
    if (encoding) reply.header('content-encoding', encoding);
    return reply.send(body);
  };
  // Static files hold no data: open with auth on (the app then logs in through the API).
  // The wildcard only ever serves files; API paths it catches answer the normal 404.
  fastify.route({ method: ['GET', 'HEAD'], url: '/', handler, config: PUBLIC_ROUTE_CONFIG });
  fastify.route({ method: ['GET', 'HEAD'], url: '/*', handler, config: PUBLIC_ROUTE_CONFIG });
  if (assets) logger.info({ dir: assets.dir, files: assets.size }, 'console served at /');
}
