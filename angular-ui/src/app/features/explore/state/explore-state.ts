import { formatDuration, isRelativeRange, parseDuration, type TimeRange, type TimeZone } from '../../../shared/time/time-range';

/** Everything that defines what the Explore page shows; it lives in the URL. */
export interface ExploreState {
  readonly expr: string;
  readonly view: 'graph' | 'table';
  readonly range: TimeRange;
  readonly zone: TimeZone;
  /** Range-query resolution in ms; `null` derives it from the graph's width. */
  readonly stepMs: number | null;
  readonly legend: string;
}

export const DEFAULT_STATE: ExploreState = {
  expr: '',
  view: 'graph',
  range: { kind: 'relative', last: '1h' },
  zone: 'local',
  stepMs: null,
  legend: '',
};

/** URL query parameters, by name, as the router hands them over. */
export type QueryParams = Readonly<Record<string, string | undefined>>;

/** The query parameters of a state; defaults are left out so links stay short. */
export function toQueryParams(state: ExploreState): Record<string, string | null> {
  const r = state.range;
  return {
    expr: state.expr === '' ? null : state.expr,
    tab: state.view === DEFAULT_STATE.view ? null : state.view,
    range: r.kind === 'relative' && r.last !== '1h' ? r.last : null,
    from: r.kind === 'absolute' ? new Date(r.fromMs).toISOString() : null,
    to: r.kind === 'absolute' ? new Date(r.toMs).toISOString() : null,
    tz: state.zone === 'utc' ? 'utc' : null,
    step: state.stepMs === null ? null : formatDuration(state.stepMs),
    legend: state.legend === '' ? null : state.legend,
  };
}

export interface ParsedState {
  readonly state: ExploreState;
  /** Parameters that could not be read, each with the reason; their defaults apply. */
  readonly problems: readonly string[];
}

/**
 * Reads a state from URL parameters. A hand-edited or stale link must not break the page, so
 * each unreadable parameter falls back to its default and is reported rather than thrown.
 */
export function fromQueryParams(params: QueryParams): ParsedState {
  const problems: string[] = [];
  let range: TimeRange = DEFAULT_STATE.range;
  const from = params['from'];
  const to = params['to'];
  if (from !== undefined || to !== undefined) {
    const fromMs = Date.parse(from ?? '');
    const toMs = Date.parse(to ?? '');
    if (Number.isNaN(fromMs) || Number.isNaN(toMs)) problems.push(`from/to must both be ISO 8601 instants, got from=${from ?? '(none)'} to=${to ?? '(none)'}`);
    else if (fromMs >= toMs) problems.push(`from (${from}) must be before to (${to})`);
    else range = { kind: 'absolute', fromMs, toMs };
  } else if (params['range'] !== undefined) {
    const last = params['range'];
    if (isRelativeRange(last)) range = { kind: 'relative', last };
    else problems.push(`range "${last}" is not one of 5m, 15m, 1h, 6h, 24h, 7d`);
  }

  let stepMs: number | null = null;
  if (params['step'] !== undefined) {
    try {
      stepMs = parseDuration(params['step']);
    } catch (err) {
      problems.push(`step: ${(err as Error).message}`);
    }
  }

  const tab = params['tab'];
  if (tab !== undefined && tab !== 'graph' && tab !== 'table') problems.push(`tab "${tab}" is not graph or table`);
  const tz = params['tz'];
  if (tz !== undefined && tz !== 'utc' && tz !== 'local') problems.push(`tz "${tz}" is not utc or local`);

  return {
    state: {
      expr: params['expr'] ?? '',
      view: tab === 'table' ? 'table' : 'graph',
      range,
      zone: tz === 'utc' ? 'utc' : 'local',
      stepMs,
      legend: params['legend'] ?? '',
    },
    problems,
  };
}
