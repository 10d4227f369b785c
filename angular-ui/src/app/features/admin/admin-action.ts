import { signal } from '@angular/core';
import { errorText } from './state/admin-forms';

/**
 * The busy flag and error line around an admin page's actions: while one runs the page's
 * buttons are disabled, and a refusal shows the API's message (`errorText`). `onError` lets a
 * page also react to the failure (a version conflict, a checkbox to reset).
 */
export class AdminAction {
  readonly busy = signal(false);
  readonly error = signal<string | null>(null);

  async run(action: () => Promise<void>, onError?: (err: unknown) => void | Promise<void>): Promise<void> {
    this.busy.set(true);
    this.error.set(null);
    try {
      await action();
    } catch (err) {
      this.error.set(errorText(err));
      await onError?.(err);
    } finally {
      this.busy.set(false);
    }
  }
}
