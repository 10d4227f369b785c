import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { emptyDashboard, serializeDashboardModel } from '@pharos/dashboard-model';
import { GraphqlError } from '../../core/graphql-client';
import { DashboardApi, type DashboardSummary, type Folder } from './api/dashboard-api';

/** `/dashboards`: search by title, filter by tags and folder; create, import, duplicate, delete. */
@Component({
  selector: 'ph-dashboards-list-page',
  imports: [RouterLink],
  template: `
    <div class="head">
      <h1>Dashboards</h1>
      <div class="actions">
        <button type="button" class="primary" data-testid="new-dashboard" (click)="create()">New dashboard</button>
        <a routerLink="/dashboards/import" class="button" data-testid="import-dashboard">Import</a>
        <button type="button" (click)="newFolder()" data-testid="new-folder">New folder</button>
      </div>
    </div>
    <div class="filters" role="search">
      <label>Search <input type="search" data-testid="dashboard-search" [value]="query()" (input)="query.set(valueOf($event))" placeholder="Title contains…" /></label>
      <label>Folder
        <select data-testid="folder-filter" [value]="folderFilter()" (change)="folderFilter.set(valueOf($event))">
          <option value="*">All folders</option>
          <option value="">General (root)</option>
          @for (f of folders(); track f.uid) { <option [value]="f.uid">{{ f.title }}</option> }
        </select>
      </label>
      @if (tags().length > 0) {
        <div class="tags" role="group" aria-label="Filter by tag">
          @for (t of tags(); track t.tag) {
            <button type="button" class="tag" [attr.aria-pressed]="selectedTags().includes(t.tag)" (click)="toggleTag(t.tag)">{{ t.tag }} ({{ t.count }})</button>
          }
        </div>
      }
    </div>
    @if (error(); as e) { <p class="problem" role="alert">{{ e }}</p> }
    @if (loaded() && visible().length === 0) {
      <p class="empty" data-testid="no-dashboards">No dashboards{{ query() || selectedTags().length ? ' match' : ' yet' }}.</p>
    } @else {
      <table data-testid="dashboard-list">
        <thead><tr><th scope="col">Title</th><th scope="col">Folder</th><th scope="col">Tags</th><th scope="col">Updated</th><th scope="col"><span class="sr">Actions</span></th></tr></thead>
        <tbody>
          @for (d of visible(); track d.uid) {
            <tr>
              <td><a [routerLink]="['/d', d.uid]" data-testid="dashboard-link">{{ d.title }}</a></td>
              <td>{{ folderTitle(d.folderUid) }}</td>
              <td>@for (t of d.tags; track t) { <span class="chip">{{ t }}</span> }</td>
              <td>{{ updated(d) }}</td>
              <td class="row-actions">
                <button type="button" (click)="duplicate(d)" [attr.aria-label]="'Duplicate ' + d.title">Duplicate</button>
                <button type="button" class="danger" (click)="remove(d)" [attr.aria-label]="'Delete ' + d.title">Delete</button>
              </td>
            </tr>
          }
        </tbody>
      </table>
    }
  `,
  styles: `
    .head { display: flex; align-items: center; justify-content: space-between; gap: 12px; flex-wrap: wrap; }
    h1 { font-size: 20px; margin: 4px 0 12px; }
    .actions, .filters { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
    .filters { margin-bottom: 12px; gap: 16px; }
    label { display: inline-flex; gap: 6px; align-items: center; color: var(--fg-muted); font-size: 13px; }
    .tags { display: flex; gap: 4px; flex-wrap: wrap; }
    .tag[aria-pressed='true'] { background: var(--accent-soft); color: var(--accent-strong); }
    table { width: 100%; border-collapse: collapse; }
    th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--border); }
    th { color: var(--fg-muted); font-weight: 600; font-size: 13px; }
    .chip { display: inline-block; padding: 1px 6px; margin-right: 4px; border-radius: 8px; background: var(--accent-soft); font-size: 12px; }
    .row-actions { text-align: right; white-space: nowrap; }
    .row-actions button { margin-left: 4px; }
    .problem { color: var(--danger); }
    .empty { color: var(--fg-muted); }
    .sr { position: absolute; left: -9999px; }
    a.button { padding: 5px 12px; border: 1px solid var(--border); border-radius: 4px; color: var(--fg); text-decoration: none; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class DashboardsListPage {
  private readonly api = inject(DashboardApi);
  private readonly router = inject(Router);

  protected readonly query = signal('');
  protected readonly folderFilter = signal('*');
  protected readonly selectedTags = signal<string[]>([]);
  protected readonly all = signal<DashboardSummary[]>([]);
  protected readonly folders = signal<Folder[]>([]);
  protected readonly tags = signal<{ tag: string; count: number }[]>([]);
  protected readonly loaded = signal(false);
  protected readonly error = signal<string | null>(null);

  /** Filtering is client-side: a tenant's dashboards fit in one answer, and typing stays instant. */
  protected readonly visible = computed(() => {
    const q = this.query().trim().toLowerCase();
    const folder = this.folderFilter();
    const tags = this.selectedTags();
    return this.all().filter(
      (d) =>
        (q === '' || d.title.toLowerCase().includes(q)) &&
        (folder === '*' || (d.folderUid ?? '') === folder) &&
        tags.every((t) => d.tags.includes(t)),
    );
  });

  constructor() {
    void this.reload();
  }

  protected valueOf(e: Event): string {
    return (e.target as HTMLInputElement | HTMLSelectElement).value;
  }

  protected folderTitle(uid: string | null): string {
    if (uid === null) return 'General';
    return this.folders().find((f) => f.uid === uid)?.title ?? uid;
  }

  protected updated(d: DashboardSummary): string {
    return `${new Date(d.updatedAt).toLocaleString()}${d.updatedBy ? ` by ${d.updatedBy}` : ''}`;
  }

  protected toggleTag(tag: string): void {
    this.selectedTags.update((ts) => (ts.includes(tag) ? ts.filter((t) => t !== tag) : [...ts, tag]));
  }

  protected async create(): Promise<void> {
    await this.guard(async () => {
      const d = await this.api.create({ title: 'New dashboard', model: serializeDashboardModel(emptyDashboard()) });
      await this.router.navigate(['/d', d.uid], { queryParams: { edit: '1' } });
    });
  }

  protected async newFolder(): Promise<void> {
    const title = prompt('Folder name');
    if (!title?.trim()) return;
    await this.guard(async () => {
      await this.api.createFolder(title.trim());
      await this.reload();
    });
  }

  protected async duplicate(d: DashboardSummary): Promise<void> {
    await this.guard(async () => {
      const full = await this.api.get(d.uid);
      if (!full) throw new Error(`dashboard ${d.uid} no longer exists`);
      const copy = await this.api.create({ title: `${d.title} (copy)`, model: full.model, tags: d.tags, folderUid: d.folderUid });
      await this.router.navigate(['/d', copy.uid]);
    });
  }

  protected async remove(d: DashboardSummary): Promise<void> {
    if (!confirm(`Delete the dashboard "${d.title}"? This cannot be undone.`)) return;
    await this.guard(async () => {
      await this.api.delete(d.uid);
      await this.reload();
    });
  }

  private async reload(): Promise<void> {
    await this.guard(async () => {
      const [all, folders, tags] = await Promise.all([this.api.search(), this.api.folders(), this.api.tags()]);
      this.all.set(all);
      this.folders.set(folders);
      this.tags.set(tags);
      this.loaded.set(true);
    });
  }

  private async guard(work: () => Promise<void>): Promise<void> {
    this.error.set(null);
    try {
      await work();
    } catch (err) {
      this.error.set(err instanceof GraphqlError && err.code === 'FORBIDDEN' ? 'You do not have permission to do that (editor role needed).' : (err as Error).message);
    }
  }
}
