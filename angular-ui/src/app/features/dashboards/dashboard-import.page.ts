import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { convertGrafanaDashboard, parseDashboardModel, serializeDashboardModel, type DashboardModel } from '@pharos/dashboard-model';
import { GraphqlError } from '../../core/graphql-client';
import { DashboardApi, type Folder } from './api/dashboard-api';

interface Candidate {
  readonly source: 'pharos' | 'grafana';
  readonly title: string;
  readonly tags: readonly string[];
  readonly uid: string | null;
  readonly model: DashboardModel;
  readonly warnings: readonly { path: string; message: string }[];
}

/**
 * Reads what was pasted or uploaded: a Pharos export (`{title, uid, tags, model}`) or a Grafana
 * dashboard JSON (bare, or as Grafana's API and "Export" give it). Exported for its tests.
 */
export function readImport(text: string): Candidate {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`This is not JSON: ${(err as Error).message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new Error('Expected a JSON object (a dashboard).');
  const o = json as Record<string, unknown>;
  if (o['model'] !== undefined && typeof o['title'] === 'string') {
    return {
      source: 'pharos',
      title: o['title'],
      tags: Array.isArray(o['tags']) ? o['tags'].filter((t): t is string => typeof t === 'string') : [],
      uid: typeof o['uid'] === 'string' ? o['uid'] : null,
      model: parseDashboardModel(o['model']),
      warnings: [],
    };
  }
  const g = convertGrafanaDashboard(json);
  return { source: 'grafana', ...g };
}

/** `/dashboards/import`: paste or upload a Pharos or Grafana dashboard, review, import. */
@Component({
  selector: 'ph-dashboard-import-page',
  imports: [RouterLink],
  template: `
    <nav aria-label="Breadcrumb" class="crumbs"><a routerLink="/dashboards">Dashboards</a> ›</nav>
    <h1>Import a dashboard</h1>
    <p class="hint">Paste a Pharos export or a Grafana dashboard JSON (from Grafana's "Export" or its API). Grafana panels, variables and settings that Pharos cannot show are listed before you import.</p>
    <div class="row">
      <label>Upload a file <input type="file" accept=".json,application/json" (change)="onFile($event)" data-testid="import-file" /></label>
    </div>
    <label class="block">JSON
      <textarea rows="14" data-testid="import-json" [value]="text()" (input)="onText(valueOf($event))" spellcheck="false"></textarea>
    </label>
    @if (problem(); as p) { <p class="problem" role="alert" data-testid="import-problem">{{ p }}</p> }
    @if (candidate(); as c) {
      <section class="review" aria-label="What will be imported" data-testid="import-review">
        <p>{{ c.source === 'grafana' ? 'Grafana dashboard' : 'Pharos dashboard' }} with {{ c.model.panels.length }} panels and {{ c.model.variables.length }} variables.</p>
        <div class="row">
          <label class="grow">Title <input data-testid="import-title" [value]="title()" (input)="title.set(valueOf($event))" /></label>
          <label>Folder
            <select (change)="folderUid.set(valueOf($event) || null)">
              <option value="">General</option>
              @for (f of folders(); track f.uid) { <option [value]="f.uid">{{ f.title }}</option> }
            </select>
          </label>
          @if (c.uid) {
            <label><input type="checkbox" [checked]="keepUid()" (change)="keepUid.set(checked($event))" /> Keep uid "{{ c.uid }}"</label>
          }
        </div>
        @if (c.warnings.length > 0) {
          <h2>Not converted ({{ c.warnings.length }})</h2>
          <ul class="warnings" data-testid="import-warnings">
            @for (w of c.warnings; track $index) { <li><code>{{ w.path }}</code>: {{ w.message }}</li> }
          </ul>
        } @else {
          <p data-testid="import-clean">Everything converts.</p>
        }
        <button type="button" class="primary" (click)="importIt()" [disabled]="busy()" data-testid="import-submit">Import</button>
      </section>
    }
  `,
  styles: `
    h1 { font-size: 20px; margin: 4px 0 8px; }
    h2 { font-size: 15px; }
    .crumbs a { color: var(--fg-muted); }
    .hint { color: var(--fg-muted); max-width: 60em; }
    .row { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; margin: 8px 0; }
    label { display: inline-flex; gap: 6px; align-items: center; color: var(--fg-muted); font-size: 13px; }
    label.block { display: flex; flex-direction: column; align-items: stretch; }
    .grow { flex: 1; } .grow input { flex: 1; }
    textarea { font-family: var(--font-mono); font-size: 12px; }
    .problem { color: var(--danger); }
    .review { border: 1px solid var(--border); border-radius: 6px; padding: 12px; margin-top: 12px; }
    .warnings { max-height: 240px; overflow: auto; font-size: 13px; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class DashboardImportPage {
  private readonly api = inject(DashboardApi);
  private readonly router = inject(Router);

  protected readonly text = signal('');
  protected readonly title = signal('');
  protected readonly folderUid = signal<string | null>(null);
  protected readonly keepUid = signal(true);
  protected readonly folders = signal<Folder[]>([]);
  protected readonly busy = signal(false);
  protected readonly submitError = signal<string | null>(null);
  private readonly parsed = computed<{ candidate: Candidate | null; error: string | null }>(() => {
    const t = this.text().trim();
    if (t === '') return { candidate: null, error: null };
    try {
      return { candidate: readImport(t), error: null };
    } catch (err) {
      return { candidate: null, error: (err as Error).message };
    }
  });
  protected readonly candidate = computed(() => this.parsed().candidate);
  protected readonly problem = computed(() => this.parsed().error ?? this.submitError());

  constructor() {
    void this.api.folders().then((f) => this.folders.set(f), () => undefined);
  }

  protected valueOf(e: Event): string {
    return (e.target as HTMLInputElement).value;
  }

  protected checked(e: Event): boolean {
    return (e.target as HTMLInputElement).checked;
  }

  protected onText(text: string): void {
    this.submitError.set(null);
    this.text.set(text);
    this.title.set(this.candidate()?.title ?? '');
  }

  protected async onFile(e: Event): Promise<void> {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) this.onText(await file.text());
  }

  protected async importIt(): Promise<void> {
    const c = this.candidate();
    if (!c) return;
    this.busy.set(true);
    this.submitError.set(null);
    try {
      const created = await this.api.create({
        title: this.title().trim() || c.title || 'Imported dashboard',
        tags: c.tags,
        model: serializeDashboardModel(c.model),
        folderUid: this.folderUid(),
        ...(c.uid && this.keepUid() ? { uid: c.uid } : {}),
      });
      await this.router.navigate(['/d', created.uid]);
    } catch (err) {
      this.submitError.set(
        err instanceof GraphqlError && err.code === 'ALREADY_EXISTS'
          ? `A dashboard with uid "${c.uid}" already exists; untick "Keep uid" to import a copy.`
          : `Not imported: ${(err as Error).message}`,
      );
    } finally {
      this.busy.set(false);
    }
  }
}
