import type { PrometheusClient } from '@prometheus-io/codemirror-promql';
import { EqlRegex, EqlSingle, Neq, NeqRegex } from '@prometheus-io/lezer-promql';
import type { MetricCatalog } from './metric-catalog';

/** The subset of codemirror-promql's `Matcher` the client reads. */
interface EditorMatcher {
  readonly type: number;
  readonly name: string;
  readonly value: string;
}

/** Autocomplete looks back this far for names and values, as Prometheus' UI does (12 h). */
const LOOKBACK_MS = 12 * 3_600_000;
/** The metric-name list and metadata are asked for on most keystrokes; they change slowly. */
const LIST_TTL_MS = 30_000;

function operator(type: number): string {
  switch (type) {
    case EqlSingle:
      return '=';
    case Neq:
      return '!=';
    case EqlRegex:
      return '=~';
    case NeqRegex:
      return '!~';
    default:
      throw new Error(`unknown label matcher type ${type}`);
  }
}

/** A selector such as `{__name__="up",job="api"}`; `skip` leaves out the label being completed. */
export function selectorOf(metricName: string | undefined, matchers: readonly EditorMatcher[] = [], skip?: string): string | undefined {
  const parts: string[] = [];
  if (metricName) parts.push(`__name__=${JSON.stringify(metricName)}`);
  for (const m of matchers) {
    if (m.name === skip || m.value === '') continue;
    parts.push(`${m.name}${operator(m.type)}${JSON.stringify(m.value)}`);
  }
  return parts.length === 0 ? undefined : `{${parts.join(',')}}`;
}

/**
 * Feeds the PromQL editor's autocomplete from `MetricCatalog` instead of letting
 * codemirror-promql call the HTTP API itself, so completion follows wherever the catalog
 * gets its data (today the Prometheus API, later the GraphQL gateway).
 */
export class CatalogCompletionClient implements PrometheusClient {
  private names: { at: number; list: Promise<string[]> } | undefined;
  private help: { at: number; map: Promise<Record<string, { type: string; help: string }[]>> } | undefined;

  constructor(
    private readonly catalog: MetricCatalog,
    private readonly now: () => number = Date.now,
  ) {}

  private since(): number {
    return this.now() - LOOKBACK_MS;
  }

  labelNames(metricName?: string): Promise<string[]> {
    const sel = selectorOf(metricName);
    return this.catalog.labelNames(sel ? [sel] : [], this.since());
  }

  labelValues(labelName: string, metricName?: string, matchers?: EditorMatcher[]): Promise<string[]> {
    const sel = selectorOf(metricName, matchers, labelName);
    return this.catalog.labelValues(labelName, sel ? [sel] : [], this.since());
  }

  metricMetadata(): Promise<Record<string, { type: string; help: string }[]>> {
    if (!this.help || this.now() - this.help.at > LIST_TTL_MS) {
      const map = this.catalog.metadata();
      // A failed lookup is not kept: the next keystroke asks again.
      map.catch(() => (this.help = undefined));
      this.help = { at: this.now(), map };
    }
    return this.help.map;
  }

  async series(metricName: string, matchers?: EditorMatcher[], labelName?: string): Promise<Map<string, string>[]> {
    const sel = selectorOf(metricName, matchers, labelName);
    if (!sel) return [];
    const list = await this.catalog.series([sel], this.since());
    return list.map((labels) => new Map(Object.entries(labels)));
  }

  metricNames(): Promise<string[]> {
    if (!this.names || this.now() - this.names.at > LIST_TTL_MS) {
      const list = this.catalog.labelValues('__name__', [], this.since());
      list.catch(() => (this.names = undefined));
      this.names = { at: this.now(), list };
    }
    return this.names.list;
  }

  async flags(): Promise<Record<string, string>> {
    // Pharos has no Prometheus command-line flags to report; the editor only reads them to
    // tune lookback, for which it falls back to its defaults.
    return {};
  }
}
