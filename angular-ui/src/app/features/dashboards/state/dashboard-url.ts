import type { DashboardModel, DashboardTime } from '@pharos/dashboard-model';
import { parseDuration } from '../../../shared/time/time-range';

/**
 * A dashboard's view state in the URL, in Grafana's form so links people paste keep working:
 * `from=now-6h&to=now` or `from=<ms>&to=<ms>`, `var-<name>=<value>` (repeated for several
 * values, `$__all` for All), `refresh=30s`, `tz=utc`, `live=1`. What the URL leaves out comes from the
 * saved model.
 */

export interface DashboardView {
  readonly time: DashboardTime;
  readonly timezone: 'local' | 'utc';
  /** "" = off. */
  readonly refresh: string;
  /** Selected values by variable name. */
  readonly selections: ReadonlyMap<string, readonly string[]>;
  /** Push new points over a subscription (relative ranges only). */
  readonly live: boolean;
}

export type QueryParams = Readonly<Record<string, string | readonly string[] | undefined>>;

const RELATIVE_FROM = /^now-((?:\d+(?:ms|[smhdwy]))+)$/;

function first(v: string | readonly string[] | undefined): string | undefined {
  return typeof v === 'string' ? v : v?.[0];
}

function all(v: string | readonly string[] | undefined): string[] {
  return v === undefined ? [] : typeof v === 'string' ? [v] : [...v];
}

function timeFrom(params: QueryParams): DashboardTime | null {
  const from = first(params['from']);
  const to = first(params['to']);
  if (from === undefined) return null;
  const rel = RELATIVE_FROM.exec(from);
  if (rel && (to === undefined || to === 'now')) {
    try {
      parseDuration(rel[1]!);
      return { kind: 'relative', last: rel[1]! };
    } catch {
      return null;
    }
  }
  const fromMs = Number(from);
  const toMs = Number(to);
  if (Number.isFinite(fromMs) && Number.isFinite(toMs) && toMs > fromMs) return { kind: 'absolute', fromMs, toMs };
  return null;
}

/** The view the URL asks for, on top of the model's saved defaults; bad parts are ignored. */
export function viewFromQueryParams(params: QueryParams, model: DashboardModel): DashboardView {
  const selections = new Map<string, readonly string[]>();
  for (const v of model.variables) {
    const fromUrl = all(params[`var-${v.name}`]);
    selections.set(v.name, fromUrl.length > 0 ? (v.multi ? fromUrl : fromUrl.slice(0, 1)) : v.current);
  }
  const refresh = first(params['refresh']);
  let refreshOk = model.refresh;
  if (refresh === '' || refresh === 'off') refreshOk = '';
  else if (refresh !== undefined) {
    try {
      parseDuration(refresh);
      refreshOk = refresh;
    } catch {
      // keep the saved refresh
    }
  }
  const tz = first(params['tz']);
  const live = first(params['live']);
  return {
    live: live === undefined ? model.live : live === '1' || live === 'true',
    time: timeFrom(params) ?? model.time,
    timezone: tz === 'utc' || tz === 'local' ? tz : model.timezone,
    refresh: refreshOk,
    selections,
  };
}

/** Query parameters for a view (what differs from nothing: the URL always states the range). */
export function viewToQueryParams(view: DashboardView): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (view.time.kind === 'relative') {
    out['from'] = `now-${view.time.last}`;
    out['to'] = 'now';
  } else {
    out['from'] = String(view.time.fromMs);
    out['to'] = String(view.time.toMs);
  }
  if (view.refresh !== '') out['refresh'] = view.refresh;
  if (view.timezone === 'utc') out['tz'] = 'utc';
  if (view.live) out['live'] = '1';
  for (const [name, values] of view.selections) out[`var-${name}`] = [...values];
  return out;
}
