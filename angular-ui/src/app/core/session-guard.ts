import { inject } from '@angular/core';
import { type CanActivateFn, Router } from '@angular/router';
import { AuthSession } from './auth-session';

/**
 * Pages behind the login: with auth on and nobody logged in (or a password to change first),
 * go to the login page and come back here afterwards. With auth off this always passes; so
 * does an unanswered `GET /api/session` (the page's own API calls then show the problem, and
 * a 401 among them still leads to the login page through `ApiFetch`).
 */
export const requireSession: CanActivateFn = (_route, state) => {
  const auth = inject(AuthSession);
  const current = auth.state();
  if (current.kind === 'local' || current.kind === 'unknown' || (current.kind === 'user' && !current.mustChangePassword)) return true;
  return inject(Router).createUrlTree(['/login'], { queryParams: { next: state.url } });
};
