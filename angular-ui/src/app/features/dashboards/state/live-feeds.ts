import type { GraphqlWsClient } from '../../../core/graphql-ws-client';
import type { Labels } from '../../../shared/series/legend-format';
import { LiveGrid, livePanelData, type LiveUpdate } from './live-grid';
import type { PanelResult } from './panel-requests';

const LIVE_DOCUMENT = `subscription Live($q: String!, $w: Float!, $s: Float!, $r: Float!) {
  liveRangeQuery(query: $q, windowMs: $w, stepMs: $s, refreshMs: $r) { kind startMs endMs warnings series { labels timestamps values } }
}`;

export interface LivePanel {
  readonly panelId: number;
  readonly stepMs: number;
  /** Interpolated expressions with their legend formats, by refId. */
  readonly targets: ReadonlyArray<{ refId: string; expr: string; legendFormat: string }>;
}

interface WireLiveUpdate extends LiveUpdate {
  readonly warnings: readonly string[];
  readonly series: ReadonlyArray<{ labels: Labels; timestamps: number[]; values: (number | string)[] }>;
}

/**
 * Live mode: one `liveRangeQuery` subscription per target, each feeding a `LiveGrid`; every
 * push re-derives that panel's data. The server pushes only new steps (APPEND) at the refresh
 * interval and skips ticks a slow client has not consumed, so a busy browser is not flooded.
 * Angular-free; the session starts and stops it.
 */
export class LiveFeeds {
  private ends: (() => void)[] = [];

  constructor(
    private readonly client: GraphqlWsClient,
    private readonly publish: (panelId: number, result: PanelResult) => void,
  ) {}

  start(panels: readonly LivePanel[], windowMs: number, refreshMs: number): void {
    this.stop();
    for (const panel of panels) {
      const grids = panel.targets.map((t) => new LiveGrid(t.refId, t.legendFormat, windowMs, panel.stepMs));
      const warnings = new Map<string, readonly string[]>();
      const errors = new Map<string, string>();
      const emit = (): void => {
        this.publish(panel.panelId, {
          data: livePanelData(grids),
          warnings: [...new Set([...warnings.values()].flat())],
          errors: [...errors].map(([refId, m]) => `${refId}: ${m}`),
        });
      };
      panel.targets.forEach((t, i) => {
        const end = this.client.subscribe<{ liveRangeQuery: WireLiveUpdate }>(
          LIVE_DOCUMENT,
          { q: t.expr, w: windowMs, s: panel.stepMs, r: refreshMs },
          {
            next: (data) => {
              const u = data.liveRangeQuery;
              grids[i]!.apply(u);
              warnings.set(t.refId, u.warnings);
              errors.delete(t.refId);
              emit();
            },
            error: (err) => {
              errors.set(t.refId, err.message);
              emit();
            },
          },
        );
        this.ends.push(end);
      });
    }
  }

  stop(): void {
    const ends = this.ends;
    this.ends = [];
    for (const end of ends) end();
  }
}
