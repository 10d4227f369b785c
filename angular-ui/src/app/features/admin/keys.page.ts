import { ChangeDetectionStrategy, Component, type ElementRef, computed, effect, inject, signal, untracked, viewChild } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { AdminApi } from './api/admin-api';
import type { ApiKey } from './api/admin-documents';
import { SecretOnce } from './components/secret-once';
import { AdminContext } from './state/admin-context';
import { AdminAction } from './admin-action';
import { errorText, grantableRoles, keyForm, relativeTime } from './state/admin-forms';

/** API keys of the picked tenant: create (secret shown once), list with expiry and last use, revoke. */
@Component({
  selector: 'ph-admin-keys',
  imports: [FormsModule, SecretOnce],
  template: `
    <h2 id="keys-title">API keys of {{ tenant() }}</h2>
    <p class="lead">Keys let programs (Prometheus remote_write, OpenTelemetry collectors, Grafana) write or read this tenant's data. A viewer key only reads.</p>
    <form class="inline" (ngSubmit)="create()" novalidate aria-label="Create an API key" data-testid="key-form">
      <div class="field">
        <label for="key-name">Name</label>
        <input #name id="key-name" name="name" data-testid="key-name" autocomplete="off" [(ngModel)]="form.name" [attr.aria-invalid]="!!errors()['name']" aria-describedby="key-name-error" />
        <span id="key-name-error" class="field-error">{{ errors()['name'] }}</span>
      </div>
      <div class="field">
        <label for="key-role">Role</label>
        <select id="key-role" name="role" data-testid="key-role" [(ngModel)]="form.role">
          @for (r of roles(); track r) { <option [value]="r">{{ r }}</option> }
        </select>
        <span class="field-error">{{ errors()['role'] }}</span>
      </div>
      <div class="field">
        <label for="key-expires">Expires <span class="hint">(end of that day)</span></label>
        <input id="key-expires" name="expires" type="date" data-testid="key-expires" [min]="today" [(ngModel)]="form.expires" [attr.aria-invalid]="!!errors()['expires']" aria-describedby="key-expires-error" />
        <span id="key-expires-error" [class]="errors()['expires'] ? 'field-error' : 'hint'">{{ errors()['expires'] || 'Empty: no expiry, where allowed.' }}</span>
      </div>
      @if (otherTenants().length > 0) {
        <fieldset>
          <legend>Also for tenants</legend>
          @for (t of otherTenants(); track t.id) {
            <label><input type="checkbox" [checked]="form.extra.has(t.id)" (change)="toggleExtra(t.id, $any($event.target).checked)" /> {{ t.id }}</label>
          }
        </fieldset>
      }
      <button type="submit" class="primary" data-testid="key-submit" [disabled]="busy()">Create key</button>
    </form>
    @if (secret(); as s) {
      <ph-secret-once [title]="'API key ' + s.name" [value]="s.secret" warning="only its hash is stored, so it cannot be shown again. Put it where the client reads it (e.g. Prometheus' authorization credentials)." (dismissed)="closeSecret()" />
    }
    <p class="status" role="status" data-testid="keys-status">{{ status() }}</p>
    @if (error(); as message) { <p class="error" role="alert" data-testid="keys-error">{{ message }}</p> }

    <div class="table-wrap">
      <table aria-labelledby="keys-title" data-testid="keys-table">
        <thead>
          <tr><th scope="col">Name</th><th scope="col">Key</th><th scope="col">Role</th><th scope="col">Tenants</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col">State</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr>
        </thead>
        <tbody>
          @for (k of keys(); track k.id) {
            <tr [class.muted]="k.revokedAt !== null" [attr.data-key]="k.name">
              <td>{{ k.name }}</td>
              <td class="mono">phk_{{ k.prefix }}_…</td>
              <td>{{ k.role }}</td>
              <td>{{ k.tenants.join(', ') }}</td>
              <td><time [attr.datetime]="iso(k.createdAt)">{{ date(k.createdAt) }}</time></td>
              <td>{{ k.expiresAt === null ? 'never' : date(k.expiresAt) + ' (' + rel(k.expiresAt) + ')' }}</td>
              <td>{{ rel(k.lastUsedAt) }}</td>
              <td>{{ state(k) }}</td>
              <td class="actions">
                @if (k.revokedAt === null) {
                  <button type="button" class="danger" [id]="'revoke-' + k.id" (click)="confirming.set(k)" [disabled]="busy()">Revoke</button>
                }
              </td>
            </tr>
          } @empty {
            <tr><td colspan="9" class="muted">{{ loading() ? 'Loading…' : 'No API keys.' }}</td></tr>
          }
        </tbody>
      </table>
    </div>
    @if (confirming(); as k) {
      <div class="confirm" role="alertdialog" aria-labelledby="revoke-q" data-testid="revoke-confirm">
        <span id="revoke-q">Revoke <strong>{{ k.name }}</strong>? Clients using it are refused from now on; this cannot be undone.</span>
        <button #confirmButton type="button" class="danger primary" data-testid="revoke-yes" (click)="revoke(k)">Revoke</button>
        <button type="button" (click)="cancelRevoke(k)">Cancel</button>
      </div>
    }
  `,
  styleUrl: './admin-shared.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class KeysPage {
  private readonly api = inject(AdminApi);
  private readonly ctx = inject(AdminContext);
  protected readonly tenant = computed(() => this.ctx.tenant() ?? '');
  protected readonly roles = computed(() => {
    const me = this.ctx.me();
    return me === null ? [] : grantableRoles(me, this.tenant());
  });
  protected readonly otherTenants = computed(() => this.ctx.administrable().filter((t) => t.id !== this.tenant()));
  protected readonly keys = signal<ApiKey[]>([]);
  protected readonly loading = signal(false);
  private readonly action = new AdminAction();
  protected readonly busy = this.action.busy;
  protected readonly error = this.action.error;
  protected readonly status = signal('');
  protected readonly errors = signal<Readonly<Record<string, string>>>({});
  protected readonly secret = signal<{ name: string; secret: string } | null>(null);
  protected readonly confirming = signal<ApiKey | null>(null);
  protected readonly today = isoDay(new Date());
  protected form = { name: '', role: 'editor', expires: '', extra: new Set<string>() };
  private readonly nameField = viewChild<ElementRef<HTMLInputElement>>('name');
  private readonly confirmButton = viewChild<ElementRef<HTMLButtonElement>>('confirmButton');

  constructor() {
    effect(() => {
      const t = this.ctx.tenant();
      if (t !== null) untracked(() => void this.load(t));
    });
    effect(() => this.confirmButton()?.nativeElement.focus());
  }

  protected toggleExtra(id: string, on: boolean): void {
    if (on) this.form.extra.add(id);
    else this.form.extra.delete(id);
  }

  protected async create(): Promise<void> {
    const parsed = keyForm({ name: this.form.name, role: this.form.role, expires: this.form.expires, extraTenants: [...this.form.extra] }, Date.now());
    this.errors.set(parsed.ok ? {} : parsed.errors);
    if (!parsed.ok) return;
    const { name, role, expiresAt, extraTenants } = parsed.value;
    await this.run(async () => {
      const created = await this.api.createKey(this.tenant(), { name, role, expiresAt, tenants: [this.tenant(), ...extraTenants] });
      this.form = { name: '', role: this.form.role, expires: '', extra: new Set() };
      this.status.set(`Key ${created.apiKey.name} created.`);
      this.secret.set({ name: created.apiKey.name, secret: created.secret });
      this.keys.set(await this.api.apiKeys(this.tenant()));
    });
  }

  protected closeSecret(): void {
    this.secret.set(null);
    this.nameField()?.nativeElement.focus();
  }

  protected cancelRevoke(k: ApiKey): void {
    this.confirming.set(null);
    document.getElementById(`revoke-${k.id}`)?.focus();
  }

  protected async revoke(k: ApiKey): Promise<void> {
    this.confirming.set(null);
    await this.run(async () => {
      await this.api.revokeKey(this.tenant(), k.id);
      this.status.set(`Key ${k.name} revoked.`);
      this.keys.set(await this.api.apiKeys(this.tenant()));
    });
    this.nameField()?.nativeElement.focus();
  }

  protected state(k: ApiKey): string {
    if (k.revokedAt !== null) return 'revoked';
    if (k.expiresAt !== null && k.expiresAt <= Date.now()) return 'expired';
    return 'active';
  }

  protected date(ms: number): string {
    return new Date(ms).toLocaleDateString();
  }

  protected iso(ms: number): string {
    return new Date(ms).toISOString();
  }

  protected rel(ms: number | null): string {
    return relativeTime(ms, Date.now());
  }

  private async load(tenant: string): Promise<void> {
    this.loading.set(true);
    this.keys.set([]);
    this.error.set(null);
    this.confirming.set(null);
    this.secret.set(null);
    this.form.extra = new Set();
    try {
      this.keys.set(await this.api.apiKeys(tenant));
    } catch (err) {
      this.error.set(errorText(err));
    } finally {
      this.loading.set(false);
    }
  }

  private run(action: () => Promise<void>): Promise<void> {
    return this.action.run(action);
  }
}

function isoDay(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
