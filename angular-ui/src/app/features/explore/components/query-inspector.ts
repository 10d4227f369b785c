import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import type { RequestRecord } from '../../../core/prometheus-http';

/** What the last run cost: the request as sent, timings, and the size of the answer. */
export interface Inspection {
  readonly request: RequestRecord;
  readonly seriesCount: number;
  readonly sampleCount: number;
  /** Data arrival to the frame after the graph drew it; absent for tables and until drawn. */
  readonly paintMs?: number;
}

@Component({
  selector: 'ph-query-inspector',
  template: `
    <details data-testid="inspector">
      <summary>Query inspector</summary>
      @let i = inspection();
      <dl>
        <dt>Request</dt><dd><code data-testid="inspector-request">{{ i.request.method }} {{ i.request.path }}?{{ query() }}</code></dd>
        <dt>Status</dt><dd>{{ i.request.status }}</dd>
        <dt>Fetch</dt><dd data-testid="inspector-fetch">{{ i.request.fetchMs.toFixed(1) }} ms ({{ kib() }} KiB)</dd>
        <dt>JSON parse</dt><dd>{{ i.request.parseMs.toFixed(1) }} ms</dd>
        @if (i.paintMs !== undefined) { <dt>Render to paint</dt><dd data-testid="inspector-paint">{{ i.paintMs.toFixed(1) }} ms</dd> }
        <dt>Series</dt><dd data-testid="inspector-series">{{ i.seriesCount }}</dd>
        <dt>Samples</dt><dd data-testid="inspector-samples">{{ i.sampleCount }}</dd>
        @if (i.request.warnings.length > 0) { <dt>Warnings</dt><dd>@for (w of i.request.warnings; track $index) { <div>{{ w }}</div> }</dd> }
      </dl>
    </details>
  `,
  styles: `
    details { border: 1px solid var(--border); border-radius: 4px; padding: 6px 10px; background: var(--bg-raised); }
    summary { cursor: pointer; font-weight: 600; }
    dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 8px 0 0; font-size: 13px; }
    dt { color: var(--fg-muted); }
    dd { margin: 0; }
    code { font-family: var(--font-mono); word-break: break-all; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class QueryInspector {
  readonly inspection = input.required<Inspection>();
  protected readonly query = computed(() => new URLSearchParams(this.inspection().request.params).toString());
  protected readonly kib = computed(() => (this.inspection().request.bytes / 1024).toFixed(1));
}
