import { ChangeDetectionStrategy, Component, input, output, signal } from '@angular/core';
import { DashboardModelError, parseDashboardModel, type DashboardModel, type DashboardVariable } from '@pharos/dashboard-model';

export interface SettingsChange {
  readonly title: string;
  readonly tags: readonly string[];
  readonly folderUid: string | null;
  readonly model: DashboardModel;
}

/**
 * Dashboard settings: title, tags, folder and the variables (query, custom list, interval). Each edit
 * is validated with the model's own parser before it is applied, so a bad regex or a duplicate
 * name shows up here, named, instead of breaking the dashboard.
 */
@Component({
  selector: 'ph-dashboard-settings',
  template: `
    <section class="settings" aria-label="Dashboard settings" data-testid="dashboard-settings">
      <div class="row">
        <label class="grow">Title <input data-testid="settings-title" [value]="title()" (change)="emit({ title: valueOf($event) })" /></label>
        <label class="grow">Tags <input data-testid="settings-tags" placeholder="comma separated" [value]="tags().join(', ')" (change)="emit({ tags: splitList(valueOf($event)) })" /></label>
        <label>Folder
          <select data-testid="settings-folder" (change)="emit({ folderUid: valueOf($event) || null })">
            <option value="" [selected]="folderUid() === null">General</option>
            @for (f of folders(); track f.uid) { <option [value]="f.uid" [selected]="f.uid === folderUid()">{{ f.title }}</option> }
          </select>
        </label>
        <button type="button" (click)="close.emit()">Close settings</button>
      </div>
      <h2>Variables</h2>
      @for (v of model().variables; track $index; let i = $index) {
        <fieldset [attr.data-testid]="'variable-' + i">
          <legend>{{ '$' + v.name }}</legend>
          <div class="row">
            <label>Name <input class="mid" [value]="v.name" (change)="patchVar(i, { name: valueOf($event) })" [attr.data-testid]="'variable-name-' + i" /></label>
            <label>Label <input class="mid" [value]="v.label" (change)="patchVar(i, { label: valueOf($event) })" /></label>
            <label>Kind
              <select [value]="v.kind" (change)="setKind(i, valueOf($event))" [attr.data-testid]="'variable-kind-' + i">
                <option value="query">Query</option><option value="custom">Custom</option><option value="interval">Interval</option>
              </select>
            </label>
            <label><input type="checkbox" [checked]="v.multi" (change)="patchVar(i, { multi: checked($event) })" /> Multi-value</label>
            <label><input type="checkbox" [checked]="v.includeAll" (change)="patchVar(i, { includeAll: checked($event) })" /> Include All</label>
            <button type="button" (click)="removeVar(i)" [attr.aria-label]="'Remove variable ' + v.name">Remove</button>
          </div>
          @switch (v.kind) {
            @case ('query') {
              <div class="row">
                <label class="grow">Query <input class="mono" placeholder="label_values(up, job)" [value]="v.query" (change)="patchVar(i, { query: valueOf($event) })" [attr.data-testid]="'variable-query-' + i" /></label>
                <label>Regex <input class="mid mono" [value]="v.regex" (change)="patchVar(i, { regex: valueOf($event) })" /></label>
                <label>Sort
                  <select [value]="v.sort" (change)="patchVar(i, { sort: valueOf($event) })">
                    <option value="none">None</option><option value="alpha-asc">A→Z</option><option value="alpha-desc">Z→A</option><option value="numeric-asc">0→9</option><option value="numeric-desc">9→0</option>
                  </select>
                </label>
                <label>Refresh
                  <select [value]="v.refresh" (change)="patchVar(i, { refresh: valueOf($event) })"><option value="load">On load</option><option value="time-range">On time range change</option></select>
                </label>
              </div>
            }
            @case ('custom') {
              <label class="block">Values <input class="mono" placeholder="a, b, c" [value]="v.options.join(', ')" (change)="patchVar(i, { options: splitList(valueOf($event)) })" [attr.data-testid]="'variable-options-' + i" /></label>
            }
            @case ('interval') {
              <div class="row">
                <label class="grow">Intervals <input class="mono" placeholder="1m, 5m, 1h" [value]="v.options.join(', ')" (change)="patchVar(i, { options: splitList(valueOf($event)) })" /></label>
                <label><input type="checkbox" [checked]="v.auto" (change)="patchVar(i, { auto: checked($event) })" /> Auto</label>
              </div>
            }
          }
        </fieldset>
      }
      <button type="button" (click)="addVar()" data-testid="add-variable">Add variable</button>
      @if (problem(); as p) { <p class="problem" role="alert" data-testid="settings-problem">{{ p }}</p> }
    </section>
  `,
  styles: `
    .settings { border: 1px solid var(--border); border-radius: 6px; padding: 12px; margin-bottom: 12px; display: flex; flex-direction: column; gap: 8px; background: var(--bg-raised); }
    h2 { font-size: 15px; margin: 8px 0 0; }
    .row { display: flex; gap: 12px; flex-wrap: wrap; align-items: center; }
    label { display: inline-flex; gap: 6px; align-items: center; color: var(--fg-muted); font-size: 13px; }
    label.block { display: flex; } label.block input { flex: 1; }
    .grow { flex: 1; } .grow input { flex: 1; }
    .mid { width: 10em; }
    .mono { font-family: var(--font-mono); }
    fieldset { border: 1px solid var(--border); border-radius: 6px; padding: 8px; display: flex; flex-direction: column; gap: 6px; }
    legend { font-family: var(--font-mono); font-size: 13px; }
    .problem { color: var(--danger); margin: 0; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class DashboardSettings {
  readonly title = input.required<string>();
  readonly tags = input.required<readonly string[]>();
  readonly folderUid = input.required<string | null>();
  readonly folders = input.required<readonly { uid: string; title: string }[]>();
  readonly model = input.required<DashboardModel>();
  readonly settingsChange = output<SettingsChange>();
  readonly close = output<void>();

  protected readonly problem = signal<string | null>(null);

  protected valueOf(e: Event): string {
    return (e.target as HTMLInputElement).value;
  }

  protected checked(e: Event): boolean {
    return (e.target as HTMLInputElement).checked;
  }

  protected splitList(text: string): string[] {
    return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  }

  protected emit(change: Partial<SettingsChange>): void {
    const title = (change.title ?? this.title()).trim();
    if (title === '') {
      this.problem.set('The title cannot be empty.');
      return;
    }
    const candidate = change.model ?? this.model();
    try {
      // Round trip through the parser: the same gate the server applies on save.
      const model = parseDashboardModel(JSON.parse(JSON.stringify(candidate)));
      this.problem.set(null);
      this.settingsChange.emit({ title, tags: change.tags ?? this.tags(), folderUid: change.folderUid !== undefined ? change.folderUid : this.folderUid(), model });
    } catch (err) {
      this.problem.set(err instanceof DashboardModelError ? `${err.message.replace(/^\$\./, '')}` : (err as Error).message);
    }
  }

  private withVariables(variables: DashboardVariable[]): void {
    this.emit({ model: { ...this.model(), variables } });
  }

  protected patchVar(i: number, change: Record<string, unknown>): void {
    const vars = this.model().variables.map((v, j) => {
      if (j !== i) return v;
      const next = { ...v, ...change } as DashboardVariable;
      // Turning multi-value off keeps the first selection only.
      return next.multi ? next : { ...next, current: next.current.slice(0, 1) };
    });
    this.withVariables(vars);
  }

  protected setKind(i: number, kind: string): void {
    const v = this.model().variables[i]!;
    const base = { name: v.name, label: v.label, multi: v.multi, includeAll: v.includeAll, allValue: v.allValue, current: [] as string[] };
    const next: DashboardVariable =
      kind === 'custom'
        ? { ...base, kind: 'custom', options: [] }
        : kind === 'interval'
          ? { ...base, kind: 'interval', options: ['1m', '5m', '15m', '1h'], auto: false, autoCount: 30, autoMin: '10s', multi: false, includeAll: false }
          : { ...base, kind: 'query', query: 'label_values(up, job)', regex: '', sort: 'alpha-asc', refresh: 'load' };
    this.withVariables(this.model().variables.map((x, j) => (j === i ? next : x)));
  }

  protected addVar(): void {
    const taken = new Set(this.model().variables.map((v) => v.name));
    let n = 1;
    while (taken.has(`var${n}`)) n++;
    const v: DashboardVariable = { kind: 'custom', name: `var${n}`, label: '', multi: false, includeAll: false, allValue: null, current: [], options: [] };
    this.withVariables([...this.model().variables, v]);
  }

  protected removeVar(i: number): void {
    this.withVariables(this.model().variables.filter((_, j) => j !== i));
  }
}
