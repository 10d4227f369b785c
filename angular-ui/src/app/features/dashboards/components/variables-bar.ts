import { ChangeDetectionStrategy, Component, input, output } from '@angular/core';
import { ALL_VALUE, type DashboardVariable, type VariableOption } from '@pharos/dashboard-model';

export interface VariableChoice {
  readonly name: string;
  readonly values: readonly string[];
}

/**
 * One control per dashboard variable: a select for single values, a list of checkboxes in a
 * disclosure for multi-value ones (keyboard and screen-reader friendly, unlike a custom
 * dropdown). "All" is offered when the variable includes it.
 */
@Component({
  selector: 'ph-variables-bar',
  template: `
    <div class="bar" role="group" aria-label="Dashboard variables">
      @for (v of variables(); track v.name) {
        <div class="var" [attr.data-testid]="'var-' + v.name">
          @if (!v.multi) {
            <label>{{ v.label || v.name }}
              <!-- [selected] per option, not [value] on the select: options arrive after the selection. -->
              <select (change)="pick(v, [valueOf($event)])" [attr.data-testid]="'var-select-' + v.name">
                @if (v.includeAll) { <option [value]="all" [selected]="isAll(v)">All</option> }
                @for (o of optionsOf(v); track o.value) { <option [value]="o.value" [selected]="selected(v)[0] === o.value">{{ o.text }}</option> }
              </select>
            </label>
          } @else {
            <details>
              <summary [attr.data-testid]="'var-summary-' + v.name">{{ v.label || v.name }}: {{ summary(v) }}</summary>
              <div class="choices" role="group" [attr.aria-label]="(v.label || v.name) + ' values'">
                @if (v.includeAll) {
                  <label><input type="checkbox" [checked]="isAll(v)" (change)="pick(v, [all])" /> All</label>
                }
                @for (o of optionsOf(v); track o.value) {
                  <label><input type="checkbox" [checked]="selected(v).includes(o.value)" (change)="toggle(v, o.value)" [attr.data-testid]="'var-option-' + v.name + '-' + o.value" /> {{ o.text }}</label>
                }
              </div>
            </details>
          }
        </div>
      }
    </div>
  `,
  styles: `
    .bar { display: flex; gap: 16px; flex-wrap: wrap; align-items: flex-start; margin-bottom: 8px; }
    label { display: inline-flex; gap: 6px; align-items: center; color: var(--fg-muted); font-size: 13px; }
    details { position: relative; }
    summary { cursor: pointer; padding: 4px 8px; border: 1px solid var(--border); border-radius: 4px; font-size: 13px; }
    .choices { position: absolute; z-index: 20; display: flex; flex-direction: column; gap: 4px; background: var(--bg-raised); border: 1px solid var(--border); border-radius: 4px; padding: 8px; max-height: 300px; overflow: auto; min-width: 160px; }
    .choices label { color: var(--fg); }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class VariablesBar {
  readonly variables = input.required<readonly DashboardVariable[]>();
  readonly options = input.required<ReadonlyMap<string, readonly VariableOption[]>>();
  readonly selections = input.required<ReadonlyMap<string, readonly string[]>>();
  readonly choiceChange = output<VariableChoice>();

  protected readonly all = ALL_VALUE;

  protected valueOf(e: Event): string {
    return (e.target as HTMLSelectElement).value;
  }

  protected optionsOf(v: DashboardVariable): readonly VariableOption[] {
    return this.options().get(v.name) ?? [];
  }

  protected selected(v: DashboardVariable): readonly string[] {
    return this.selections().get(v.name) ?? [];
  }

  protected isAll(v: DashboardVariable): boolean {
    return this.selected(v).includes(ALL_VALUE);
  }

  protected summary(v: DashboardVariable): string {
    const s = this.selected(v);
    if (s.includes(ALL_VALUE)) return 'All';
    if (s.length === 0) return 'none';
    return s.length <= 2 ? s.join(', ') : `${s[0]} + ${s.length - 1}`;
  }

  protected pick(v: DashboardVariable, values: string[]): void {
    this.choiceChange.emit({ name: v.name, values });
  }

  protected toggle(v: DashboardVariable, option: string): void {
    const cur = this.selected(v).filter((x) => x !== ALL_VALUE);
    const next = cur.includes(option) ? cur.filter((x) => x !== option) : [...cur, option];
    this.choiceChange.emit({ name: v.name, values: next.length === 0 && v.includeAll ? [ALL_VALUE] : next });
  }
}
