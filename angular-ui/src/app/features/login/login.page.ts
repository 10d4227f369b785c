import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Router } from '@angular/router';
import { AuthApiError, AuthSession } from '../../core/auth-session';

/**
 * The login page, and the password change a must-change-password account does first. `next`
 * (query parameter) is where to go afterwards; only paths inside the console are followed.
 */
@Component({
  selector: 'ph-login-page',
  imports: [FormsModule],
  templateUrl: './login.page.html',
  styleUrl: './login.page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class LoginPage {
  readonly next = input<string | undefined>();

  private readonly auth = inject(AuthSession);
  private readonly router = inject(Router);

  protected readonly mustChange = computed(() => {
    const s = this.auth.state();
    return s.kind === 'user' && s.mustChangePassword;
  });
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);

  protected login = '';
  protected password = '';
  protected currentPassword = '';
  protected newPassword = '';
  protected repeatPassword = '';
  /** After a reload in the must-change state the password typed at login is gone: ask again. */
  protected askCurrent = true;

  constructor() {
    // Already logged in (a bookmarked /login, or auth off): nothing to do here.
    const s = this.auth.state();
    if (s.kind === 'local' || (s.kind === 'user' && !s.mustChangePassword)) void this.router.navigateByUrl(this.destination());
  }

  protected async submitLogin(): Promise<void> {
    if (this.login.trim() === '' || this.password === '') {
      this.error.set('Enter your login and password.');
      return;
    }
    await this.run(async () => {
      const password = this.password;
      const state = await this.auth.login(this.login.trim(), password);
      this.password = '';
      if (state.kind === 'user' && state.mustChangePassword) {
        // The password just typed is the current one; the change form asks only for the new one.
        this.currentPassword = password;
        this.askCurrent = false;
        return;
      }
      await this.router.navigateByUrl(this.destination());
    });
  }

  protected async submitChange(): Promise<void> {
    if (this.currentPassword === '' || this.newPassword === '') {
      this.error.set(this.currentPassword === '' ? 'Enter your current password.' : 'Enter a new password.');
      return;
    }
    if (this.newPassword !== this.repeatPassword) {
      this.error.set('The two new passwords differ.');
      return;
    }
    if (this.newPassword === this.currentPassword) {
      this.error.set('The new password must differ from the current one.');
      return;
    }
    await this.run(async () => {
      await this.auth.changePassword(this.currentPassword, this.newPassword);
      this.currentPassword = this.newPassword = this.repeatPassword = '';
      await this.router.navigateByUrl(this.destination());
    });
  }

  private async run(action: () => Promise<void>): Promise<void> {
    this.busy.set(true);
    this.error.set(null);
    try {
      await action();
    } catch (err) {
      this.error.set(describe(err));
    } finally {
      this.busy.set(false);
    }
  }

  /** An absolute path inside the console; anything else (`//evil`, `https:`) goes to Explore. */
  private destination(): string {
    const next = this.next();
    return next !== undefined && /^\/(?![/\\])/.test(next) && !next.startsWith('/login') ? next : '/explore';
  }
}

function describe(err: unknown): string {
  if (err instanceof AuthApiError) {
    if (err.status === 429) {
      // The API's message says "try again later"; Retry-After says when.
      if (err.retryAfterSeconds === undefined) return err.message;
      const at = new Date(Date.now() + err.retryAfterSeconds * 1000).toLocaleTimeString();
      return `${err.message} (in ${err.retryAfterSeconds} s, at ${at})`;
    }
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
