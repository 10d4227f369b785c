import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { ActivatedRoute, NavigationEnd, Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { AdminContext } from './state/admin-context';

/**
 * /admin: who may administer what, the tabs, and the tenant picker the members, keys and
 * limits tabs act on. With auth off it explains that there is nothing to administer; without
 * admin rights it says so instead of showing empty pages.
 */
@Component({
  selector: 'ph-admin-page',
  imports: [RouterOutlet, RouterLink, RouterLinkActive],
  template: `
    <h1>Administration</h1>
    @if (ctx.loading()) {
      <p role="status">Loading…</p>
    } @else if (ctx.error(); as message) {
      <p class="error" role="alert" data-testid="admin-error">{{ message }}</p>
    } @else if (ctx.me(); as me) {
      @if (me.kind === 'local') {
        <section class="notice" data-testid="admin-auth-off" aria-labelledby="auth-off-title">
          <h2 id="auth-off-title">Identity is off</h2>
          <p>
            Pharos runs with <code>auth.enabled: false</code>: every request acts as the local user, so there are no users, roles,
            API keys or tenants to administer here. Tenant limits and retention come from the configuration file
            (<code>limits.tenants.&lt;id&gt;</code>). Turn auth on to manage access from this page.
          </p>
        </section>
      } @else if (!me.canAdminister) {
        <section class="notice" role="alert" data-testid="admin-refused" aria-labelledby="refused-title">
          <h2 id="refused-title">No access</h2>
          <p>Administration needs the admin role in a tenant, or a server admin. Ask an admin of your tenant to change your role.</p>
        </section>
      } @else {
        <div class="admin-bar">
          <nav aria-label="Administration" class="tabs">
            <a routerLink="members" routerLinkActive="active" ariaCurrentWhenActive="page" queryParamsHandling="preserve">Members</a>
            <a routerLink="keys" routerLinkActive="active" ariaCurrentWhenActive="page" queryParamsHandling="preserve">API keys</a>
            <a routerLink="limits" routerLinkActive="active" ariaCurrentWhenActive="page" queryParamsHandling="preserve">Limits and retention</a>
            @if (me.serverAdmin) {
              <a routerLink="tenants" routerLinkActive="active" ariaCurrentWhenActive="page" queryParamsHandling="preserve" data-testid="admin-tab-tenants">Tenants</a>
              <a routerLink="users" routerLinkActive="active" ariaCurrentWhenActive="page" queryParamsHandling="preserve" data-testid="admin-tab-users">Users</a>
            }
          </nav>
          @if (showPicker()) {
            <div class="picker">
              <label for="admin-tenant">Tenant</label>
              <select id="admin-tenant" data-testid="admin-tenant" [value]="ctx.tenant() ?? ''" (change)="pick($any($event.target).value)">
                @for (t of ctx.administrable(); track t.id) {
                  <option [value]="t.id" [selected]="t.id === ctx.tenant()">{{ t.name && t.name !== t.id ? t.name + ' (' + t.id + ')' : t.id }}{{ t.disabled ? ' — disabled' : '' }}</option>
                }
              </select>
            </div>
          }
        </div>
        <router-outlet />
      }
    }
  `,
  styles: `
    h1 { font-size: 1.4rem; margin: 0 0 12px; }
    .admin-bar { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 12px; border-bottom: 1px solid var(--border); margin-bottom: 16px; padding-bottom: 8px; }
    .tabs { display: flex; flex-wrap: wrap; gap: 4px; }
    .tabs a { color: var(--fg); text-decoration: none; padding: 6px 10px; border-radius: 4px; }
    .tabs a.active { background: var(--accent-soft); color: var(--accent-strong); font-weight: 600; }
    .picker { display: flex; align-items: center; gap: 8px; }
    .notice { max-width: 60em; border: 1px solid var(--border); background: var(--bg-raised); border-radius: 6px; padding: 12px 16px; }
    .notice h2 { font-size: 1.1rem; margin: 0 0 6px; }
    .error { color: var(--danger); }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AdminPage {
  protected readonly ctx = inject(AdminContext);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  private readonly path = signal(this.router.url);
  /** Tenants and users are not per tenant; the other tabs are. */
  protected readonly showPicker = computed(() => this.ctx.administrable().length > 0 && !/^\/admin\/(tenants|users)\b/.test(this.path()));

  constructor() {
    void this.ctx.load(this.route.snapshot.queryParamMap.get('tenant'));
    const events = this.router.events.subscribe((e) => {
      if (e instanceof NavigationEnd) this.path.set(e.urlAfterRedirects);
    });
    inject(DestroyRef).onDestroy(() => events.unsubscribe());
  }

  protected pick(tenant: string): void {
    this.ctx.pick(tenant);
    // In the URL too, so a reload or a shared link opens the same tenant.
    void this.router.navigate([], { relativeTo: this.route.firstChild ?? this.route, queryParams: { tenant }, queryParamsHandling: 'merge', replaceUrl: true });
  }
}
