import { Injectable, inject } from '@angular/core';
import { Router } from '@angular/router';
import { AuthSession } from './auth-session';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The console's HTTP interceptor. The API services use `fetch` (not HttpClient), so this wraps
 * it instead of being an Angular `HttpInterceptor`: every state-changing request carries the
 * session's `X-CSRF-Token`, and a 401 means the session ended (expired, revoked, logged out in
 * another tab), so the user goes back to the login page, which returns to this URL afterwards.
 */
@Injectable({ providedIn: 'root' })
export class ApiFetch {
  private readonly auth = inject(AuthSession);
  private readonly router = inject(Router);

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const method = (init.method ?? 'GET').toUpperCase();
    const token = SAFE_METHODS.has(method) ? null : this.auth.token();
    const headers = new Headers(init.headers);
    if (token !== null) headers.set('x-csrf-token', token);
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
