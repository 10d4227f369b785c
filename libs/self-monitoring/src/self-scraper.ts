import { MetricBatchBuilder, STALE_NAN, type Labels, type MetricBatch, type MetricType } from '#pharos/metric-model';
import { PromTextParser, type ExpositionParser } from '#pharos/scrape';

/**
 * Where the scraper's batches go: the process's `MetricIngestor` (the normal write path: the
 * tenant's limits, the stream, the ingest self-metrics). MUST resolve only once the batch is
 * durable; MAY reject when it is refused as a whole (backpressure, rate limit), in which case
 * nothing of it was stored and the next collection writes full values again.
 */
export type SelfMetricsWriter = (batch: MetricBatch) => Promise<void>;

export interface SelfScraperOptions {
  /** The tenant the samples are written to (`self_monitoring.tenant`). */
  readonly tenant: string;
  /**
   * Labels added to every series, as a Prometheus scrape adds target labels: `job`,
   * `instance`, and `role` when several processes share the work. A series that already has
   * one of these keeps its value as `exported_<name>` (Prometheus' `honor_labels: false`).
   */
  readonly targetLabels: Readonly<Record<string, string>>;
  /** The exposition text of the registry, exactly what `/metrics` answers. */
  readonly collect: () => Promise<string>;
  readonly write: SelfMetricsWriter;
}

/** What one collection did, for logs and tests. */
export interface SelfScrapeResult {
  readonly samples: number;
  readonly staleMarkers: number;
  readonly seriesAdded: number;
}

interface SeriesEntry {
  readonly labels: Labels;
  lastIter: number;
}

interface FamilyMetadata {
  type: MetricType;
  help: string;
}

/** Cache entries not seen for this many collections are forgotten (label sets of reset gauges). */
const CACHE_GENERATIONS = 10;

/**
 * Turns the process's own registry into samples of the self-monitoring tenant, in process:
 * the text `/metrics` serves is parsed with the scrape parser, so names, types and histogram
 * series (`_bucket`/`_sum`/`_count`) are exactly what a Prometheus scraping Pharos would store,
 * without an HTTP round trip. Series are cached by their raw text, so the same `Labels` object
 * comes back every collection (the ingestor then names them by series ref on the stream), and
 * a series that disappears (a reset gauge) gets a staleness marker, as a scrape would give it.
 * There are no `up`/`scrape_*` report series: the process cannot fail to reach itself.
 */
export class SelfScraper {
  private iter = 0;
  private readonly byText = new Map<string, SeriesEntry>();
  private previous: SeriesEntry[] = [];
  private readonly metadata = new Map<string, FamilyMetadata>();
  private readonly dirtyMetadata = new Set<string>();
  private readonly target: ReadonlyArray<readonly [string, string]>;

  constructor(private readonly o: SelfScraperOptions) {
    this.target = Object.entries(o.targetLabels)
      .filter(([, v]) => v !== '')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Collects the registry once and writes it with timestamp `timestampMs`; rejects if the write is refused. */
  async collectOnce(timestampMs: number): Promise<SelfScrapeResult> {
    const text = await this.o.collect();
    const iter = ++this.iter;
    const builder = new MetricBatchBuilder(this.o.tenant, this.previous.length + 16, this.previous.length + 16);
    const current: SeriesEntry[] = [];
    let seriesAdded = 0;
    const parser: ExpositionParser = new PromTextParser(text);
    for (let kind = parser.next(); kind !== 'eof'; kind = parser.next()) {
      if (kind !== 'series') {
        this.noteMetadata(parser, kind);
        continue;
      }
      const raw = parser.seriesText();
      let entry = this.byText.get(raw);
      if (entry === undefined) {
        entry = { labels: this.withTargetLabels(parser.labels()), lastIter: 0 };
        this.byText.set(raw, entry);
        seriesAdded++;
      }
      // prom-client never repeats a series in one exposition; if it did, the first wins.
      if (entry.lastIter === iter) continue;
      entry.lastIter = iter;
      builder.addSeries(entry.labels);
      builder.addSample(timestampMs, parser.value);
      current.push(entry);
    }
    let staleMarkers = 0;
    for (const e of this.previous) {
      if (e.lastIter === iter) continue;
      builder.addSeries(e.labels);
      builder.addSample(timestampMs, STALE_NAN);
      staleMarkers++;
    }
    for (const family of this.dirtyMetadata) {
      const m = this.metadata.get(family)!;
      builder.addMetadata({ metricFamilyName: family, type: m.type, help: m.help, unit: '' });
    }
    const hadDirty = new Set(this.dirtyMetadata);
    this.dirtyMetadata.clear();
    if (iter % CACHE_GENERATIONS === 0) this.evict(iter);
    try {
      await this.o.write(builder.build());
    } catch (err) {
      // Not stored: the metadata goes out again with the next collection.
      for (const f of hadDirty) this.dirtyMetadata.add(f);
      throw err;
    }
    this.previous = current;
    return { samples: current.length, staleMarkers, seriesAdded };
  }

  /**
   * Staleness markers for every series of the last collection, written when the process stops
   * so that dashboards stop showing its last values at once rather than for the lookback.
   */
  async markStale(timestampMs: number): Promise<number> {
    if (this.previous.length === 0) return 0;
    const builder = new MetricBatchBuilder(this.o.tenant, this.previous.length, this.previous.length);
    for (const e of this.previous) {
      builder.addSeries(e.labels);
      builder.addSample(timestampMs, STALE_NAN);
    }
    const n = this.previous.length;
    this.previous = [];
    await this.o.write(builder.build());
    return n;
  }

  /** The series' labels with the target labels merged in (sorted flat). */
  private withTargetLabels(labels: string[]): Labels {
    const map = new Map<string, string>();
    for (let i = 0; i < labels.length; i += 2) map.set(labels[i]!, labels[i + 1]!);
    for (const [name, value] of this.target) {
      const existing = map.get(name);
      if (existing !== undefined) {
        let exported = `exported_${name}`;
        while (map.has(exported)) exported = `exported_${exported}`;
        map.set(exported, existing);
      }
      map.set(name, value);
    }
    const names = [...map.keys()].filter((n) => map.get(n) !== '').sort();
    const out: string[] = new Array(names.length * 2);
    for (let i = 0; i < names.length; i++) {
      out[2 * i] = names[i]!;
      out[2 * i + 1] = map.get(names[i]!)!;
    }
    return out;
  }

  private noteMetadata(parser: ExpositionParser, kind: 'help' | 'type' | 'unit'): void {
    if (kind === 'unit') return;
    const family = parser.familyName();
    let m = this.metadata.get(family);
    if (!m) {
      m = { type: 'unknown', help: '' };
      this.metadata.set(family, m);
    }
    if (kind === 'type') {
      if (m.type === parser.metricType) return;
      m.type = parser.metricType;
    } else {
      const text = parser.metaText();
      if (m.help === text) return;
      m.help = text;
    }
    this.dirtyMetadata.add(family);
  }

  private evict(iter: number): void {
    const horizon = iter - CACHE_GENERATIONS;
    for (const [text, e] of this.byText) if (e.lastIter < horizon) this.byText.delete(text);
  }
}
