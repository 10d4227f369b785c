import { Injectable, signal } from '@angular/core';
import { parseRetryAfter } from './retry-after';

/** Who the console runs as, from `GET /api/session`. */
export type SessionState =
  | { readonly kind: 'unknown' }
  /** Auth is off: every request runs as the local user; no login page, no log out. */
  | { readonly kind: 'local' }
  | { readonly kind: 'anonymous' }
  | {
      readonly kind: 'user';
      readonly login: string;
      readonly mustChangePassword: boolean;
      /** Roles per tenant and the server-admin flag; absent until `GET /api/session` answered. */
      readonly tenants?: readonly TenantRole[];
      readonly serverAdmin?: boolean;
    };

export interface TenantRole {
  readonly id: string;
  readonly role: 'viewer' | 'editor' | 'admin';
}

/**
 * Whether the session may change dashboards and rules in the tenant the console acts in (editor
 * or admin there, or server admin). With auth off everyone may. The server enforces it per request; the console
 * only hides what would be refused.
 */
export function canEditIn(state: SessionState, tenant: string | null = null): boolean {
  if (state.kind === 'local' || state.kind === 'unknown') return true;
  if (state.kind !== 'user') return false;
  if (state.serverAdmin === true) return true;
  // Until roles are known, show the controls; a refusal names the missing role.
  if (state.tenants === undefined) return true;
  // The active tenant's role (`ActiveTenant`), or the only tenant's.
  const role = (tenant === null ? state.tenants[0] : state.tenants.find((t) => t.id === tenant))?.role;
  return role === 'editor' || role === 'admin';
}

/** A refused login or password change, with the API's own message. */
export class AuthApiError extends Error {
  override readonly name = 'AuthApiError';
  constructor(
    readonly status: number,
    message: string,
    /** From `Retry-After` on 429 (throttled or locked). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/**
 * The CSRF token is only in the login answer, while the HttpOnly cookie outlives the page:
 * kept in localStorage so a reload or a second tab can still send state-changing requests
 * (queries are POSTs). It is useless without the cookie, which scripts cannot read.
 */
const CSRF_KEY = 'pharos.csrfToken';

interface SessionAnswer {
  readonly kind?: string;
  readonly login?: string;
  readonly mustChangePassword?: boolean;
  readonly serverAdmin?: boolean;
  readonly tenants?: readonly { id?: unknown; role?: unknown }[];
}

const ROLES = new Set(['viewer', 'editor', 'admin']);

function tenantRoles(body: SessionAnswer): TenantRole[] {
  return (body.tenants ?? []).filter((t): t is TenantRole => typeof t.id === 'string' && typeof t.role === 'string' && ROLES.has(t.role));
}

/**
 * The console's login session: asks the identity API who we are, logs in and out, changes the
 * password, and holds the CSRF token that `ApiFetch` adds to state-changing requests. It calls
 * `fetch` itself (not `ApiFetch`) so that its own 401s are answers, not "session expired".
 */
@Injectable({ providedIn: 'root' })
export class AuthSession {
  private readonly current = signal<SessionState>({ kind: 'unknown' });
  readonly state = this.current.asReadonly();
  private memoryToken: string | null = null;

  /** Asks `GET /api/session`; a 401 means auth is on and nobody is logged in. */
  async load(): Promise<SessionState> {
    let res: Response;
    try {
      res = await fetch('/api/session', { headers: { accept: 'application/json' } });
    } catch (err) {
      throw new AuthApiError(0, `cannot reach Pharos at ${location.origin}: ${(err as Error).message}`);
    }
    if (res.status === 401) return this.set({ kind: 'anonymous' });
    const raw = await readJson(res);
    if (!res.ok) throw new AuthApiError(res.status, errorMessage(raw, res));
    const body = raw as SessionAnswer;
    if (body.kind === 'local') return this.set({ kind: 'local' });
    if (body.kind === 'user' && typeof body.login === 'string') {
      return this.set({ kind: 'user', login: body.login, mustChangePassword: body.mustChangePassword === true, tenants: tenantRoles(body), serverAdmin: body.serverAdmin === true });
    }
    // An API key in a browser (unusual, but valid): nothing to log into or out of.
    return this.set({ kind: 'local' });
  }

  async login(login: string, password: string): Promise<SessionState> {
    const res = await this.post('/api/login', { login, password }, false);
    const raw = await readJson(res);
    if (!res.ok) throw refusal(res, raw);
    const body = raw as { csrfToken?: string; mustChangePassword?: boolean; user?: { login?: string } };
    if (typeof body.csrfToken !== 'string') throw new AuthApiError(res.status, 'the login answer has no csrfToken');
    try {
      localStorage.setItem(CSRF_KEY, body.csrfToken);
    } catch {
      // No storage (some private modes): the token in memory still serves this page.
    }
    this.memoryToken = body.csrfToken;
    this.set({ kind: 'user', login: body.user?.login ?? login, mustChangePassword: body.mustChangePassword === true });
    // The login answer does not carry roles; the session does.
    return this.load().catch(() => this.current());
  }

  async changePassword(currentPassword: string, newPassword: string): Promise<void> {
    const res = await this.post('/api/password', { currentPassword, newPassword }, true);
    if (!res.ok) throw refusal(res, await readJson(res));
    const state = this.current();
    if (state.kind === 'user') this.set({ ...state, mustChangePassword: false });
  }

  /** Ends the session on the server; locally it ends even when the server already forgot it. */
  async logout(): Promise<void> {
    try {
      await this.post('/api/logout', {}, true);
    } finally {
      this.forget();
    }
  }

  /** The session is gone (401 from the API): forget the token and show the login page. */
  forget(): void {
    this.memoryToken = null;
    try {
      localStorage.removeItem(CSRF_KEY);
    } catch {
      // Nothing stored.
    }
    if (this.current().kind !== 'local') this.set({ kind: 'anonymous' });
  }

  /** The CSRF token to send, from memory first (storage may be unavailable). */
  token(): string | null {
    if (this.memoryToken !== null) return this.memoryToken;
    try {
      return localStorage.getItem(CSRF_KEY);
    } catch {
      return null;
    }
  }

  private set(state: SessionState): SessionState {
    this.current.set(state);
    return state;
  }

  private async post(path: string, body: object, csrf: boolean): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/json' };
    const token = csrf ? this.token() : null;
    if (token) headers['x-csrf-token'] = token;
    try {
      return await fetch(path, { method: 'POST', headers, body: JSON.stringify(body) });
    } catch (err) {
      throw new AuthApiError(0, `cannot reach Pharos at ${location.origin}: ${(err as Error).message}`);
    }
  }
}

async function readJson(res: Response): Promise<Record<string, unknown>> {
  const text = await res.text();
  if (text === '') return {};
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { error: `HTTP ${res.status}: ${text.slice(0, 200)}` };
  }
}

function errorMessage(body: Record<string, unknown>, res: Response): string {
  return typeof body['error'] === 'string' ? body['error'] : `HTTP ${res.status} from ${new URL(res.url, location.origin).pathname}`;
}

function refusal(res: Response, body: Record<string, unknown>): AuthApiError {
  return new AuthApiError(res.status, errorMessage(body, res), res.status === 429 ? parseRetryAfter(res.headers.get('retry-after')) : undefined);
}

