import { DOCUMENT, Injectable, inject, signal } from '@angular/core';

export type Theme = 'light' | 'dark';

const STORAGE_KEY = 'pharos.theme';

/**
 * Light or dark: the user's last choice if there is one, else the system's
 * `prefers-color-scheme`, which is then followed live until the user chooses.
 */
@Injectable({ providedIn: 'root' })
export class ThemeSwitch {
  private readonly document = inject(DOCUMENT);
  private readonly media = this.document.defaultView?.matchMedia('(prefers-color-scheme: dark)');
  readonly theme = signal<Theme>(this.initial());

  constructor() {
    this.apply(this.theme());
    this.media?.addEventListener('change', (e) => {
      if (this.stored() === null) this.set(e.matches ? 'dark' : 'light', false);
    });
  }

  toggle(): void {
    this.set(this.theme() === 'dark' ? 'light' : 'dark', true);
  }

  private set(theme: Theme, remember: boolean): void {
    this.theme.set(theme);
    this.apply(theme);
    if (remember) {
      try {
        localStorage.setItem(STORAGE_KEY, theme);
      } catch {
        // Storage can be disabled (private mode, policy): the choice then lasts for the page only.
      }
    }
  }

  private stored(): Theme | null {
    try {
      const v = localStorage.getItem(STORAGE_KEY);
      return v === 'light' || v === 'dark' ? v : null;
    } catch {
      return null;
    }
  }

  private initial(): Theme {
    return this.stored() ?? (this.media?.matches ? 'dark' : 'light');
  }

  private apply(theme: Theme): void {
    this.document.documentElement.dataset['theme'] = theme;
    this.document.documentElement.style.colorScheme = theme;
  }
}
