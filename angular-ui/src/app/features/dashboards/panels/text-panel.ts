import { ChangeDetectionStrategy, Component, ElementRef, ViewEncapsulation, computed, inject, input, output } from '@angular/core';
import type { TextOptions } from '@pharos/dashboard-model';
import { renderMarkdown } from './markdown';
import { containerSize, emitWhenPainted } from './panel-lifecycle';

/**
 * Text: the panel's content as markdown (rendered by markdown.ts, which escapes all author
 * HTML and keeps only safe link targets; Angular's `[innerHTML]` sanitizer then applies as a
 * second gate) or as plain text. Headings start at h3, below the page's h1 and the panel
 * title's h2.
 */
@Component({
  selector: 'ph-text-panel',
  template: `
    @if (options().mode === 'markdown') {
      <div class="text markdown" data-testid="text-panel" [innerHTML]="html()"></div>
    } @else {
      <div class="text plain" data-testid="text-panel">{{ options().content }}</div>
    }
  `,
  // Not encapsulated: the rendered markdown is inserted as HTML, which emulated encapsulation
  // cannot reach; every rule is scoped by the element name instead.
  encapsulation: ViewEncapsulation.None,
  styles: `
    ph-text-panel { display: block; flex: 1; min-height: 0; min-width: 0; overflow: auto; }
    ph-text-panel .text { line-height: 1.5; overflow-wrap: anywhere; }
    ph-text-panel .plain { white-space: pre-wrap; }
    ph-text-panel .markdown > :first-child { margin-top: 0; }
    ph-text-panel .markdown :is(h3, h4, h5, h6) { margin: 0.8em 0 0.3em; line-height: 1.25; }
    ph-text-panel .markdown code { font-family: var(--font-mono); font-size: 0.92em; background: var(--bg-raised); border-radius: 3px; padding: 0 3px; }
    ph-text-panel .markdown pre { background: var(--bg-raised); border: 1px solid var(--border); border-radius: 4px; padding: 8px; overflow: auto; }
    ph-text-panel .markdown pre code { background: none; padding: 0; }
    ph-text-panel .markdown blockquote { margin: 0.5em 0; padding-left: 10px; border-left: 3px solid var(--border); color: var(--fg-muted); }
    ph-text-panel .markdown hr { border: none; border-top: 1px solid var(--border); }
    ph-text-panel .markdown a { color: var(--accent); }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class TextPanelView {
  readonly options = input.required<TextOptions>();
  /** `performance.now()` once the frame showing the content has been painted. */
  readonly painted = output<number>();

  private readonly size = containerSize(inject(ElementRef).nativeElement);
  protected readonly html = computed(() => renderMarkdown(this.options().content, { headingOffset: 2 }));

  constructor() {
    emitWhenPainted(this.options, () => this.size.width() > 0, (at) => this.painted.emit(at));
  }
}
