import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { parseDashboardModel, serializeDashboardModel, type DashboardModel, type Panel, type VariableOption } from '@pharos/dashboard-model';
import { ActiveTenant } from '../../../core/active-tenant';
import { AuthSession } from '../../../core/auth-session';
import { GraphqlError } from '../../../core/graphql-client';
import { GRAPHQL_WS_PROTOCOL, GraphqlWsClient, type SocketLike } from '../../../core/graphql-ws-client';
import { parseDuration, resolveRange } from '../../../shared/time/time-range';
import { DashboardApi, type StoredDashboard } from '../api/dashboard-api';
import type { DashboardView } from './dashboard-url';
import { LiveFeeds, type LivePanel } from './live-feeds';
import { buildPanelBatch, type BatchRequest, type PanelResult } from './panel-requests';
import { VariableResolver } from './variable-resolver';

/**
 * The state of one open dashboard: the stored record, the working copy of its model (edits are
 * local until saved), the view (range, variables, refresh), variable options and the latest
 * panel results. Provided by the dashboard page, so each open dashboard has its own.
 *
 * A refresh is one GraphQL request for all panels. A newer refresh aborts an older one still
 * in flight, so a slow answer never overwrites a newer one.
 */
@Injectable()
export class DashboardSession {
  private readonly api = inject(DashboardApi);
  private readonly variablesResolver = new VariableResolver(this.api);
  private readonly auth = inject(AuthSession);
  private readonly tenant = inject(ActiveTenant);
  private readonly ws = new GraphqlWsClient(
    // The DOM types its handlers with MessageEvent/CloseEvent, of which the client reads only
    // `data`, `code` and `reason`: structurally a SocketLike.
    () => new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`, GRAPHQL_WS_PROTOCOL) as unknown as SocketLike,
    (): Record<string, string> => {
      const params: Record<string, string> = {};
      const token = this.auth.token();
      if (token) params['X-CSRF-Token'] = token;
      const tenant = this.tenant.tenant();
      if (tenant) params['X-Scope-OrgID'] = tenant;
      return params;
    },
  );
  private readonly live = new LiveFeeds(this.ws, (panelId, result) => {
    this.results.update((m) => new Map(m).set(panelId, result));
    this.lastResultAt.set(performance.now());
  });

  readonly stored = signal<StoredDashboard | null>(null);
  readonly model = signal<DashboardModel | null>(null);
  readonly title = signal('');
  readonly tags = signal<readonly string[]>([]);
  /** Folder uid; null for the root ("General"). */
  readonly folderUid = signal<string | null>(null);
  readonly view = signal<DashboardView | null>(null);
  readonly options = signal<ReadonlyMap<string, readonly VariableOption[]>>(new Map());
  readonly results = signal<ReadonlyMap<number, PanelResult>>(new Map());
  readonly loadError = signal<string | null>(null);
  /** Variables whose options could not be loaded ("job: label_values needs a label name"). */
  readonly variableErrors = signal<readonly string[]>([]);
  readonly saveError = signal<string | null>(null);
  readonly refreshError = signal<string | null>(null);
  readonly running = signal(false);
  /** Time of the last completed refresh (performance.now()), for "data arrived" timings. */
  readonly lastResultAt = signal(0);

  /** Unsaved changes to the model, title, tags or folder. */
  readonly dirty = computed(() => {
    const s = this.stored();
    const m = this.model();
    if (!s || !m) return false;
    return serializeDashboardModel(m) !== this.savedModelText || this.title() !== s.title || this.tags().join('\u0000') !== s.tags.join('\u0000') || this.folderUid() !== s.folderUid;
  });

  private savedModelText = '';
  private readonly widths = new Map<number, number>();
  private inFlight: AbortController | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private scheduled = false;

  constructor() {
    inject(DestroyRef).onDestroy(() => {
      this.live.stop();
      this.ws.close();
      this.inFlight?.abort();
      if (this.timer) clearTimeout(this.timer);
    });
  }

  async load(uid: string): Promise<DashboardModel | null> {
    this.loadError.set(null);
    try {
      const d = await this.api.get(uid);
      if (!d) {
        this.loadError.set(`There is no dashboard "${uid}" in this tenant.`);
        return null;
      }
      const model = parseDashboardModel(d.model);
      this.savedModelText = serializeDashboardModel(model);
      this.stored.set(d);
      this.title.set(d.title);
      this.tags.set(d.tags);
      this.folderUid.set(d.folderUid);
      this.model.set(model);
      return model;
    } catch (err) {
      this.loadError.set(`Cannot open this dashboard: ${(err as Error).message}`);
      return null;
    }
  }

  /** Replaces the working model (edits, layout); re-queries. */
  setModel(model: DashboardModel): void {
    this.model.set(model);
    this.scheduleRefresh({ variables: false });
  }

  updatePanel(panel: Panel): void {
    const m = this.model();
    if (!m) return;
    this.setModel({ ...m, panels: m.panels.map((p) => (p.id === panel.id ? panel : p)) });
  }

  /** A new view (range, selections, refresh); `variables` re-evaluates variable options first. */
  setView(view: DashboardView, opts: { variables: boolean }): void {
    this.view.set(view);
    this.scheduleRefresh(opts);
  }

  /** Panels report their plot width; the step follows it (one point per pixel). */
  reportWidth(panelId: number, widthPx: number): void {
    const before = this.widths.get(panelId);
    this.widths.set(panelId, widthPx);
    // A width change by more than a fifth changes the step enough to be worth a re-query.
    if (before === undefined || Math.abs(before - widthPx) > before / 5) this.scheduleRefresh({ variables: false });
  }

  async save(): Promise<boolean> {
    const s = this.stored();
    const m = this.model();
    if (!s || !m) return false;
    this.saveError.set(null);
    const view = this.view();
    // The saved variable values and range are what the viewer had on screen, as Grafana's
    // "save current variable values" does.
    const toSave: DashboardModel = view
      ? {
          ...m,
          time: view.time,
          timezone: view.timezone,
          refresh: view.refresh,
          variables: m.variables.map((v) => ({ ...v, current: view.selections.get(v.name) ?? v.current })),
        }
      : m;
    try {
      const text = serializeDashboardModel(toSave);
      const saved = await this.api.update(s.uid, s.version, { title: this.title(), tags: this.tags(), folderUid: this.folderUid(), model: text });
      this.savedModelText = text;
      this.model.set(toSave);
      this.stored.set(saved);
      return true;
    } catch (err) {
      if (err instanceof GraphqlError && err.code === 'VERSION_CONFLICT') {
        this.saveError.set('Someone else saved this dashboard since you opened it. Reload to see their version (your changes will be lost), or export yours as JSON first.');
      } else if (err instanceof GraphqlError && err.code === 'FORBIDDEN') {
        this.saveError.set('You cannot save dashboards in this tenant (the editor role is needed).');
      } else {
        this.saveError.set(`Not saved: ${(err as Error).message}`);
      }
      return false;
    }
  }

  /** Runs a refresh now (the refresh button, the auto-refresh timer). */
  refreshNow(): void {
    this.scheduleRefresh({ variables: true });
  }

  /**
   * Variable options must be (re-)evaluated before the next panel query. Cleared only when an
   * evaluation completes, so a refresh that aborts one (a panel reporting its width) still
   * evaluates them.
   */
  private variablesStale = false;

  /**
   * Coalesces the changes of one user action, or of one rendering step, into one refresh. It
   * waits for the next frame and then a task: every panel reports its width from its own
   * ResizeObserver callback, with microtasks run between callbacks, so a microtask would query
   * once per panel (12 queries for a 12-panel dashboard on open) instead of once.
   */
  private scheduleRefresh(opts: { variables: boolean }): void {
    this.variablesStale ||= opts.variables;
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() =>
      setTimeout(() => {
        this.scheduled = false;
        void this.refresh();
      }, 0),
    );
  }

  private allLive(): boolean {
    return (this.model()?.panels ?? []).every((p) => p.type === 'text' || p.targets.every((t) => !t.instant));
  }

  private async refresh(): Promise<void> {
    const model = this.model();
    let view = this.view();
    if (!model || !view) return;
    this.inFlight?.abort();
    const ctl = new AbortController();
    this.inFlight = ctl;
    this.running.set(true);
    this.refreshError.set(null);
    const range = resolveRange(view.time, Date.now());
    try {
      if (this.variablesStale && model.variables.length > 0) {
        const { options, selections, errors } = await this.variablesResolver.resolve(model.variables, view.selections, range, ctl.signal);
        if (ctl.signal.aborted) return;
        this.variablesStale = false;
        this.options.set(options);
        this.variableErrors.set([...errors].map(([name, message]) => `$${name}: ${message}`));
        view = { ...view, selections };
        this.view.set(view);
      }
      const interpolate = this.variablesResolver.interpolator(model.variables, view.selections, this.options(), range);
      const inputs = model.panels.map((panel) => ({ panel, widthPx: this.widths.get(panel.id) ?? 800 }));
      const all = buildPanelBatch(inputs, range, interpolate);
      const live = view.live && view.time.kind === 'relative' ? this.livePanels(all) : [];
      const liveIds = new Set(live.map((p) => p.panelId));
      const batch = liveIds.size === 0 ? all : buildPanelBatch(inputs.filter((i) => !liveIds.has(i.panel.id)), range, interpolate);
      const results = await this.api.runPanels(batch, ctl.signal);
      if (ctl.signal.aborted) return;
      // Live panels keep what their subscriptions last pushed until the new ones push.
      const previous = this.results();
      for (const id of liveIds) if (previous.has(id)) results.set(id, previous.get(id)!);
      this.results.set(results);
      this.lastResultAt.set(performance.now());
      if (live.length > 0) this.live.start(live, range.endMs - range.startMs, this.refreshMs(view.refresh));
      else this.live.stop();
    } catch (err) {
      if ((err as Error).name === 'AbortError') return;
      this.refreshError.set((err as Error).message);
    } finally {
      if (this.inFlight === ctl) {
        this.inFlight = null;
        this.running.set(false);
        this.armTimer();
      }
    }
  }

  /** Panels whose targets are all range queries: those can be live. */
  private livePanels(batch: BatchRequest): LivePanel[] {
    const out: LivePanel[] = [];
    for (const [panelId, plan] of batch.plans) {
      const targets = batch.targets.filter((t) => t.panelId === panelId);
      if (targets.length === 0 || targets.some((t) => t.instant)) continue;
      out.push({ panelId, stepMs: plan.stepMs, targets: targets.map((t) => ({ refId: t.refId, expr: plan.exprs.get(t.refId)!, legendFormat: t.legendFormat })) });
    }
    return out;
  }

  private refreshMs(every: string): number {
    try {
      return every === '' ? 5000 : Math.max(1000, parseDuration(every));
    } catch {
      return 5000;
    }
  }

  private armTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const view = this.view();
    const every = view?.refresh ?? '';
    // Live panels are pushed by the server; the timer only re-polls the others.
    if (every === '' || (view?.live && view.time.kind === 'relative' && this.allLive())) return;
    let ms: number;
    try {
      ms = Math.max(1000, parseDuration(every));
    } catch {
      return;
    }
    // Skip refreshes while the tab is hidden: nobody looks, and the server is spared.
    this.timer = setTimeout(() => (document.hidden ? this.armTimer() : this.refreshNow()), ms);
  }
}
