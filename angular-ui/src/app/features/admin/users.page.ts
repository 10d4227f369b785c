import { ChangeDetectionStrategy, Component, type ElementRef, computed, effect, inject, signal, viewChild } from '@angular/core';
import { AdminApi } from './api/admin-api';
import type { Account } from './api/admin-documents';
import { SecretOnce } from './components/secret-once';
import { AdminContext } from './state/admin-context';
import { AdminAction } from './admin-action';
import { errorText } from './state/admin-forms';

type Pending = { readonly kind: 'disable' | 'reset'; readonly account: Account };

/** Accounts across tenants, for server admins: disable or enable, server-admin flag, password reset. */
@Component({
  selector: 'ph-admin-users',
  imports: [SecretOnce],
  template: `
    <h2 id="users-title">Users</h2>
    @if (!serverAdmin()) {
      <p class="notice" role="alert">Managing accounts across tenants needs a server admin.</p>
    } @else {
      @if (secret(); as s) {
        <ph-secret-once [title]="'Temporary password for ' + s.login" [value]="s.password" warning="hand it to the person; they must change it at their next login. Their sessions have ended. It is not shown again." (dismissed)="closeSecret(s.id)" />
      }
      <p class="status" role="status" data-testid="users-status">{{ status() }}</p>
      @if (error(); as message) { <p class="error" role="alert" data-testid="users-error">{{ message }}</p> }
      <div class="table-wrap">
        <table aria-labelledby="users-title" data-testid="users-table">
          <thead><tr><th scope="col">Login</th><th scope="col">Name</th><th scope="col">Tenants</th><th scope="col">State</th><th scope="col">Server admin</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            @for (a of accounts(); track a.user.id) {
              <tr [attr.data-login]="a.user.login">
                <td class="mono">{{ a.user.login }}</td>
                <td>{{ a.user.name }}</td>
                <td>
                  @for (t of a.tenants; track t.tenantId) { <span class="badge">{{ t.tenantId }}: {{ t.role }}</span> } @empty { <span class="muted">none</span> }
                </td>
                <td>
                  @if (a.user.disabled) { <span class="badge off">disabled</span> } @else { active }
                  @if (a.user.mustChangePassword) { <span class="badge">must change password</span> }
                  @if (a.user.lockedUntil !== null && a.user.lockedUntil > now) { <span class="badge off">locked</span> }
                </td>
                <td>
                  <input type="checkbox" [id]="'sa-' + a.user.id" [checked]="a.user.serverAdmin" [disabled]="busy() || a.user.id === me()?.id" (change)="setServerAdmin(a, $any($event.target).checked)" />
                  <label [for]="'sa-' + a.user.id" class="visually-hidden">{{ a.user.login }} is a server admin</label>
                </td>
                <td class="actions">
                  @if (a.user.disabled) {
                    <button type="button" [id]="'disable-' + a.user.id" (click)="setDisabled(a, false)" [disabled]="busy()">Enable</button>
                  } @else {
                    <button type="button" class="danger" [id]="'disable-' + a.user.id" (click)="pending.set({ kind: 'disable', account: a })" [disabled]="busy() || a.user.id === me()?.id">Disable</button>
                  }
                  <button type="button" [id]="'reset-' + a.user.id" (click)="pending.set({ kind: 'reset', account: a })" [disabled]="busy()">Reset password</button>
                </td>
              </tr>
            } @empty {
              <tr><td colspan="6" class="muted">{{ loading() ? 'Loading…' : 'No users.' }}</td></tr>
            }
          </tbody>
        </table>
      </div>
      @if (pending(); as p) {
        <div class="confirm" role="alertdialog" aria-labelledby="user-q">
          @if (p.kind === 'disable') {
            <span id="user-q">Disable <strong>{{ p.account.user.login }}</strong>? Their sessions end at once and they cannot log in.</span>
            <button #confirmButton type="button" class="danger primary" (click)="setDisabled(p.account, true)">Disable</button>
          } @else {
            <span id="user-q">Reset the password of <strong>{{ p.account.user.login }}</strong>? Their sessions end; you get a temporary password to hand over.</span>
            <button #confirmButton type="button" class="danger primary" (click)="resetPassword(p.account)">Reset password</button>
          }
          <button type="button" (click)="cancel(p)">Cancel</button>
        </div>
      }
    }
  `,
  styleUrl: './admin-shared.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class UsersPage {
  private readonly api = inject(AdminApi);
  private readonly ctx = inject(AdminContext);
  protected readonly me = this.ctx.me;
  protected readonly serverAdmin = computed(() => this.ctx.me()?.serverAdmin === true);
  protected readonly accounts = signal<Account[]>([]);
  protected readonly loading = signal(false);
  private readonly action = new AdminAction();
  protected readonly busy = this.action.busy;
  protected readonly error = this.action.error;
  protected readonly status = signal('');
  protected readonly pending = signal<Pending | null>(null);
  protected readonly secret = signal<{ id: string; login: string; password: string } | null>(null);
  protected readonly now = Date.now();
  private readonly confirmButton = viewChild<ElementRef<HTMLButtonElement>>('confirmButton');

  constructor() {
    effect(() => this.confirmButton()?.nativeElement.focus());
    void this.load();
  }

  protected cancel(p: Pending): void {
    this.pending.set(null);
    document.getElementById(`${p.kind}-${p.account.user.id}`)?.focus();
  }

  protected async setDisabled(a: Account, disabled: boolean): Promise<void> {
    this.pending.set(null);
    await this.run(async () => {
      await this.api.updateUser(a.user.id, { disabled });
      this.status.set(`${a.user.login} ${disabled ? 'disabled; their sessions ended' : 'enabled'}.`);
    });
    setTimeout(() => document.getElementById(`disable-${a.user.id}`)?.focus());
  }

  protected async setServerAdmin(a: Account, serverAdmin: boolean): Promise<void> {
    await this.run(async () => {
      await this.api.updateUser(a.user.id, { serverAdmin });
      this.status.set(`${a.user.login} ${serverAdmin ? 'is now' : 'is no longer'} a server admin.`);
    });
  }

  protected async resetPassword(a: Account): Promise<void> {
    this.pending.set(null);
    await this.run(async () => {
      const reset = await this.api.resetPassword(a.user.id);
      this.secret.set({ id: a.user.id, login: a.user.login, password: reset.temporaryPassword });
      this.status.set(`Password of ${a.user.login} reset.`);
    });
  }

  protected closeSecret(id: string): void {
    this.secret.set(null);
    document.getElementById(`reset-${id}`)?.focus();
  }

  private async load(): Promise<void> {
    if (!this.serverAdmin()) return;
    this.loading.set(true);
    try {
      this.accounts.set(await this.api.users());
    } catch (err) {
      this.error.set(errorText(err));
    } finally {
      this.loading.set(false);
    }
  }

  private run(action: () => Promise<void>): Promise<void> {
    return this.action.run(
      async () => {
        await action();
        this.accounts.set(await this.api.users());
      },
      // A refused change leaves the checkbox as the person clicked it: show the truth again.
      async () => this.accounts.set(await this.api.users().catch(() => this.accounts())),
    );
  }

}
