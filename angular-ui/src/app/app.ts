import { ChangeDetectionStrategy, Component, type ElementRef, inject, viewChild } from '@angular/core';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { ThemeSwitch } from './core/theme';

/** The shell: skip link, navigation, theme toggle, and the routed page. */
@Component({
  selector: 'ph-root',
  imports: [RouterOutlet, RouterLink, RouterLinkActive],
  template: `
    <a class="skip" href="#main" (click)="skipToMain($event)">Skip to content</a>
    <header class="bar">
      <span class="brand" aria-hidden="true">◈ Pharos</span>
      <nav aria-label="Main">
        <a routerLink="/explore" routerLinkActive="active" ariaCurrentWhenActive="page">Explore</a>
      </nav>
      <!-- A toggle button: its name stays "Dark theme" and aria-pressed carries the state. -->
      <button type="button" class="theme" data-testid="theme-toggle" (click)="theme.toggle()" [attr.aria-pressed]="theme.theme() === 'dark'" title="Switch between light and dark theme">
        <span aria-hidden="true">{{ theme.theme() === 'dark' ? '☾' : '☀' }}</span> Dark theme
      </button>
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
    .skip { position: absolute; left: -9999px; top: 4px; background: var(--bg-raised); padding: 6px 10px; z-index: 10; }
    .skip:focus { left: 8px; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class App {
  protected readonly theme = inject(ThemeSwitch);
  private readonly main = viewChild.required<ElementRef<HTMLElement>>('main');

  /** With `<base href="/">` a bare `#main` link would navigate to `/`; move focus instead. */
  protected skipToMain(event: Event): void {
    event.preventDefault();
    this.main().nativeElement.focus();
  }
}
