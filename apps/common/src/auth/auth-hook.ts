import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Action } from '#pharos/identity';
import type { TenantResolver } from '#pharos/tenancy';
import type { RequestPrincipal, RequestPrincipalResolver } from './request-principal.js';

/**
 * What a door needs: nothing (health, readiness, self-metrics, the login itself), an
 * authenticated principal whose handler decides the rest (the identity API, GraphQL), or a
 * data action in one tenant.
 */
export type DoorPolicy = { readonly kind: 'open' } | { readonly kind: 'authenticated' } | { readonly kind: 'action'; readonly action: Action };

const OPEN: DoorPolicy = { kind: 'open' };
const AUTHENTICATED: DoorPolicy = { kind: 'authenticated' };
const READ: DoorPolicy = { kind: 'action', action: 'metrics:read' };
const WRITE: DoorPolicy = { kind: 'action', action: 'metrics:write' };
const SERVER_ADMIN: DoorPolicy = { kind: 'action', action: 'tenants:manage' };

const OPEN_PATHS = new Set(['/-/healthy', '/-/ready', '/metrics', '/api/login']);
/** Ingestion doors on the main port, and the run-time scrape targets (they make data). */
const WRITE_PATHS = new Set(['/api/v1/write', '/api/v1/push', '/otlp/v1/metrics', '/api/v2/write', '/write']);
/** The identity API and GraphQL authorize per operation. */
const AUTHENTICATED_PREFIXES = ['/api/logout', '/api/session', '/api/password', '/api/tenants', '/api/users', '/graphql'];

/** The policy of a request by method and path; anything not listed is a data read. */
export function doorPolicy(method: string, path: string): DoorPolicy {
  if (OPEN_PATHS.has(path)) return OPEN;
  if (WRITE_PATHS.has(path)) return WRITE;
  if (path === '/api/v1/targets/static' && method !== 'GET') return WRITE;
  // Reloading re-reads the whole server's configuration.
  if (path === '/-/reload') return SERVER_ADMIN;
  for (const prefix of AUTHENTICATED_PREFIXES) {
    if (path === prefix || path.startsWith(prefix + '/')) return AUTHENTICATED;
  }
  return READ;
}

/**
 * Route config that marks a route as holding no data (the console's static files): the hook
 * lets it through without credentials. Marking the route, not listing paths, keeps every
 * data route closed by default, including those added later.
 */
export const PUBLIC_ROUTE_CONFIG = { door: 'open' } as const;

function isPublicRoute(req: FastifyRequest): boolean {
  return (req.routeOptions.config as { door?: string } | undefined)?.door === PUBLIC_ROUTE_CONFIG.door;
}

const principals = new WeakMap<object, RequestPrincipal>();

/** The principal the auth hook resolved for this request (undefined on open doors). */
export function principalOf(req: FastifyRequest): RequestPrincipal | undefined {
  return principals.get(req.raw);
}

/**
 * Checks every request of the main HTTP server before its body is read (so refused requests
 * cost no parsing): the principal and, for data doors, the tenant and role. The result is
 * attached to the request (`principalOf`) and handed to the tenant resolver, so handlers that
 * call `TenantResolver.resolve(req.headers)` get the tenant checked here. With auth off, data
 * doors are left alone (the handlers read `X-Scope-OrgID` as before) and the identity API
 * runs as the local user.
 */
export function registerAuthHook(fastify: FastifyInstance, resolver: RequestPrincipalResolver, tenants: TenantResolver): void {
  fastify.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const path = pathOf(req.url);
    const policy = doorPolicy(req.method, path);
    if (policy.kind === 'open' || isPublicRoute(req)) return;
    if (!resolver.authEnabled && policy.kind === 'action') return;
    const headers = policy === WRITE ? influxQueryCredential(req, path) : req.headers;
    const result = await resolver.resolve({ headers, method: req.method }, policy.kind === 'action' ? policy.action : undefined);
    if (!result.ok) {
      if (result.status === 401) void reply.header('www-authenticate', 'Bearer realm="pharos"');
      return reply.code(result.status).header('content-type', 'application/json').send(refusalBody(path, result.status, result.message));
    }
    principals.set(req.raw, result);
    if (result.tenant !== undefined) tenants.remember(req.headers, { ok: true, tenant: result.tenant, ...(result.grant ? { grant: result.grant } : {}) });
    return undefined;
  });
}

/** InfluxDB 1.x clients may send the token as the `p` query parameter instead of a header. */
function influxQueryCredential(req: FastifyRequest, path: string): FastifyRequest['headers'] {
  if ((path !== '/write' && path !== '/api/v2/write') || req.headers['authorization'] !== undefined) return req.headers;
  const p = (req.query as Record<string, unknown> | undefined)?.['p'];
  if (typeof p !== 'string' || p === '') return req.headers;
  return { ...req.headers, authorization: `Basic ${Buffer.from(`influx:${p}`).toString('base64')}` };
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** A refusal in the shape the door's clients parse: GraphQL's `errors` or Prometheus' `error`. */
function refusalBody(path: string, status: number, message: string): unknown {
  if (path === '/graphql' || path.startsWith('/graphql/')) {
    const code = status === 401 ? 'UNAUTHENTICATED' : status === 403 ? 'FORBIDDEN' : 'BAD_INPUT';
    return { errors: [{ message, extensions: { code } }] };
  }
  return { status: 'error', errorType: errorType(status), error: message };
}

function errorType(status: number): string {
  return status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : 'bad_data';
}
