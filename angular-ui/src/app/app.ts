import { ChangeDetectionStrategy, Component, computed, type ElementRef, inject, viewChild } from '@angular/core';
import { Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { ActiveTenant } from './core/active-tenant';
import { AuthSession } from './core/auth-session';
import { AdminAccess } from './features/admin/admin-access';
import { ThemeSwitch } from './core/theme';

/** The shell: skip link, navigation, theme toggle, log out (auth on), and the routed page. */
@Component({
  selector: 'ph-root',
  imports: [RouterOutlet, RouterLink, RouterLinkActive],
  template: `
    <a class="skip" href="#main" (click)="skipToMain($event)">Skip to content</a>
    <header class="bar">
      <span class="brand" aria-hidden="true">◈ Pharos</span>
      <nav aria-label="Main">
        @if (showNavigation()) {
          <a routerLink="/explore" routerLinkActive="active" ariaCurrentWhenActive="page">Explore</a>
          <a routerLink="/dashboards" routerLinkActive="active" ariaCurrentWhenActive="page" data-testid="nav-dashboards">Dashboards</a>
          @if (admin.canAdminister()) {
            <a routerLink="/admin" routerLinkActive="active" ariaCurrentWhenActive="page" data-testid="nav-admin">Admin</a>
          }
        }
      </nav>
      <!-- A toggle button: its name stays "Dark theme" and aria-pressed carries the state. -->
      <button type="button" class="theme" data-testid="theme-toggle" (click)="theme.toggle()" [attr.aria-pressed]="theme.theme() === 'dark'" title="Switch between light and dark theme">
        <span aria-hidden="true">{{ theme.theme() === 'dark' ? '☾' : '☀' }}</span> Dark theme
      </button>
      @if (tenants.tenant(); as current) {
        <!-- [selected] per option: the list can arrive after the value. -->
        <label class="tenant">Tenant
          <select data-testid="tenant-select" (change)="switchTenant($event)">
            @for (t of tenants.tenants(); track t.id) { <option [value]="t.id" [selected]="t.id === current">{{ t.id }} ({{ t.role }})</option> }
          </select>
        </label>
      }
      @if (session(); as user) {
        <span class="user" data-testid="user-login">{{ user.login }}</span>
        <button type="button" data-testid="logout" (click)="logout()">Log out</button>
      }
    </header>
    <main #main id="main" tabindex="-1"><router-outlet /></main>
  `,
  styles: `
    :host { display: flex; flex-direction: column; min-height: 100vh; }
    .bar { display: flex; align-items: center; gap: 24px; padding: 0 20px; height: 48px; background: var(--bg-raised); border-bottom: 1px solid var(--border); }
    .brand { font-weight: 700; letter-spacing: 0.02em; }
    nav { display: flex; gap: 4px; flex: 1; }
    nav a { color: var(--fg); text-decoration: none; padding: 6px 10px; border-radius: 4px; }
    nav a.active { background: var(--accent-soft); color: var(--accent-strong); font-weight: 600; }
    main { padding: 16px 20px; flex: 1; outline: none; }
    .user { color: var(--fg-muted); }
    .tenant { display: inline-flex; gap: 6px; align-items: center; color: var(--fg-muted); font-size: 13px; }
    .skip { position: absolute; left: -9999px; top: 4px; background: var(--bg-raised); padding: 6px 10px; z-index: 10; }
    .skip:focus { left: 8px; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class App {
  protected readonly theme = inject(ThemeSwitch);
  private readonly auth = inject(AuthSession);
  /** Admin rights in some tenant, or a server admin: the Admin link. */
  protected readonly admin = inject(AdminAccess);
  private readonly router = inject(Router);
  /** The logged-in user, when auth is on. */
  protected readonly session = computed(() => {
    const s = this.auth.state();
    return s.kind === 'user' ? s : null;
  });
  protected readonly tenants = inject(ActiveTenant);

  /**
   * Everything on screen belongs to the tenant it was loaded in, so switching reloads the page;
   * a dashboard of one tenant does not exist in another, so from a dashboard it goes to the list.
   */
  protected switchTenant(event: Event): void {
    this.tenants.select((event.target as HTMLSelectElement).value);
    const path = location.pathname;
    if (path.startsWith('/d/')) location.assign('/dashboards');
    else location.reload();
  }

  /** Pages are reachable with auth off, or once logged in with a usable password. */
  protected readonly showNavigation = computed(() => {
    const s = this.auth.state();
    return s.kind === 'local' || s.kind === 'unknown' || (s.kind === 'user' && !s.mustChangePassword);
  });

  protected async logout(): Promise<void> {
    try {
      await this.auth.logout();
    } catch (err) {
      // The session is forgotten locally either way; the server may already have ended it.
      console.error('[pharos] log out', err);
    }
    await this.router.navigate(['/login']);
  }
  private readonly main = viewChild.required<ElementRef<HTMLElement>>('main');

  /** With `<base href="/">` a bare `#main` link would navigate to `/`; move focus instead. */
  protected skipToMain(event: Event): void {
    event.preventDefault();
    this.main().nativeElement.focus();
  }
}
