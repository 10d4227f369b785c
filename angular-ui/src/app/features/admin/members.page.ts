import { ChangeDetectionStrategy, Component, type ElementRef, computed, effect, inject, signal, untracked, viewChild } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { AdminApi } from './api/admin-api';
import type { Member, Role } from './api/admin-documents';
import { SecretOnce } from './components/secret-once';
import { AdminContext } from './state/admin-context';
import { AdminAction } from './admin-action';
import { errorText, grantableRoles, inviteForm } from './state/admin-forms';

/** Members of the picked tenant: invite with a role (temporary password shown once), change role, remove. */
@Component({
  selector: 'ph-admin-members',
  imports: [FormsModule, SecretOnce],
  template: `
    <h2 id="members-title">Members of {{ tenant() }}</h2>
    <form class="inline" (ngSubmit)="invite()" novalidate aria-labelledby="invite-title" data-testid="invite-form">
      <h3 id="invite-title" class="visually-hidden">Invite a member</h3>
      <div class="field">
        <label for="invite-login">Login</label>
        <input #login id="invite-login" name="login" data-testid="invite-login" autocomplete="off" [(ngModel)]="form.login" [attr.aria-invalid]="!!errors()['login']" aria-describedby="invite-login-error" />
        <span id="invite-login-error" class="field-error">{{ errors()['login'] }}</span>
      </div>
      <div class="field">
        <label for="invite-role">Role</label>
        <select id="invite-role" name="role" data-testid="invite-role" [(ngModel)]="form.role">
          @for (r of roles(); track r) { <option [value]="r">{{ r }}</option> }
        </select>
        <span class="field-error">{{ errors()['role'] }}</span>
      </div>
      <div class="field">
        <label for="invite-name">Name <span class="hint">(optional)</span></label>
        <input id="invite-name" name="name" [(ngModel)]="form.name" autocomplete="off" />
        <span class="field-error">{{ errors()['name'] }}</span>
      </div>
      <div class="field">
        <label for="invite-email">E-mail <span class="hint">(optional)</span></label>
        <input id="invite-email" name="email" type="email" [(ngModel)]="form.email" autocomplete="off" [attr.aria-invalid]="!!errors()['email']" aria-describedby="invite-email-error" />
        <span id="invite-email-error" class="field-error">{{ errors()['email'] }}</span>
      </div>
      <div class="field">
        <label for="invite-password">Temporary password <span class="hint">(optional)</span></label>
        <input id="invite-password" name="password" type="password" autocomplete="new-password" [(ngModel)]="form.password" aria-describedby="invite-password-hint" />
        <span id="invite-password-hint" class="hint">Empty: one is generated for a new account.</span>
      </div>
      <button type="submit" class="primary" data-testid="invite-submit" [disabled]="busy()">Invite</button>
    </form>
    @if (secret(); as s) {
      <ph-secret-once [title]="'Temporary password for ' + s.login" [value]="s.password" warning="hand it to the person; they must change it at their first login. It is not shown again." (dismissed)="closeSecret()" />
    }
    <p class="status" role="status" data-testid="members-status">{{ status() }}</p>
    @if (error(); as message) { <p class="error" role="alert" data-testid="members-error">{{ message }}</p> }

    <div class="table-wrap">
      <table aria-labelledby="members-title" data-testid="members-table">
        <thead><tr><th scope="col">Login</th><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Account</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>
          @for (m of members(); track m.user.id) {
            <tr [attr.data-login]="m.user.login">
              <td class="mono">{{ m.user.login }}</td>
              <td>{{ m.user.name }}</td>
              <td>
                <label class="visually-hidden" [for]="'role-' + m.user.id">Role of {{ m.user.login }}</label>
                <select [id]="'role-' + m.user.id" [value]="m.role" (change)="changeRole(m, $any($event.target).value)" [disabled]="busy()">
                  @for (r of allRoles(m.role); track r) { <option [value]="r" [selected]="r === m.role">{{ r }}</option> }
                </select>
              </td>
              <td>
                @if (m.user.disabled) { <span class="badge off">disabled</span> }
                @if (m.user.mustChangePassword) { <span class="badge">must change password</span> }
                @if (m.user.serverAdmin) { <span class="badge">server admin</span> }
              </td>
              <td class="actions">
                <button type="button" class="danger" [id]="'remove-' + m.user.id" (click)="confirming.set(m)" [disabled]="busy()">Remove</button>
              </td>
            </tr>
          } @empty {
            <tr><td colspan="5" class="muted">{{ loading() ? 'Loading…' : 'No members.' }}</td></tr>
          }
        </tbody>
      </table>
    </div>
    @if (confirming(); as m) {
      <div class="confirm" role="alertdialog" aria-labelledby="remove-q" data-testid="remove-confirm">
        <span id="remove-q">Remove <strong>{{ m.user.login }}</strong> from {{ tenant() }}? Their account stays; they lose access to this tenant.</span>
        <button #confirmButton type="button" class="danger primary" (click)="remove(m)">Remove</button>
        <button type="button" (click)="cancelRemove(m)">Cancel</button>
      </div>
    }
  `,
  styleUrl: './admin-shared.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class MembersPage {
  private readonly api = inject(AdminApi);
  private readonly ctx = inject(AdminContext);
  protected readonly tenant = computed(() => this.ctx.tenant() ?? '');
  protected readonly roles = computed(() => {
    const me = this.ctx.me();
    return me === null ? [] : grantableRoles(me, this.tenant());
  });
  protected readonly members = signal<Member[]>([]);
  protected readonly loading = signal(false);
  private readonly action = new AdminAction();
  protected readonly busy = this.action.busy;
  protected readonly error = this.action.error;
  protected readonly status = signal('');
  protected readonly errors = signal<Readonly<Record<string, string>>>({});
  protected readonly secret = signal<{ login: string; password: string } | null>(null);
  protected readonly confirming = signal<Member | null>(null);
  protected form = { login: '', role: 'viewer', name: '', email: '', password: '' };
  private readonly loginField = viewChild<ElementRef<HTMLInputElement>>('login');
  private readonly confirmButton = viewChild<ElementRef<HTMLButtonElement>>('confirmButton');

  constructor() {
    effect(() => {
      const t = this.ctx.tenant();
      if (t !== null) untracked(() => void this.load(t));
    });
    // The confirmation takes the focus when it opens.
    effect(() => this.confirmButton()?.nativeElement.focus());
  }

  /** The member's current role stays listed even where the caller could not grant it. */
  protected allRoles(current: Role): Role[] {
    const grantable = this.roles();
    return grantable.includes(current) ? grantable : [...grantable, current];
  }

  protected async invite(): Promise<void> {
    const parsed = inviteForm(this.form);
    this.errors.set(parsed.ok ? {} : parsed.errors);
    if (!parsed.ok) return;
    await this.run(async () => {
      const added = await this.api.invite(this.tenant(), parsed.value);
      this.form = { login: '', role: this.form.role, name: '', email: '', password: '' };
      this.status.set(`${added.member.user.login} is now ${added.member.role} in ${this.tenant()}.`);
      if (added.temporaryPassword !== null) this.secret.set({ login: added.member.user.login, password: added.temporaryPassword });
      await this.reload();
    });
  }

  protected closeSecret(): void {
    this.secret.set(null);
    this.loginField()?.nativeElement.focus();
  }

  protected async changeRole(m: Member, role: string): Promise<void> {
    if (role === m.role) return;
    await this.run(async () => {
      const changed = await this.api.changeRole(this.tenant(), m.user.id, role as Role);
      this.status.set(`${m.user.login} is now ${changed.role}.`);
    });
    await this.reload();
  }

  protected cancelRemove(m: Member): void {
    this.confirming.set(null);
    document.getElementById(`remove-${m.user.id}`)?.focus();
  }

  protected async remove(m: Member): Promise<void> {
    this.confirming.set(null);
    await this.run(async () => {
      await this.api.removeMember(this.tenant(), m.user.id);
      this.status.set(`${m.user.login} was removed from ${this.tenant()}.`);
      await this.reload();
    });
    this.loginField()?.nativeElement.focus();
  }

  private async load(tenant: string): Promise<void> {
    this.loading.set(true);
    this.members.set([]);
    this.error.set(null);
    this.confirming.set(null);
    this.secret.set(null);
    try {
      this.members.set(await this.api.members(tenant));
    } catch (err) {
      this.error.set(errorText(err));
    } finally {
      this.loading.set(false);
    }
  }

  private async reload(): Promise<void> {
    try {
      this.members.set(await this.api.members(this.tenant()));
    } catch (err) {
      this.error.set(errorText(err));
    }
  }

  private run(action: () => Promise<void>): Promise<void> {
    return this.action.run(action);
  }
}
