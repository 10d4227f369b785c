import { Injectable, computed, effect, inject, signal, untracked } from '@angular/core';
import { AuthSession } from '../../core/auth-session';
import { AdminApi } from './api/admin-api';
import type { Me } from './api/admin-documents';

/**
 * Whether the session may administer anything, for the shell's navigation link and the admin
 * pages: asks the gateway's `me` once per login (AuthSession knows the login, not the roles).
 * With auth off, or before the answer, there is no link.
 */
@Injectable({ providedIn: 'root' })
export class AdminAccess {
  private readonly auth = inject(AuthSession);
  private readonly api = inject(AdminApi);
  private readonly answer = signal<Me | null>(null);
  /** The caller, once known. */
  readonly me = this.answer.asReadonly();
  readonly canAdminister = computed(() => this.answer()?.canAdminister === true);
  private loadedFor: string | null = null;

  constructor() {
    effect(() => {
      const s = this.auth.state();
      const key = s.kind === 'user' && !s.mustChangePassword ? `user:${s.login}` : s.kind === 'local' ? 'local' : null;
      untracked(() => {
        if (key === null) {
          this.loadedFor = null;
          this.answer.set(null);
        } else if (key !== this.loadedFor) {
          this.loadedFor = key;
          void this.refresh();
        }
      });
    });
  }

  /** Asks again (after a change of one's own roles); failures leave no link rather than an error. */
  async refresh(): Promise<Me | null> {
    try {
      const me = await this.api.me();
      this.answer.set(me);
      return me;
    } catch (err) {
      console.error('[pharos] admin access', err);
      this.answer.set(null);
      return null;
    }
  }
}
