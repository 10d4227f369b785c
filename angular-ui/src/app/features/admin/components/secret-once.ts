import { ChangeDetectionStrategy, Component, type ElementRef, afterNextRender, input, output, signal, viewChild } from '@angular/core';

/**
 * A secret shown this one time (a new API key, a temporary password): read-only field, copy
 * button, and a warning that it cannot be shown again. Takes the focus when it appears, so
 * keyboard and screen-reader users land on it; "Done" hands the focus back through `dismissed`.
 */
@Component({
  selector: 'ph-secret-once',
  template: `
    <section class="secret" role="region" [attr.aria-labelledby]="id + '-title'" data-testid="secret-once" tabindex="-1" #box>
      <h3 [id]="id + '-title'">{{ title() }}</h3>
      <p class="warning"><strong>Copy it now:</strong> {{ warning() }}</p>
      <div class="row">
        <label class="visually-hidden" [for]="id + '-value'">{{ title() }}</label>
        <input [id]="id + '-value'" class="value" data-testid="secret-value" readonly [value]="value()" (focus)="$any($event.target).select()" />
        <button type="button" (click)="copy()" data-testid="secret-copy">Copy</button>
        <button type="button" class="primary" (click)="dismissed.emit()" data-testid="secret-done">Done</button>
      </div>
      <p class="status" role="status">{{ copied() }}</p>
    </section>
  `,
  styles: `
    .secret { border: 2px solid var(--warning); border-radius: 6px; padding: 10px 14px; margin: 12px 0; background: var(--bg-raised); outline: none; }
    .secret:focus-visible { outline: 2px solid var(--focus); }
    h3 { margin: 0 0 6px; font-size: 1rem; }
    .warning { color: var(--fg); margin: 0 0 8px; }
    .row { display: flex; gap: 8px; flex-wrap: wrap; }
    .value { flex: 1; min-width: 20em; font-family: var(--font-mono); }
    .status { min-height: 1.2em; margin: 6px 0 0; color: var(--fg-muted); }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SecretOnce {
  readonly title = input.required<string>();
  readonly value = input.required<string>();
  readonly warning = input('it is not stored and cannot be shown again.');
  readonly dismissed = output<void>();
  protected readonly copied = signal('');
  protected readonly id = `secret-${Math.random().toString(36).slice(2, 8)}`;
  private readonly box = viewChild.required<ElementRef<HTMLElement>>('box');

  constructor() {
    afterNextRender(() => this.box().nativeElement.focus());
  }

  protected async copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(this.value());
      this.copied.set('Copied to the clipboard.');
    } catch {
      // No clipboard permission (plain HTTP, some browsers): the field is selected for Ctrl+C.
      const field = this.box().nativeElement.querySelector('input');
      field?.focus();
      field?.select();
      this.copied.set('Copying is not allowed here: the text is selected, press Ctrl+C (⌘C).');
    }
  }
}
