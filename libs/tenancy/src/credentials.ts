/**
 * Credentials a request presents and the verifiers the tenant resolver consults for them. The
 * interfaces are declared here, by their consumer; the identity store implements them in the
 * app layer, so this lib stays free of the metadata store.
 */

/** Roles in a tenant, weakest first (the same names as the metadata store's). */
export type TenantRole = 'viewer' | 'editor' | 'admin';

/** Which data access a request needs: reading needs viewer, writing (ingestion) editor. */
export type DataAccess = 'read' | 'write';

/** What a verified credential may do. */
export interface CredentialGrant {
  /** Names the credential in messages: `API key "ci"`, `user "ana"`. */
  readonly subject: string;
  /** The role per tenant the credential may act for. */
  readonly roles: ReadonlyMap<string, TenantRole>;
  /** The tenant of a request that names none; undefined when the credential must name one. */
  readonly defaultTenant: string | undefined;
}

export type CredentialCheck<G extends CredentialGrant = CredentialGrant> =
  | { readonly ok: true; readonly grant: G }
  | { readonly ok: false; readonly message: string };

/**
 * Verifies one kind of stored credential (API keys, login sessions).
 * - `verify` MAY ask a database; it MUST NOT throw for a wrong credential (it answers ok: false).
 * - `peek` MUST NOT do I/O: it answers from what recent `verify` calls established (still
 *   within their cache lifetime), else undefined.
 */
export interface CredentialVerifier<G extends CredentialGrant = CredentialGrant> {
  verify(token: string): Promise<CredentialCheck<G>>;
  peek(token: string): CredentialCheck<G> | undefined;
}

/** Where a credential came from: browsers send the cookie by themselves (hence CSRF checks). */
export type CredentialSource = 'authorization' | 'cookie';

export interface PresentedCredential {
  readonly token: string;
  readonly source: CredentialSource;
}

/** The cookie carrying the login session (HttpOnly, SameSite=Strict). */
export const SESSION_COOKIE = 'pharos_session';
/** The header a cookie-authenticated state-changing request carries its CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';

export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

/**
 * The credential of a request: `Authorization: Bearer <token>`, `Token <token>` (InfluxDB
 * clients), or Basic auth whose password is the token (Prometheus `basic_auth`; the user name
 * is ignored); else the session cookie. Undefined when there is none.
 */
export function presentedCredential(headers: RequestHeaders): PresentedCredential | undefined {
  const authorization = single(headers['authorization']);
  if (authorization !== undefined) {
    const token = tokenOfAuthorization(authorization);
    return token === undefined ? undefined : { token, source: 'authorization' };
  }
  const cookie = cookieValue(single(headers['cookie']), SESSION_COOKIE);
  return cookie === undefined ? undefined : { token: cookie, source: 'cookie' };
}

function tokenOfAuthorization(value: string): string | undefined {
  const trimmed = value.trim();
  const space = trimmed.indexOf(' ');
  if (space <= 0) return undefined;
  const scheme = trimmed.slice(0, space).toLowerCase();
  const rest = trimmed.slice(space + 1).trim();
  if (scheme === 'bearer' || scheme === 'token') return rest === '' ? undefined : rest;
  if (scheme === 'basic') {
    const decoded = Buffer.from(rest, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const password = colon >= 0 ? decoded.slice(colon + 1) : '';
    return password === '' ? undefined : password;
  }
  return undefined;
}

/** The value of one cookie in a `Cookie` header (RFC 6265 syntax; values are not decoded). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    return value === '' ? undefined : value;
  }
  return undefined;
}

export function single(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined || v === '' ? undefined : v.trim();
}
