import { ChangeDetectionStrategy, Component, DestroyRef, ElementRef, afterNextRender, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { ActivatedRoute, Router } from '@angular/router';
import { PrometheusApiError } from '../../core/prometheus-http';
import { MetricQueries, type InstantResult } from '../../shared/api/metric-queries';
import { PromqlEditor } from '../../shared/components/promql-editor';
import { QueryInspector, type Inspection } from './components/query-inspector';
import { TableView } from '../../shared/components/table-view';
import { TimeRangePicker, type RangeSelection } from '../../shared/components/time-range-picker';
import { matrixToPanelData, type MatrixSeries } from '../../shared/series/matrix-grid';
import type { PanelData } from '../dashboards/panels/panel-data';
import { ExploreGraph } from './components/explore-graph';
import { DEFAULT_STATE, fromQueryParams, toQueryParams, type ExploreState } from './state/explore-state';
import { autoStepMs, resolveRange } from '../../shared/time/time-range';

/** Width assumed for the automatic step before the graph has measured itself. */
const DEFAULT_GRAPH_WIDTH = 1000;

/**
 * Explore: write a PromQL expression, run it over a time range, see it as a graph or a table.
 * The view's state lives in the URL (so a link reproduces it) and in this page, never in a
 * global singleton.
 */
@Component({
  selector: 'ph-explore-page',
  imports: [PromqlEditor, TimeRangePicker, ExploreGraph, TableView, QueryInspector],
  templateUrl: './explore.page.html',
  styleUrl: './explore.page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ExplorePage {
  private readonly route = inject(ActivatedRoute);
  private readonly router = inject(Router);
  private readonly queries = inject(MetricQueries);
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);

  protected readonly state = signal<ExploreState>(DEFAULT_STATE);
  /** The editor's text, which becomes `state.expr` when the query runs. */
  protected readonly draft = signal('');
  protected readonly loading = signal(false);
  protected readonly error = signal<{ title: string; message: string } | null>(null);
  protected readonly urlProblems = signal<readonly string[]>([]);
  protected readonly chart = signal<PanelData | null>(null);
  protected readonly table = signal<InstantResult | null>(null);
  protected readonly inspection = signal<Inspection | null>(null);
  protected readonly graphWidth = signal(DEFAULT_GRAPH_WIDTH);

  protected readonly selection = computed<RangeSelection>(() => {
    const s = this.state();
    return { range: s.range, zone: s.zone, stepMs: s.stepMs };
  });
  protected readonly autoStep = computed(() => {
    const { startMs, endMs } = resolveRange(this.state().range, Date.now());
    return autoStepMs(endMs - startMs, this.graphMeasured ? this.graphWidth() : DEFAULT_GRAPH_WIDTH);
  });

  private controller: AbortController | undefined;
  private lastKey = '';
  private rendered = false;
  private pending: ExploreState | null = null;

  constructor() {
    // The first query waits for the page to be laid out, so its automatic step already fits
    // the width the graph will have and the graph does not have to ask again.
    afterNextRender(() => {
      this.rendered = true;
      const first = this.pending;
      this.pending = null;
      if (first) void this.execute(first);
    });
    this.route.queryParamMap.pipe(takeUntilDestroyed(inject(DestroyRef))).subscribe((map) => {
      const params: Record<string, string> = {};
      for (const k of map.keys) params[k] = map.get(k)!;
      const { state, problems } = fromQueryParams(params);
      this.urlProblems.set(problems);
      const key = JSON.stringify(toQueryParams(state));
      if (key === this.lastKey) return;
      // Navigation from outside (a pasted link, back/forward): show and run that view.
      this.lastKey = key;
      this.state.set(state);
      this.draft.set(state.expr);
      if (state.expr.trim() === '') return;
      if (this.rendered) void this.execute(state);
      else this.pending = state;
    });
  }

  /** Runs the editor's expression with the current settings and records the view in the URL. */
  protected run(expr: string = this.draft()): void {
    this.draft.set(expr);
    this.apply({ ...this.state(), expr });
  }

  protected setView(view: 'graph' | 'table'): void {
    this.apply({ ...this.state(), view, expr: this.draft() });
  }

  protected setSelection(sel: RangeSelection): void {
    this.apply({ ...this.state(), ...sel, expr: this.draft() });
  }

  protected setLegend(legend: string): void {
    this.state.update((s) => ({ ...s, legend }));
    this.writeUrl(this.state());
    // The legend is presentation only: re-label the last answer instead of querying again.
    const last = this.lastMatrix;
    if (last) this.chart.set(matrixToPanelData(last.matrix, legend, last.startMs, last.endMs, last.stepMs));
  }

  /** The value of the input or select an event came from. */
  protected valueOf(event: Event): string {
    return (event.target as HTMLInputElement | HTMLSelectElement).value;
  }

  protected onGraphWidth(width: number): void {
    this.graphWidth.set(width);
    this.graphMeasured = true;
    const s = this.state();
    // Query again only if the width changes the automatic step the last answer was made with.
    if (s.stepMs !== null || s.view !== 'graph' || s.expr.trim() === '' || this.lastAutoStepMs === null) return;
    const { startMs, endMs } = resolveRange(s.range, Date.now());
    if (autoStepMs(endMs - startMs, width) !== this.lastAutoStepMs) void this.execute(s);
  }

  /** Until the graph has measured itself, the page's own width stands in for it. */
  private widthForStep(): number {
    if (this.graphMeasured) return this.graphWidth();
    const w = this.host.nativeElement.clientWidth;
    return w > 0 ? w : DEFAULT_GRAPH_WIDTH;
  }

  private graphMeasured = false;
  private lastAutoStepMs: number | null = null;

  protected onPainted(at: number): void {
    performance.mark('pharos:graph-painted');
    const since = this.dataAt;
    this.inspection.update((i) => (i ? { ...i, paintMs: at - since } : i));
  }

  /** When the last answer was parsed: the start of "render to paint" in the inspector. */
  private dataAt = 0;

  private lastMatrix: { matrix: readonly MatrixSeries[]; startMs: number; endMs: number; stepMs: number } | null = null;

  private apply(next: ExploreState): void {
    this.state.set(next);
    this.writeUrl(next);
    if (next.expr.trim() === '') {
      this.error.set({ title: 'Nothing to run', message: 'Enter a PromQL expression first.' });
      return;
    }
    void this.execute(next);
  }

  private writeUrl(state: ExploreState): void {
    const params = toQueryParams(state);
    this.lastKey = JSON.stringify(params);
    void this.router.navigate([], { relativeTo: this.route, queryParams: params });
  }

  private async execute(state: ExploreState): Promise<void> {
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    this.loading.set(true);
    performance.mark('pharos:query-start');
    const { startMs, endMs } = resolveRange(state.range, Date.now());
    try {
      if (state.view === 'graph') {
        const auto = autoStepMs(endMs - startMs, this.widthForStep());
        this.lastAutoStepMs = state.stepMs === null ? auto : null;
        const step = state.stepMs ?? auto;
        const answer = await this.queries.range(state.expr, startMs, endMs, step, controller.signal);
        if (controller.signal.aborted) return;
        this.dataAt = performance.now();
        const matrix = answer.data.result;
        let samples = 0;
        for (const s of matrix) samples += s.values?.length ?? 0;
        // query_range evaluates at start + k·step; the grid starts there too.
        this.lastMatrix = { matrix, startMs, endMs, stepMs: step };
        this.table.set(null);
        this.chart.set(matrixToPanelData(matrix, state.legend, startMs, endMs, step));
        this.inspection.set({ request: answer.request, seriesCount: matrix.length, sampleCount: samples });
      } else {
        const answer = await this.queries.instant(state.expr, endMs, controller.signal);
        if (controller.signal.aborted) return;
        const r = answer.data;
        const seriesCount = r.resultType === 'vector' || r.resultType === 'matrix' ? r.result.length : 1;
        let samples = seriesCount;
        if (r.resultType === 'matrix') samples = r.result.reduce((n, s) => n + (s.values?.length ?? 0), 0);
        this.lastMatrix = null;
        this.chart.set(null);
        this.table.set(r);
        this.inspection.set({ request: answer.request, seriesCount, sampleCount: samples });
      }
      this.error.set(null);
    } catch (err) {
      if (controller.signal.aborted) return;
      this.chart.set(null);
      this.table.set(null);
      this.inspection.set(null);
      if (err instanceof PrometheusApiError) this.error.set({ title: `${err.errorType} (HTTP ${err.status})`, message: err.message });
      else this.error.set({ title: 'Query failed', message: (err as Error).message });
    } finally {
      if (this.controller === controller) this.loading.set(false);
    }
  }
}
