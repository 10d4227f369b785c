import { ChangeDetectionStrategy, Component, type ElementRef, computed, effect, inject, signal, viewChild } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { AdminApi } from './api/admin-api';
import type { Tenant } from './api/admin-documents';
import { AdminContext } from './state/admin-context';
import { AdminAction } from './admin-action';
import { renameForm, tenantForm } from './state/admin-forms';

/** Tenants, for server admins: create, rename, disable and enable. */
@Component({
  selector: 'ph-admin-tenants',
  imports: [FormsModule],
  template: `
    <h2 id="tenants-title">Tenants</h2>
    @if (!serverAdmin()) {
      <p class="notice" role="alert">Managing tenants needs a server admin.</p>
    } @else {
      <form class="inline" (ngSubmit)="create()" novalidate aria-label="Create a tenant" data-testid="tenant-form">
        <div class="field">
          <label for="tenant-id">Id</label>
          <input #idField id="tenant-id" name="id" data-testid="tenant-id" autocomplete="off" [(ngModel)]="form.id" [attr.aria-invalid]="!!errors()['id']" aria-describedby="tenant-id-error" />
          <span id="tenant-id-error" class="field-error">{{ errors()['id'] || '' }}</span>
        </div>
        <div class="field">
          <label for="tenant-name">Name <span class="hint">(optional)</span></label>
          <input id="tenant-name" name="name" data-testid="tenant-name" autocomplete="off" [(ngModel)]="form.name" />
          <span class="field-error">{{ errors()['name'] }}</span>
        </div>
        <button type="submit" class="primary" data-testid="tenant-submit" [disabled]="busy()">Create tenant</button>
      </form>
      <p class="status" role="status" data-testid="tenants-status">{{ status() }}</p>
      @if (error(); as message) { <p class="error" role="alert" data-testid="tenants-error">{{ message }}</p> }
      <div class="table-wrap">
        <table aria-labelledby="tenants-title" data-testid="tenants-table">
          <thead><tr><th scope="col">Id</th><th scope="col">Name</th><th scope="col">State</th><th scope="col">Created</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            @for (t of ctx.tenants(); track t.id) {
              <tr [attr.data-tenant]="t.id">
                <td class="mono">{{ t.id }}</td>
                <td>
                  @if (renaming() === t.id) {
                    <label class="visually-hidden" [for]="'rename-' + t.id">New name of {{ t.id }}</label>
                    <input #renameField [id]="'rename-' + t.id" [(ngModel)]="newName" [name]="'rename-' + t.id" (keydown.escape)="cancelRename(t)" (keydown.enter)="rename(t)" />
                    <span class="field-error">{{ errors()['rename'] }}</span>
                  } @else {
                    {{ t.name }}
                  }
                </td>
                <td>@if (t.disabled) { <span class="badge off">disabled</span> } @else { enabled }</td>
                <td>{{ date(t.createdAt) }}</td>
                <td class="actions">
                  @if (renaming() === t.id) {
                    <button type="button" class="primary" (click)="rename(t)" [disabled]="busy()">Save</button>
                    <button type="button" (click)="cancelRename(t)">Cancel</button>
                  } @else {
                    <button type="button" [id]="'rename-btn-' + t.id" (click)="startRename(t)" [disabled]="busy()">Rename</button>
                    @if (t.disabled) {
                      <button type="button" (click)="setDisabled(t, false)" [disabled]="busy()">Enable</button>
                    } @else {
                      <button type="button" class="danger" [id]="'disable-' + t.id" (click)="confirming.set(t)" [disabled]="busy()">Disable</button>
                    }
                  }
                </td>
              </tr>
            }
          </tbody>
        </table>
      </div>
      @if (confirming(); as t) {
        <div class="confirm" role="alertdialog" aria-labelledby="disable-q">
          <span id="disable-q">Disable <strong>{{ t.id }}</strong>? Its API keys and its members' access stop at once; its data stays.</span>
          <button #confirmButton type="button" class="danger primary" (click)="setDisabled(t, true)">Disable</button>
          <button type="button" (click)="cancelDisable(t)">Cancel</button>
        </div>
      }
    }
  `,
  styleUrl: './admin-shared.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class TenantsPage {
  private readonly api = inject(AdminApi);
  protected readonly ctx = inject(AdminContext);
  protected readonly serverAdmin = computed(() => this.ctx.me()?.serverAdmin === true);
  private readonly action = new AdminAction();
  protected readonly busy = this.action.busy;
  protected readonly error = this.action.error;
  protected readonly status = signal('');
  protected readonly errors = signal<Readonly<Record<string, string>>>({});
  protected readonly renaming = signal<string | null>(null);
  protected readonly confirming = signal<Tenant | null>(null);
  protected form = { id: '', name: '' };
  protected newName = '';
  private readonly idField = viewChild<ElementRef<HTMLInputElement>>('idField');
  private readonly renameField = viewChild<ElementRef<HTMLInputElement>>('renameField');
  private readonly confirmButton = viewChild<ElementRef<HTMLButtonElement>>('confirmButton');

  constructor() {
    effect(() => this.renameField()?.nativeElement.focus());
    effect(() => this.confirmButton()?.nativeElement.focus());
  }

  protected async create(): Promise<void> {
    const parsed = tenantForm(this.form);
    this.errors.set(parsed.ok ? {} : parsed.errors);
    if (!parsed.ok) return;
    await this.run(async () => {
      const created = await this.api.createTenant(parsed.value);
      this.form = { id: '', name: '' };
      await this.ctx.reloadTenants();
      this.status.set(`Tenant ${created.id} created. Invite its first admin under Members.`);
    });
    this.idField()?.nativeElement.focus();
  }

  protected startRename(t: Tenant): void {
    this.newName = t.name;
    this.errors.set({});
    this.renaming.set(t.id);
  }

  protected cancelRename(t: Tenant): void {
    this.renaming.set(null);
    setTimeout(() => document.getElementById(`rename-btn-${t.id}`)?.focus());
  }

  protected async rename(t: Tenant): Promise<void> {
    const parsed = renameForm(this.newName);
    if (!parsed.ok) {
      this.errors.set({ rename: parsed.errors['name'] ?? '' });
      return;
    }
    await this.run(async () => {
      await this.api.updateTenant(t.id, { name: parsed.value });
      this.renaming.set(null);
      await this.ctx.reloadTenants();
      this.status.set(`Tenant ${t.id} renamed to ${parsed.value}.`);
    });
    setTimeout(() => document.getElementById(`rename-btn-${t.id}`)?.focus());
  }

  protected cancelDisable(t: Tenant): void {
    this.confirming.set(null);
    document.getElementById(`disable-${t.id}`)?.focus();
  }

  protected async setDisabled(t: Tenant, disabled: boolean): Promise<void> {
    this.confirming.set(null);
    await this.run(async () => {
      await this.api.updateTenant(t.id, { disabled });
      await this.ctx.reloadTenants();
      this.status.set(`Tenant ${t.id} ${disabled ? 'disabled' : 'enabled'}.`);
    });
    setTimeout(() => document.getElementById(`rename-btn-${t.id}`)?.focus());
  }

  protected date(ms: number): string {
    return new Date(ms).toLocaleDateString();
  }

  private run(action: () => Promise<void>): Promise<void> {
    return this.action.run(action);
  }
}
