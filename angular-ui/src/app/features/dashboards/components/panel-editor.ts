import { ChangeDetectionStrategy, Component, computed, input, output } from '@angular/core';
import { DEFAULT_PANEL_OPTIONS, PANEL_TYPES, STAT_REDUCERS, type FieldConfig, type Panel, type PanelTarget, type PanelType, type Threshold } from '@pharos/dashboard-model';
import { PromqlEditor } from '../../../shared/components/promql-editor';
import { UNIT_CATEGORIES } from '../../../shared/units/units';

const TYPE_LABELS: Readonly<Record<PanelType, string>> = {
  timeseries: 'Time series',
  stat: 'Stat',
  gauge: 'Gauge',
  bar: 'Bar',
  pie: 'Pie',
  heatmap: 'Heatmap',
  table: 'Table',
  text: 'Text',
};

/**
 * Edits one panel: type, title, queries (PromQL editor with completion), display settings and
 * the type's options. Every change is emitted at once, so the page re-queries and the preview
 * above the editor is live; "Apply" keeps the changes in the (unsaved) dashboard, "Discard"
 * restores the panel as it was when the editor opened.
 */
@Component({
  selector: 'ph-panel-editor',
  imports: [PromqlEditor],
  template: `
    <div class="editor" role="region" aria-label="Panel editor" data-testid="panel-editor">
      <div class="row">
        <label>Type
          <select data-testid="panel-type" [value]="panel().type" (change)="setType(valueOf($event))">
            @for (t of types; track t) { <option [value]="t">{{ typeLabel(t) }}</option> }
          </select>
        </label>
        <label class="grow">Title <input data-testid="panel-title" [value]="panel().title" (input)="patch({ title: valueOf($event) })" /></label>
        <label>Min step <input class="short" placeholder="15s" [value]="panel().interval" (change)="setInterval(valueOf($event))" /></label>
        <span class="spacer"></span>
        <button type="button" (click)="discard.emit()" data-testid="panel-discard">Discard</button>
        <button type="button" class="primary" (click)="apply.emit()" data-testid="panel-apply">Apply</button>
      </div>
      <label class="block">Description <input [value]="panel().description" (input)="patch({ description: valueOf($event) })" /></label>

      @if (panel().type === 'text') {
        <label class="block">Content (Markdown)
          <textarea rows="8" data-testid="panel-text" [value]="textContent()" (input)="setOption('content', valueOf($event))"></textarea>
        </label>
      } @else {
        <fieldset>
          <legend>Queries</legend>
          @for (t of panel().targets; track t.refId; let i = $index) {
            <div class="target" [attr.data-testid]="'target-' + t.refId">
              <div class="target-head">
                <strong>{{ t.refId }}</strong>
                <label>Legend <input class="legend" placeholder="{{ '{{' }}label}}" [value]="t.legendFormat" (input)="patchTarget(i, { legendFormat: valueOf($event) })" /></label>
                <label><input type="checkbox" [checked]="t.instant" (change)="patchTarget(i, { instant: checked($event) })" /> Instant</label>
                <label><input type="checkbox" [checked]="t.hide" (change)="patchTarget(i, { hide: checked($event) })" /> Hide</label>
                <button type="button" (click)="removeTarget(i)" [attr.aria-label]="'Remove query ' + t.refId">Remove</button>
              </div>
              <ph-promql-editor [value]="t.expr" (valueChange)="patchTarget(i, { expr: $event })" (run)="patchTarget(i, { expr: $event })" />
            </div>
          }
          <button type="button" (click)="addTarget()" data-testid="add-target">Add query</button>
        </fieldset>

        <fieldset>
          <legend>Display</legend>
          <div class="row">
            <label>Unit
              <select data-testid="panel-unit" [value]="panel().fieldConfig.unit" (change)="patchField({ unit: valueOf($event) })">
                @for (u of units; track u.id) { <option [value]="u.id">{{ u.group }}: {{ u.label }}</option> }
              </select>
            </label>
            <label>Decimals <input class="short" type="number" min="0" max="20" [value]="panel().fieldConfig.decimals ?? ''" (change)="patchField({ decimals: numberOrNull(valueOf($event)) })" /></label>
            <label>Min <input class="short" type="number" [value]="panel().fieldConfig.min ?? ''" (change)="patchField({ min: numberOrNull(valueOf($event)) })" /></label>
            <label>Max <input class="short" type="number" [value]="panel().fieldConfig.max ?? ''" (change)="patchField({ max: numberOrNull(valueOf($event)) })" /></label>
          </div>
          <div class="thresholds" role="group" aria-label="Thresholds">
            <span class="label">Thresholds</span>
            @for (th of panel().fieldConfig.thresholds; track $index; let i = $index) {
              <span class="threshold">
                <input type="color" [value]="th.color" (change)="setThreshold(i, { color: valueOf($event) })" [attr.aria-label]="'Colour of threshold ' + (i + 1)" />
                @if (i === 0) { <span>Base</span> } @else {
                  <input class="short" type="number" [value]="th.value ?? ''" (change)="setThreshold(i, { value: numberOrNull(valueOf($event)) })" [attr.aria-label]="'Value of threshold ' + (i + 1)" />
                }
                <button type="button" (click)="removeThreshold(i)" [attr.aria-label]="'Remove threshold ' + (i + 1)">×</button>
              </span>
            }
            <button type="button" (click)="addThreshold()">Add threshold</button>
          </div>
        </fieldset>

        <fieldset>
          <legend>{{ typeLabel(panel().type) }} options</legend>
          <div class="row">
            @let type = panel().type;
            @let o = opts();
            @switch (type) {
              @case ('timeseries') {
                <label>Style <select [value]="o['drawStyle']" (change)="setOption('drawStyle', valueOf($event))"><option value="line">Lines</option><option value="area">Areas</option><option value="points">Points</option></select></label>
                <label>Stacking <select [value]="o['stacking']" (change)="setOption('stacking', valueOf($event))"><option value="none">None</option><option value="normal">Normal</option><option value="percent">100 %</option></select></label>
                <label>Line width <input class="short" type="number" min="0" max="10" [value]="o['lineWidth']" (change)="setOption('lineWidth', numberOr(valueOf($event), 1))" /></label>
                <label>Legend <select [value]="o['legend']" (change)="setOption('legend', valueOf($event))"><option value="bottom">Bottom</option><option value="right">Right</option><option value="hidden">Hidden</option></select></label>
                <label><input type="checkbox" [checked]="o['showThresholds']" (change)="setOption('showThresholds', checked($event))" /> Threshold lines</label>
              }
              @case ('heatmap') {
                <label>Rows from <select [value]="o['source']" (change)="setOption('source', valueOf($event))"><option value="buckets">Histogram buckets</option><option value="series">Series</option></select></label>
              }
              @case ('table') {
                <label class="grow">Columns <input placeholder="every label" [value]="columnsText()" (change)="setColumns(valueOf($event))" /></label>
              }
              @default {
                <label>Value <select [value]="o['reducer']" (change)="setOption('reducer', valueOf($event))">
                  @for (r of reducers; track r) { <option [value]="r">{{ r }}</option> }
                </select></label>
                @if (type === 'stat') {
                  <label>Colour <select [value]="o['colorMode']" (change)="setOption('colorMode', valueOf($event))"><option value="value">Value</option><option value="background">Background</option><option value="none">None</option></select></label>
                  <label><input type="checkbox" [checked]="o['sparkline']" (change)="setOption('sparkline', checked($event))" /> Sparkline</label>
                }
                @if (type === 'bar') {
                  <label>Orientation <select [value]="o['orientation']" (change)="setOption('orientation', valueOf($event))"><option value="horizontal">Horizontal</option><option value="vertical">Vertical</option></select></label>
                }
                @if (type === 'pie') {
                  <label><input type="checkbox" [checked]="o['donut']" (change)="setOption('donut', checked($event))" /> Donut</label>
                }
              }
            }
          </div>
        </fieldset>
      }
      @if (problem(); as p) { <p class="problem" role="alert">{{ p }}</p> }
    </div>
  `,
  styles: `
    .editor { border-top: 2px solid var(--accent); padding: 12px 0; display: flex; flex-direction: column; gap: 10px; }
    .row { display: flex; gap: 12px; flex-wrap: wrap; align-items: center; }
    label { display: inline-flex; gap: 6px; align-items: center; color: var(--fg-muted); font-size: 13px; }
    label.block { display: flex; flex-direction: column; align-items: stretch; }
    .grow { flex: 1; } .grow input { flex: 1; }
    .spacer { flex: 1; }
    .short { width: 6em; }
    .legend { width: 14em; font-family: var(--font-mono); }
    fieldset { border: 1px solid var(--border); border-radius: 6px; padding: 8px 12px; display: flex; flex-direction: column; gap: 8px; }
    legend { color: var(--fg-muted); font-size: 13px; padding: 0 4px; }
    .target { display: flex; flex-direction: column; gap: 4px; }
    .target-head { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
    .thresholds { display: flex; gap: 10px; flex-wrap: wrap; align-items: center; }
    .threshold { display: inline-flex; gap: 4px; align-items: center; }
    .label { color: var(--fg-muted); font-size: 13px; }
    textarea { font-family: var(--font-mono); }
    .problem { color: var(--danger); margin: 0; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class PanelEditor {
  readonly panel = input.required<Panel>();
  readonly panelChange = output<Panel>();
  readonly apply = output<void>();
  readonly discard = output<void>();
  /** Set by the page when the panel's query failed, so the problem shows next to the editor. */
  readonly problem = input<string | null>(null);

  protected readonly types = PANEL_TYPES;
  protected readonly reducers = STAT_REDUCERS;
  protected readonly units = UNIT_CATEGORIES;
  protected readonly textContent = computed(() => {
    const p = this.panel();
    return p.type === 'text' ? p.options.content : '';
  });
  protected readonly columnsText = computed(() => {
    const p = this.panel();
    return p.type === 'table' ? p.options.columns.join(', ') : '';
  });

  protected typeLabel(t: PanelType): string {
    return TYPE_LABELS[t];
  }

  protected valueOf(e: Event): string {
    return (e.target as HTMLInputElement).value;
  }

  protected checked(e: Event): boolean {
    return (e.target as HTMLInputElement).checked;
  }

  protected numberOrNull(text: string): number | null {
    const n = Number(text);
    return text.trim() === '' || !Number.isFinite(n) ? null : n;
  }

  protected numberOr(text: string, fallback: number): number {
    return this.numberOrNull(text) ?? fallback;
  }

  /** The type's options as a record, for the template (each control knows its key). */
  protected readonly opts = computed(() => this.panel().options as unknown as Readonly<Record<string, string & number & boolean>>);

  protected patch(change: Partial<Pick<Panel, 'title' | 'description' | 'interval'>>): void {
    this.panelChange.emit({ ...this.panel(), ...change } as Panel);
  }

  protected setInterval(text: string): void {
    const t = text.trim();
    if (t !== '' && !/^(?:\d+(?:ms|[smhdwy]))+$/.test(t)) return;
    this.patch({ interval: t });
  }

  protected setType(type: string): void {
    const t = type as PanelType;
    const p = this.panel();
    const targets = t === 'text' ? p.targets : p.targets.length > 0 ? p.targets : [{ refId: 'A', expr: '', legendFormat: '', instant: false, hide: false }];
    this.panelChange.emit({ ...p, type: t, targets, options: DEFAULT_PANEL_OPTIONS[t] } as Panel);
  }

  protected setOption(key: string, value: unknown): void {
    const p = this.panel();
    this.panelChange.emit({ ...p, options: { ...p.options, [key]: value } } as Panel);
  }

  protected setColumns(text: string): void {
    this.setOption('columns', text.split(',').map((c) => c.trim()).filter((c) => c !== ''));
  }

  protected patchTarget(i: number, change: Partial<PanelTarget>): void {
    const p = this.panel();
    const targets = p.targets.map((t, j) => (j === i ? { ...t, ...change } : t));
    this.panelChange.emit({ ...p, targets } as Panel);
  }

  protected addTarget(): void {
    const p = this.panel();
    const used = new Set(p.targets.map((t) => t.refId));
    let code = 65;
    while (used.has(String.fromCharCode(code))) code++;
    const target: PanelTarget = { refId: String.fromCharCode(code), expr: '', legendFormat: '', instant: false, hide: false };
    this.panelChange.emit({ ...p, targets: [...p.targets, target] } as Panel);
  }

  protected removeTarget(i: number): void {
    const p = this.panel();
    this.panelChange.emit({ ...p, targets: p.targets.filter((_, j) => j !== i) } as Panel);
  }

  protected patchField(change: Partial<FieldConfig>): void {
    const p = this.panel();
    this.panelChange.emit({ ...p, fieldConfig: { ...p.fieldConfig, ...change } } as Panel);
  }

  protected setThreshold(i: number, change: Partial<Threshold>): void {
    const ths = this.panel().fieldConfig.thresholds.map((t, j) => (j === i ? { ...t, ...change } : t));
    // Keep them ascending, as the model requires; the base stays first.
    const [base, ...rest] = ths;
    rest.sort((a, b) => (a.value ?? 0) - (b.value ?? 0));
    this.patchField({ thresholds: base ? [base, ...rest] : [] });
  }

  protected addThreshold(): void {
    const ths = this.panel().fieldConfig.thresholds;
    if (ths.length === 0) {
      this.patchField({ thresholds: [{ value: null, color: '#2ca02c' }, { value: 80, color: '#d62728' }] });
      return;
    }
    const last = ths[ths.length - 1]!.value ?? 0;
    this.patchField({ thresholds: [...ths, { value: last + 10, color: '#e6550d' }] });
  }

  protected removeThreshold(i: number): void {
    const ths = this.panel().fieldConfig.thresholds.filter((_, j) => j !== i);
    // Removing the base makes the next one the base.
    this.patchField({ thresholds: ths.map((t, j) => (j === 0 ? { ...t, value: null } : t)) });
  }
}
