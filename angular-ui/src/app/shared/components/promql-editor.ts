import { ChangeDetectionStrategy, Component, type ElementRef, type OnDestroy, afterNextRender, effect, inject, input, output, viewChild } from '@angular/core';
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { HighlightStyle, bracketMatching, syntaxHighlighting } from '@codemirror/language';
import { lintKeymap } from '@codemirror/lint';
import { EditorState, Prec } from '@codemirror/state';
import { EditorView, keymap, placeholder } from '@codemirror/view';
import { tags } from '@lezer/highlight';
import { PromQLExtension } from '@prometheus-io/codemirror-promql';
import { CatalogCompletionClient } from '../api/completion-client';
import { MetricCatalog } from '../api/metric-catalog';

/** Token colours come from CSS variables, so both themes restyle the editor without rebuilding it. */
const promqlHighlight = HighlightStyle.define([
  { tag: tags.keyword, color: 'var(--code-keyword)' },
  { tag: tags.function(tags.variableName), color: 'var(--code-function)' },
  { tag: tags.labelName, color: 'var(--code-label)' },
  { tag: tags.string, color: 'var(--code-string)' },
  { tag: tags.number, color: 'var(--code-number)' },
  { tag: [tags.operator, tags.compareOperator, tags.arithmeticOperator], color: 'var(--code-operator)' },
  { tag: tags.comment, color: 'var(--fg-muted)', fontStyle: 'italic' },
  { tag: tags.invalid, color: 'var(--danger)' },
]);

const editorTheme = EditorView.theme({
  '&': { fontSize: '14px', backgroundColor: 'var(--bg-input)', color: 'var(--fg)' },
  '.cm-content': { fontFamily: 'var(--font-mono)', caretColor: 'var(--fg)', padding: '6px 0' },
  '.cm-cursor': { borderLeftColor: 'var(--fg)' },
  '&.cm-focused': { outline: 'none' },
  '.cm-tooltip': { backgroundColor: 'var(--bg-raised)', color: 'var(--fg)', border: '1px solid var(--border)' },
  '.cm-tooltip-autocomplete ul li[aria-selected]': { backgroundColor: 'var(--accent)', color: 'var(--on-accent)' },
  '.cm-placeholder': { color: 'var(--fg-muted)' },
});

/**
 * The PromQL editor: CodeMirror 6 with Prometheus' lezer grammar (highlighting, linting) and
 * autocompletion of functions, metric names, label names and values. Shift+Enter runs the
 * query; Tab is left to the browser so keyboard users can move on.
 */
@Component({
  selector: 'ph-promql-editor',
  template: `<div #host class="editor" data-testid="promql-editor"></div>`,
  styles: `
    .editor { border: 1px solid var(--border); border-radius: 4px; min-height: 34px; }
    .editor:focus-within { outline: 2px solid var(--focus); outline-offset: 1px; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class PromqlEditor implements OnDestroy {
  /** The expression to show; replacing it from outside (URL navigation) resets the editor. */
  readonly value = input.required<string>();
  readonly valueChange = output<string>();
  readonly run = output<string>();

  private readonly host = viewChild.required<ElementRef<HTMLElement>>('host');
  private readonly catalog = inject(MetricCatalog);
  private readonly promql = new PromQLExtension().setComplete({ remote: new CatalogCompletionClient(this.catalog), maxMetricsMetadata: 10_000 });
  private view: EditorView | undefined;

  constructor() {
    afterNextRender(() => {
      const runKeys = Prec.highest(
        keymap.of([
          {
            key: 'Shift-Enter',
            run: (v) => {
              this.run.emit(v.state.doc.toString());
              return true;
            },
          },
        ]),
      );
      this.view = new EditorView({
        parent: this.host().nativeElement,
        state: EditorState.create({
          doc: this.value(),
          extensions: [
            runKeys,
            history(),
            closeBrackets(),
            bracketMatching(),
            autocompletion(),
            keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap, ...lintKeymap]),
            this.promql.asExtension(),
            syntaxHighlighting(promqlHighlight),
            editorTheme,
            EditorView.lineWrapping,
            placeholder('PromQL expression, e.g. rate(http_requests_total[5m]) — Shift+Enter runs it'),
            EditorView.contentAttributes.of({ 'aria-label': 'PromQL expression', 'aria-multiline': 'true' }),
            EditorView.updateListener.of((u) => {
              if (u.docChanged) this.valueChange.emit(u.state.doc.toString());
            }),
          ],
        }),
      });
    });
    effect(() => {
      const next = this.value();
      const view = this.view;
      if (view && view.state.doc.toString() !== next) view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: next } });
    });
  }

  focus(): void {
    this.view?.focus();
  }

  ngOnDestroy(): void {
    this.view?.destroy();
    this.promql.destroy();
  }
}
