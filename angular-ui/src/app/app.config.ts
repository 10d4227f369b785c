import { type ApplicationConfig, inject, provideAppInitializer, provideBrowserGlobalErrorListeners, provideZonelessChangeDetection } from '@angular/core';
import { provideAnimations } from '@angular/platform-browser/animations';
import { provideRouter, withComponentInputBinding } from '@angular/router';
import { routes } from './app.routes';
import { AuthSession } from './core/auth-session';

export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideZonelessChangeDetection(),
    provideRouter(routes, withComponentInputBinding()),
    // ngx-charts declares Angular animations on its components and needs the renderer.
    provideAnimations(),
    // Routing waits for "who am I": the guard must know whether auth is on before the first page.
    // If Pharos cannot answer, the console still starts (as with auth off) and the API calls
    // then show their own errors, rather than a blank page.
    provideAppInitializer(() =>
      inject(AuthSession)
        .load()
        .then(
          () => undefined,
          (err: unknown) => console.error('[pharos] GET /api/session failed', err),
        ),
    ),
  ],
};
