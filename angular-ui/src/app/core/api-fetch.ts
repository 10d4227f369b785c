import { Injectable, inject } from '@angular/core';
import { Router } from '@angular/router';
import { ActiveTenant } from './active-tenant';
import { AuthSession } from './auth-session';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The console's HTTP interceptor. The API services use `fetch` (not HttpClient), so this wraps
 * it instead of being an Angular `HttpInterceptor`: every state-changing request carries the
 * session's `X-CSRF-Token`, every request names the active tenant when the user has several,
 * and a 401 means the session ended (expired, revoked, logged out in
 * another tab), so the user goes back to the login page, which returns to this URL afterwards.
 */
@Injectable({ providedIn: 'root' })
export class ApiFetch {
  private readonly auth = inject(AuthSession);
  private readonly tenant = inject(ActiveTenant);
  private readonly router = inject(Router);

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const method = (init.method ?? 'GET').toUpperCase();
    const token = SAFE_METHODS.has(method) ? null : this.auth.token();
    const headers = new Headers(init.headers);
    if (token !== null) headers.set('x-csrf-token', token);
    // A user of several tenants names the one the console acts in; the API refuses otherwise.
    const tenant = this.tenant.tenant();
    if (tenant !== null && !headers.has('x-scope-orgid')) headers.set('x-scope-orgid', tenant);
    const res = await fetch(url, { ...init, headers });
    if (res.status === 401 && this.auth.state().kind !== 'local') this.sessionEnded();
    return res;
  }

  private sessionEnded(): void {
    const here = this.router.url;
    this.auth.forget();
    if (here.startsWith('/login')) return;
    void this.router.navigate(['/login'], { queryParams: { next: here } });
  }
}
