import { ChangeDetectionStrategy, Component, computed, effect, inject, signal, untracked } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { GraphqlError } from '../../core/graphql-client';
import { AdminApi } from './api/admin-api';
import type { TenantSettings } from './api/admin-documents';
import { AdminContext } from './state/admin-context';
import { AdminAction } from './admin-action';
import { errorText, formatDuration, formatLimit, limitInfo, limitsForm, settingsFields } from './state/admin-forms';

/**
 * Limits and retention of the picked tenant: the stored overrides in a form over the values
 * that apply now; saving is optimistic (the version read), so two admins cannot overwrite each
 * other unknowingly.
 */
@Component({
  selector: 'ph-admin-limits',
  imports: [FormsModule],
  template: `
    <h2 id="limits-title">Limits and retention of {{ tenant() }}</h2>
    <p class="lead">Empty fields use the configured value (shown greyed). Changes apply at once to ingestion and queries.</p>
    @if (error(); as message) {
      <div class="error" role="alert" data-testid="limits-error">
        {{ message }}
        @if (conflict()) { <button type="button" (click)="reloadAfterConflict()" data-testid="limits-reload">Reload</button> }
      </div>
    }
    @if (settings(); as s) {
      <form (ngSubmit)="save()" novalidate aria-labelledby="limits-title" data-testid="limits-form">
        <div class="grid">
          @for (l of s.effective; track l.name) {
            <div class="field">
              <label [for]="'limit-' + l.name">{{ info(l.name).label }}</label>
              <input [id]="'limit-' + l.name" [name]="l.name" [attr.data-limit]="l.name" [(ngModel)]="fields.limits[l.name]" [placeholder]="shown(l.name, l.value)"
                [attr.aria-invalid]="!!errors()[l.name]" [attr.aria-describedby]="'limit-' + l.name + '-hint'" />
              <span [id]="'limit-' + l.name + '-hint'" [class]="errors()[l.name] ? 'field-error' : 'hint'">{{ errors()[l.name] || hint(l.name, l.value) }}</span>
            </div>
          }
          <div class="field">
            <label for="limit-retention">Retention</label>
            <input id="limit-retention" name="retention" data-testid="limit-retention" [(ngModel)]="fields.retention" [placeholder]="duration(s.effectiveRetentionMs)"
              [attr.aria-invalid]="!!errors()['retention']" aria-describedby="limit-retention-hint" />
            <span id="limit-retention-hint" [class]="errors()['retention'] ? 'field-error' : 'hint'">{{ errors()['retention'] || 'Now ' + duration(s.effectiveRetentionMs) + ' (e.g. 15d, 8w)' }}</span>
          </div>
        </div>
        <div class="buttons">
          <button type="submit" class="primary" data-testid="limits-save" [disabled]="busy()">Save</button>
          <button type="button" class="danger" (click)="confirmReset.set(true)" [disabled]="busy() || s.version === 0" id="limits-reset">Reset to configured</button>
          <span class="muted">Version {{ s.version }}{{ s.updatedAt ? ', saved ' + when(s.updatedAt) : '' }}</span>
        </div>
      </form>
      @if (confirmReset()) {
        <div class="confirm" role="alertdialog" aria-labelledby="reset-q">
          <span id="reset-q">Drop every override of {{ tenant() }} and go back to the configured limits and retention?</span>
          <button type="button" class="danger primary" (click)="reset()" autofocus>Reset</button>
          <button type="button" (click)="cancelReset()">Cancel</button>
        </div>
      }
    } @else if (!error()) {
      <p role="status">Loading…</p>
    }
    <p class="status" role="status" data-testid="limits-status">{{ status() }}</p>
  `,
  styleUrl: './admin-shared.css',
  styles: `
    .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(15em, 1fr)); gap: 12px 16px; }
    .buttons { display: flex; align-items: center; gap: 10px; margin-top: 14px; flex-wrap: wrap; }
    input::placeholder { color: var(--fg-muted); font-style: italic; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class LimitsPage {
  private readonly api = inject(AdminApi);
  private readonly ctx = inject(AdminContext);
  protected readonly tenant = computed(() => this.ctx.tenant() ?? '');
  protected readonly settings = signal<TenantSettings | null>(null);
  private readonly action = new AdminAction();
  protected readonly busy = this.action.busy;
  protected readonly error = this.action.error;
  protected readonly conflict = signal(false);
  protected readonly status = signal('');
  protected readonly errors = signal<Readonly<Record<string, string>>>({});
  protected readonly confirmReset = signal(false);
  protected fields: { limits: Record<string, string>; retention: string } = { limits: {}, retention: '' };

  constructor() {
    effect(() => {
      const t = this.ctx.tenant();
      if (t !== null) untracked(() => void this.load(t));
    });
  }

  protected info = limitInfo;
  protected duration = formatDuration;

  protected shown(name: string, value: number): string {
    return formatLimit(name, value);
  }

  protected hint(name: string, value: number): string {
    const info = limitInfo(name);
    const zero = name === 'ingestion_burst' ? 'one second of the rate' : 'unlimited';
    const now = value === 0 && info.zeroIsUnlimited ? zero : formatLimit(name, value);
    const unit = info.unit === 'duration' ? ' (e.g. 30s, 2m)' : info.unit === 'bytes' ? ' (e.g. 512KiB, 4MiB)' : info.zeroIsUnlimited ? ` (0: ${zero})` : '';
    return `Now ${now}${unit}`;
  }

  protected when(ms: number): string {
    return new Date(ms).toLocaleString();
  }

  protected async save(): Promise<void> {
    const s = this.settings();
    if (s === null) return;
    const parsed = limitsForm(this.fields);
    this.errors.set(parsed.ok ? {} : parsed.errors);
    if (!parsed.ok) {
      this.status.set('Some values need fixing.');
      return;
    }
    await this.run(async () => {
      const saved = await this.api.updateSettings(this.tenant(), { ...parsed.value, version: s.version });
      this.show(saved);
      this.status.set(`Saved: version ${saved.version}, applied now.`);
    });
  }

  protected cancelReset(): void {
    this.confirmReset.set(false);
    document.getElementById('limits-reset')?.focus();
  }

  protected async reset(): Promise<void> {
    this.confirmReset.set(false);
    await this.run(async () => {
      this.show(await this.api.resetSettings(this.tenant()));
      this.status.set('Back to the configured limits and retention.');
    });
    document.getElementById('limit-retention')?.focus();
  }

  protected async reloadAfterConflict(): Promise<void> {
    await this.load(this.tenant());
    this.status.set('Reloaded the saved values; apply your change again.');
  }

  private show(s: TenantSettings): void {
    this.settings.set(s);
    this.fields = settingsFields(s);
    this.errors.set({});
  }

  private async load(tenant: string): Promise<void> {
    this.settings.set(null);
    this.error.set(null);
    this.conflict.set(false);
    this.confirmReset.set(false);
    try {
      this.show(await this.api.settings(tenant));
    } catch (err) {
      this.error.set(errorText(err));
    }
  }

  private run(action: () => Promise<void>): Promise<void> {
    this.conflict.set(false);
    return this.action.run(action, (err) => this.conflict.set(err instanceof GraphqlError && err.code === 'VERSION_CONFLICT'));
  }
}
