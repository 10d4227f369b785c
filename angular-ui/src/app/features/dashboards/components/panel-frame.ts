import { ChangeDetectionStrategy, Component, ElementRef, effect, inject, input, output } from '@angular/core';
import { containerSize } from '../panels/panel-lifecycle';
import type { Panel } from '@pharos/dashboard-model';
import { PanelView } from './panel-view';
import type { PanelResult } from '../state/panel-requests';

/**
 * A panel's chrome: title (with description as a tooltip), warnings and errors, the menu (edit,
 * duplicate, remove) and the renderer for its type. Reports its width (the page derives the
 * step from it) and when its current data has been painted.
 */
@Component({
  selector: 'ph-panel-frame',
  imports: [PanelView],
  template: `
    <header class="head">
      <h2 class="title" [attr.title]="panel().description || null">{{ panel().title || ' ' }}</h2>
      @if (result()?.errors?.length) {
        <span class="badge error" role="img" [attr.aria-label]="'Query error: ' + result()!.errors.join('; ')" [attr.title]="result()!.errors.join('\\n')" data-testid="panel-error">!</span>
      } @else if (result()?.warnings?.length) {
        <span class="badge warn" role="img" [attr.aria-label]="'Warning: ' + result()!.warnings.join('; ')" [attr.title]="result()!.warnings.join('\\n')">⚠</span>
      }
      @if (canEdit()) {
        <span class="menu">
          <button type="button" (click)="edit.emit()" [attr.aria-label]="'Edit ' + (panel().title || 'panel')" data-testid="panel-edit">Edit</button>
          @if (editing()) {
            <button type="button" (click)="duplicate.emit()" [attr.aria-label]="'Duplicate ' + (panel().title || 'panel')">Duplicate</button>
            <button type="button" (click)="remove.emit()" [attr.aria-label]="'Remove ' + (panel().title || 'panel')" data-testid="panel-remove">Remove</button>
          }
        </span>
      }
    </header>
    <div class="body">
      <ph-panel-view [panel]="panel()" [result]="result()" [timezone]="timezone()" (painted)="painted.emit($event)" (rangeSelected)="rangeSelected.emit($event)" />
    </div>
  `,
  styles: `
    :host { display: flex; flex-direction: column; flex: 1; min-height: 0; }
    .head { display: flex; align-items: center; gap: 6px; padding: 4px 8px 0 28px; min-height: 26px; }
    .title { font-size: 14px; font-weight: 600; margin: 0; flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .badge { display: inline-block; min-width: 18px; text-align: center; border-radius: 9px; font-size: 12px; font-weight: 700; }
    .badge.error { background: var(--danger); color: #fff; }
    .badge.warn { color: var(--warning, #b8860b); }
    .menu { display: inline-flex; gap: 4px; }
    .menu button { font-size: 12px; padding: 1px 6px; }
    .body { flex: 1; min-height: 0; padding: 4px 8px 8px; display: flex; flex-direction: column; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class PanelFrame {
  readonly panel = input.required<Panel>();
  readonly result = input<PanelResult | undefined>(undefined);
  readonly timezone = input<'local' | 'utc'>('local');
  readonly canEdit = input(false);
  readonly editing = input(false);
  readonly edit = output<void>();
  readonly duplicate = output<void>();
  readonly remove = output<void>();
  readonly widthChange = output<number>();
  readonly painted = output<number>();
  readonly rangeSelected = output<{ fromMs: number; toMs: number }>();

  constructor() {
    // The frame's width stands for the plot's: the step is one point per pixel, give or take
    // the padding.
    const { width } = containerSize(inject<ElementRef<HTMLElement>>(ElementRef).nativeElement);
    effect(() => {
      const w = width();
      if (w > 0) this.widthChange.emit(w);
    });
  }
}
