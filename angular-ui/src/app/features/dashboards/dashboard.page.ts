import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import { newPanel, serializeDashboardModel, PANEL_TYPES, type DashboardModel, type Panel, type PanelType } from '@pharos/dashboard-model';
import { ActiveTenant } from '../../core/active-tenant';
import { AuthSession, canEditIn } from '../../core/auth-session';
import { TimeRangePicker, type RangeSelection } from '../../shared/components/time-range-picker';
import { DashboardGrid } from './components/dashboard-grid';
import { DashboardSettings, type SettingsChange } from './components/dashboard-settings';
import { DashboardApi, type Folder } from './api/dashboard-api';
import { PanelEditor } from './components/panel-editor';
import { PanelFrame } from './components/panel-frame';
import { VariablesBar, type VariableChoice } from './components/variables-bar';
import { viewFromQueryParams, viewToQueryParams, type DashboardView, type QueryParams } from './state/dashboard-url';
import { DashboardSession } from './state/dashboard-session';

const REFRESH_CHOICES = ['', '5s', '10s', '30s', '1m', '5m', '15m', '1h'] as const;

/**
 * `/d/:uid`: a dashboard. View mode shows the panels with the variables bar, range and refresh;
 * edit mode (editors and admins) adds moving and resizing, adding panels, the panel editor with
 * live preview, settings (title, tags, variables) and saving. The view (range, variables,
 * refresh) lives in the URL, so a link shows what the sender saw.
 *
 * For the console benchmark and the e2e tests, `[data-testid=dashboard]` carries `data-panels`
 * (panels with queries) and `data-painted` (those whose current data has been painted).
 */
@Component({
  selector: 'ph-dashboard-page',
  imports: [RouterLink, TimeRangePicker, DashboardGrid, PanelFrame, PanelEditor, VariablesBar, DashboardSettings],
  providers: [DashboardSession],
  templateUrl: './dashboard.page.html',
  styleUrl: './dashboard.page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class DashboardPage {
  protected readonly session = inject(DashboardSession);
  private readonly route = inject(ActivatedRoute);
  private readonly router = inject(Router);
  private readonly auth = inject(AuthSession);

  protected readonly panelTypes = PANEL_TYPES;
  protected readonly refreshChoices = REFRESH_CHOICES;
  protected readonly editing = signal(false);
  protected readonly editingPanelId = signal<number | null>(null);
  protected readonly showSettings = signal(false);
  protected readonly addOpen = signal(false);
  /** Folders for the settings' folder choice, loaded when settings open. */
  protected readonly folders = signal<readonly Folder[]>([]);
  private readonly api = inject(DashboardApi);
  private panelSnapshot: Panel | null = null;
  /** Panels whose latest results have been painted. */
  private readonly paintedIds = signal<ReadonlySet<number>>(new Set());

  /** Viewers see dashboards; editors and admins change them (the server enforces it too). */
  private readonly activeTenant = inject(ActiveTenant);
  protected readonly canEdit = computed(() => canEditIn(this.auth.state(), this.activeTenant.tenant()));

  protected readonly panels = computed(() => this.session.model()?.panels ?? []);
  protected readonly editingPanel = computed(() => {
    const id = this.editingPanelId();
    return id === null ? null : (this.panels().find((p) => p.id === id) ?? null);
  });
  protected readonly queriedPanels = computed(() => this.panels().filter((p) => p.type !== 'text').length);
  protected readonly paintedCount = computed(() => {
    const painted = this.paintedIds();
    return this.panels().filter((p) => p.type !== 'text' && painted.has(p.id)).length;
  });
  protected readonly rangeSelection = computed<RangeSelection | null>(() => {
    const v = this.session.view();
    return v ? { range: v.time, zone: v.timezone, stepMs: null } : null;
  });

  constructor() {
    const sub = this.route.paramMap.subscribe((pm) => void this.open(pm.get('uid') ?? ''));
    inject(DestroyRef).onDestroy(() => sub.unsubscribe());
  }

  private async open(uid: string): Promise<void> {
    const model = await this.session.load(uid);
    if (!model) return;
    const params = this.route.snapshot.queryParams as QueryParams;
    this.editing.set(params['edit'] === '1' && this.canEdit());
    this.session.setView(viewFromQueryParams(params, model), { variables: true });
    this.resetPainted();
  }

  private setView(view: DashboardView, variables: boolean): void {
    this.session.setView(view, { variables });
    this.resetPainted();
    const params: Record<string, string | string[] | null> = { ...viewToQueryParams(view) };
    if (this.editing()) params['edit'] = '1';
    void this.router.navigate([], { relativeTo: this.route, queryParams: params, replaceUrl: true });
  }

  protected onRange(sel: RangeSelection): void {
    const v = this.session.view();
    if (v) this.setView({ ...v, time: sel.range, timezone: sel.zone }, true);
  }

  protected onZoom(r: { fromMs: number; toMs: number }): void {
    const v = this.session.view();
    if (v) this.setView({ ...v, time: { kind: 'absolute', fromMs: r.fromMs, toMs: r.toMs } }, false);
  }

  protected onLive(on: boolean): void {
    const v = this.session.view();
    if (v) this.setView({ ...v, live: on }, false);
  }

  protected onRefreshEvery(every: string): void {
    const v = this.session.view();
    if (v) this.setView({ ...v, refresh: every }, false);
  }

  protected onChoice(choice: VariableChoice): void {
    const v = this.session.view();
    if (!v) return;
    const selections = new Map(v.selections);
    selections.set(choice.name, choice.values);
    // Later variables may depend on this one, so options are re-evaluated.
    this.setView({ ...v, selections }, true);
  }

  protected refresh(): void {
    this.resetPainted();
    this.session.refreshNow();
  }

  protected valueOf(e: Event): string {
    return (e.target as HTMLInputElement).value;
  }

  protected checkedOf(e: Event): boolean {
    return (e.target as HTMLInputElement).checked;
  }

  // Painted accounting (benchmark and e2e).

  private resetPainted(): void {
    this.paintedIds.set(new Set());
  }

  protected onPainted(panelId: number): void {
    this.paintedIds.update((s) => new Set(s).add(panelId));
  }

  // Editing.

  protected toggleSettings(): void {
    const open = !this.showSettings();
    this.showSettings.set(open);
    if (open) void this.api.folders().then((f) => this.folders.set(f), () => this.folders.set([]));
  }

  protected toggleEdit(): void {
    const on = !this.editing();
    this.editing.set(on);
    if (!on) {
      this.editingPanelId.set(null);
      this.showSettings.set(false);
    }
  }

  protected onLayout(panels: Panel[]): void {
    const m = this.session.model();
    if (m) this.session.setModel({ ...m, panels });
  }

  protected addPanel(type: PanelType): void {
    const m = this.session.model();
    if (!m) return;
    const panel = newPanel(m, type);
    this.session.setModel({ ...m, panels: [...m.panels, panel] });
    this.addOpen.set(false);
    this.openEditor(panel);
  }

  protected openEditor(panel: Panel): void {
    this.editing.set(true);
    this.panelSnapshot = panel;
    this.editingPanelId.set(panel.id);
  }

  protected onPanelEdited(panel: Panel): void {
    this.session.updatePanel(panel);
  }

  protected applyPanel(): void {
    this.panelSnapshot = null;
    this.editingPanelId.set(null);
  }

  protected discardPanel(): void {
    if (this.panelSnapshot) this.session.updatePanel(this.panelSnapshot);
    this.applyPanel();
  }

  protected duplicatePanel(panel: Panel): void {
    const m = this.session.model();
    if (!m) return;
    const copy = { ...newPanel(m, panel.type), ...panel, id: newPanel(m, panel.type).id };
    const below = { ...copy, gridPos: { ...panel.gridPos, y: panel.gridPos.y + panel.gridPos.h } } as Panel;
    this.session.setModel({ ...m, panels: [...m.panels, below] });
  }

  protected removePanel(panel: Panel): void {
    const m = this.session.model();
    if (!m || !confirm(`Remove the panel "${panel.title || 'Untitled'}"?`)) return;
    if (this.editingPanelId() === panel.id) this.applyPanel();
    this.session.setModel({ ...m, panels: m.panels.filter((p) => p.id !== panel.id) });
  }

  protected onSettings(change: SettingsChange): void {
    this.session.title.set(change.title);
    this.session.tags.set(change.tags);
    this.session.folderUid.set(change.folderUid);
    const v = this.session.view();
    this.session.setModel(change.model);
    if (v) {
      // New or renamed variables: start from their saved values.
      const selections = new Map(change.model.variables.map((x) => [x.name, v.selections.get(x.name) ?? x.current] as const));
      this.setView({ ...v, selections }, true);
    }
  }

  protected async save(): Promise<void> {
    await this.session.save();
  }

  protected exportJson(): void {
    const s = this.session.stored();
    const m = this.session.model();
    if (!s || !m) return;
    const doc = { title: this.session.title(), uid: s.uid, tags: this.session.tags(), model: JSON.parse(serializeDashboardModel(m)) as unknown };
    const blob = new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${s.uid}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }
}
