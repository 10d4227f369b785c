import { isUtf8 } from 'node:buffer';
import { MetricBatchBuilder, STALE_NAN, seriesHash, type MetricBatch, type MetricType } from '#pharos/metric-model';
import { parserFor } from './exposition/content-type.js';
import type { ExpositionParser } from './exposition/parser.js';
import type { ScrapeHttpClient } from './http-fetch.js';
import { labelsToMap, mapToLabels, relabel } from './relabel/relabel.js';
import type { ScrapeJobConfig } from './scrape-config.js';
import type { TargetHealth } from './target.js';

/**
 * Where a scrape's samples go — the consumer-declared port the collector wires to its
 * `MetricIngestor`. MUST resolve only once the samples are durable; MAY reject when the batch
 * is refused as a whole (backpressure, rate limit), in which case nothing was stored.
 */
export interface ScrapeAppender {
  append(batch: MetricBatch): Promise<AppendOutcome>;
}

export interface AppendOutcome {
  readonly samplesWritten: number;
  /** Samples refused by the tenant's limits downstream, by reason (the writer has counted them already). */
  readonly rejected: Readonly<Record<string, number>>;
}

/** The tenant's per-series limits (Pharos' `limits.*`), applied to scraped series as to remote_write. */
export interface SeriesLimits {
  readonly maxLabelsPerSeries: number;
  readonly maxLabelNameLength: number;
  readonly maxLabelValueLength: number;
}

/** What one scrape did, for self-telemetry. */
export interface ScrapeReport {
  readonly job: string;
  readonly tenant: string;
  readonly up: boolean;
  readonly durationSeconds: number;
  readonly samplesScraped: number;
  readonly samplesPostRelabel: number;
  readonly seriesAdded: number;
  readonly staleMarkers: number;
  readonly duplicates: number;
  /** Series refused by the tenant's limits here, by reason. */
  readonly rejected: Readonly<Record<string, number>>;
  readonly error: string;
}

export interface ScrapeLoopOptions {
  readonly job: ScrapeJobConfig;
  /** The target's labels (sorted flat, no `__` labels). */
  readonly targetLabels: readonly string[];
  readonly url: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly client: ScrapeHttpClient;
  readonly appender: ScrapeAppender;
  readonly limits: SeriesLimits;
  readonly acceptHeader: string;
  readonly userAgent: string;
  readonly onReport?: (report: ScrapeReport) => void;
  readonly onError?: (err: unknown) => void;
}

/** One series of the target after relabeling, shared by every raw text that yields it. */
interface SeriesEntry {
  readonly labels: readonly string[];
  /** Scrape iteration that last appended it (duplicate and staleness detection). */
  lastIter: number;
  /** Appended with its own timestamp: not made stale (Prometheus' default). */
  explicitTs: boolean;
}

/** What a raw series text resolved to: a series, or nothing (dropped by relabeling or refused). */
interface TextEntry {
  readonly series: SeriesEntry | null;
  readonly rejectReason: string | undefined;
  lastIter: number;
}

interface FamilyMetadata {
  type: MetricType;
  help: string;
  unit: string;
}

/** Report series Prometheus appends after every scrape (scrape.go `report`). */
const REPORT_NAMES = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added'] as const;

/** Cache entries not seen for this many scrapes are forgotten. */
const CACHE_GENERATIONS = 10;
/** A scrape that starts within this of its slot keeps the slot's timestamp (better compression), as Prometheus. */
const TIMESTAMP_TOLERANCE_MS = 2;

export class ScrapeFailure extends Error {
  override readonly name = 'ScrapeFailure';
}

/**
 * Scrapes one target on its schedule, as Prometheus' scrape loop: fetch with the job's
 * negotiation and timeout, parse, apply target labels (honor_labels), metric relabeling and
 * limits, append staleness markers for series that disappeared, then the report series
 * (`up`, `scrape_duration_seconds`, …). A parse error or a breached limit fails the whole
 * scrape: nothing of it is kept, and every series of the last good scrape goes stale.
 *
 * Series are cached by their raw text, so a steady target costs one scan, one map lookup and
 * one number parse per line: labels are built and relabeled only for text not seen before.
 */
export class ScrapeLoop {
  health: TargetHealth = 'unknown';
  lastError = '';
  /** Start of the last scrape, ms since the epoch (0: never). */
  lastScrapeMs = 0;
  lastScrapeDurationSeconds = 0;

  private iter = 0;
  private readonly byText = new Map<string, TextEntry>();
  /** Relabeled series by series hash (a number key: a label-text key would cost ~1 KiB a series at a million series). */
  private readonly byHash = new Map<number, SeriesEntry | SeriesEntry[]>();
  private previous: SeriesEntry[] = [];
  private readonly metadata = new Map<string, FamilyMetadata>();
  private readonly dirtyMetadata = new Set<string>();
  private readonly reportLabels: ReadonlyArray<readonly string[]>;
  private readonly headers: Record<string, string>;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private reportedOnce = false;

  constructor(private readonly o: ScrapeLoopOptions) {
    this.reportLabels = REPORT_NAMES.map((name) => sortedWith(o.targetLabels, '__name__', name));
    this.headers = {
      accept: o.acceptHeader,
      'accept-encoding': o.job.enableCompression ? 'gzip' : 'identity',
      'user-agent': o.userAgent,
      'x-prometheus-scrape-timeout-seconds': String(o.timeoutMs / 1000),
    };
  }

  /** Starts scraping after `offsetMs`, then every interval on the same phase. */
  start(offsetMs: number): void {
    const first = Date.now() + offsetMs;
    this.timer = setTimeout(() => this.tick(first), offsetMs);
  }

  private tick(scheduled: number): void {
    if (this.stopped) return;
    if (!this.running) {
      this.running = this.scrapeOnce(scheduled)
        .catch((err: unknown) => this.o.onError?.(err))
        .finally(() => (this.running = undefined));
    }
    const interval = this.o.intervalMs;
    const now = Date.now();
    let next = scheduled + interval;
    if (next <= now) next += Math.ceil((now - next + 1) / interval) * interval;
    this.timer = setTimeout(() => this.tick(next), next - now);
  }

  /**
   * Stops the loop and waits for a scrape in flight. With `markStale` (the target went away)
   * every series it last reported, report series included, gets a staleness marker.
   */
  async stop(markStale: boolean): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    if (!markStale || this.iter === 0) return;
    const ts = Math.max(Date.now(), this.lastScrapeMs + 1);
    const builder = new MetricBatchBuilder(this.o.job.tenant, this.previous.length + REPORT_NAMES.length, this.previous.length + REPORT_NAMES.length);
    for (const e of this.previous) {
      if (e.explicitTs) continue;
      builder.addSeries(e.labels);
      builder.addSample(ts, STALE_NAN);
    }
    if (this.reportedOnce) {
      for (const labels of this.reportLabels) {
        builder.addSeries(labels);
        builder.addSample(ts, STALE_NAN);
      }
    }
    this.previous = [];
    if (builder.seriesCount > 0) await this.o.appender.append(builder.build());
  }

  /** One scrape with the given slot time; exposed for tests and the benchmark. */
  async scrapeOnce(scheduledMs: number): Promise<void> {
    const started = Date.now();
    const ts = Math.abs(started - scheduledMs) <= TIMESTAMP_TOLERANCE_MS ? scheduledMs : started;
    const t0 = performance.now();
    const iter = ++this.iter;
    let error = '';
    let builder = new MetricBatchBuilder(this.o.job.tenant, this.previous.length + 16, this.previous.length + 16);
    const stats = { scraped: 0, post: 0, seriesAdded: 0, duplicates: 0, rejected: {} as Record<string, number> };
    const current: SeriesEntry[] = [];
    try {
      const res = await this.o.client.fetch(this.o.url, { headers: this.headers, timeoutMs: this.o.timeoutMs, bodySizeLimit: this.o.job.bodySizeLimit });
      if (res.status !== 200) throw new ScrapeFailure(`server returned HTTP status ${res.status} ${res.statusText}`.trimEnd());
      if (!isUtf8(res.body)) throw new ScrapeFailure('the response body is not valid UTF-8');
      const parser = parserFor(res.contentType, res.body.toString('utf8'), this.o.job.fallbackScrapeProtocol);
      this.appendSamples(parser, ts, iter, builder, current, stats);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
      builder = new MetricBatchBuilder(this.o.job.tenant, this.previous.length + 8, this.previous.length + 8);
      stats.post = 0;
    }
    let stale = 0;
    for (const e of this.previous) {
      if ((error === '' && e.lastIter === iter) || e.explicitTs) continue;
      builder.addSeries(e.labels);
      builder.addSample(ts, STALE_NAN);
      stale++;
    }
    this.previous = error === '' ? current : [];
    if (error === '' && this.dirtyMetadata.size > 0) {
      for (const family of this.dirtyMetadata) {
        const m = this.metadata.get(family)!;
        builder.addMetadata({ metricFamilyName: family, type: m.type, help: m.help, unit: m.unit });
      }
      this.dirtyMetadata.clear();
    }
    const duration = (performance.now() - t0) / 1000;
    const values = [error === '' ? 1 : 0, duration, stats.scraped, stats.post, stats.seriesAdded];
    for (let i = 0; i < REPORT_NAMES.length; i++) {
      builder.addSeries(this.reportLabels[i]!);
      builder.addSample(ts, values[i]!);
    }
    this.reportedOnce = true;
    if (iter % CACHE_GENERATIONS === 0) this.evict(iter);

    let appendError = '';
    try {
      // Refusals downstream (the tenant's active-series limit) are counted by the writer itself.
      await this.o.appender.append(builder.build());
    } catch (err) {
      appendError = `samples not stored: ${err instanceof Error ? err.message : String(err)}`;
    }
    this.lastScrapeMs = ts;
    this.lastScrapeDurationSeconds = duration;
    this.lastError = error || appendError;
    this.health = error === '' ? 'up' : 'down';
    this.o.onReport?.({
      job: this.o.job.jobName,
      tenant: this.o.job.tenant,
      up: error === '',
      durationSeconds: duration,
      samplesScraped: stats.scraped,
      samplesPostRelabel: stats.post,
      seriesAdded: stats.seriesAdded,
      staleMarkers: stale,
      duplicates: stats.duplicates,
      rejected: stats.rejected,
      error: this.lastError,
    });
  }

  private appendSamples(
    parser: ExpositionParser,
    ts: number,
    iter: number,
    builder: MetricBatchBuilder,
    current: SeriesEntry[],
    stats: { scraped: number; post: number; seriesAdded: number; duplicates: number; rejected: Record<string, number> },
  ): void {
    const job = this.o.job;
    const honorTs = job.honorTimestamps;
    const sampleLimit = job.sampleLimit;
    for (let kind = parser.next(); kind !== 'eof'; kind = parser.next()) {
      if (kind !== 'series') {
        this.noteMetadata(parser, kind);
        continue;
      }
      stats.scraped++;
      const text = parser.seriesText();
      let entry = this.byText.get(text);
      if (entry === undefined) {
        entry = this.resolve(parser, stats);
        this.byText.set(text, entry);
      }
      entry.lastIter = iter;
      const series = entry.series;
      if (series === null) {
        if (entry.rejectReason) stats.rejected[entry.rejectReason] = (stats.rejected[entry.rejectReason] ?? 0) + 1;
        continue;
      }
      if (series.lastIter === iter) {
        // Prometheus drops a repeated series within one scrape ("duplicate sample for timestamp").
        stats.duplicates++;
        continue;
      }
      series.lastIter = iter;
      const explicit = honorTs && parser.hasTimestamp;
      series.explicitTs = explicit && !job.trackTimestampsStaleness;
      const t = explicit ? parser.timestampMs : ts;
      const index = builder.addSeries(series.labels);
      builder.addSample(t, parser.value);
      const ex = parser.exemplar();
      if (ex && exemplarLabelsFit(ex.labels)) builder.addExemplar({ seriesIndex: index, labels: ex.labels, timestamp: ex.timestampMs ?? t, value: ex.value });
      current.push(series);
      stats.post++;
      if (sampleLimit > 0 && stats.post > sampleLimit) throw new ScrapeFailure(`sample limit exceeded: more than ${sampleLimit} samples after metric relabeling (sample_limit)`);
    }
  }

  /** Labels of a series not seen before: target labels, metric relabeling, limits. */
  private resolve(parser: ExpositionParser, stats: { seriesAdded: number }): TextEntry {
    const job = this.o.job;
    const m = labelsToMap(parser.labels());
    const target = this.o.targetLabels;
    if (job.honorLabels) {
      for (let i = 0; i < target.length; i += 2) if (!m.has(target[i]!)) m.set(target[i]!, target[i + 1]!);
    } else {
      const conflicts: Array<[string, string]> = [];
      for (let i = 0; i < target.length; i += 2) {
        const existing = m.get(target[i]!);
        if (existing !== undefined) conflicts.push([target[i]!, existing]);
        m.set(target[i]!, target[i + 1]!);
      }
      conflicts.sort((a, b) => a[0].length - b[0].length);
      for (const [name, value] of conflicts) {
        let exported = `exported_${name}`;
        while (m.has(exported)) exported = `exported_${exported}`;
        m.set(exported, value);
      }
    }
    if (job.metricRelabelConfigs.length > 0 && !relabel(m, job.metricRelabelConfigs)) return { series: null, rejectReason: undefined, lastIter: 0 };
    if (m.size === 0) return { series: null, rejectReason: undefined, lastIter: 0 };
    const labels = mapToLabels(m);
    const name = m.get('__name__');
    if (name === undefined) throw new ScrapeFailure('missing metric name (__name__ label)');
    checkJobLabelLimits(job, labels, name);
    const reject = tenantLimitBreach(this.o.limits, labels);
    if (reject) return { series: null, rejectReason: reject, lastIter: 0 };
    let series = this.lookup(labels);
    if (!series) {
      series = { labels, lastIter: 0, explicitTs: false };
      this.remember(series);
      stats.seriesAdded++;
    }
    return { series, rejectReason: undefined, lastIter: 0 };
  }

  private lookup(labels: readonly string[]): SeriesEntry | undefined {
    const hit = this.byHash.get(seriesHash(labels));
    if (hit === undefined) return undefined;
    if (!Array.isArray(hit)) return sameLabels(hit.labels, labels) ? hit : undefined;
    return hit.find((e) => sameLabels(e.labels, labels));
  }

  private remember(series: SeriesEntry): void {
    const h = seriesHash(series.labels);
    const hit = this.byHash.get(h);
    if (hit === undefined) this.byHash.set(h, series);
    else if (Array.isArray(hit)) hit.push(series);
    else this.byHash.set(h, [hit, series]);
  }

  private noteMetadata(parser: ExpositionParser, kind: 'help' | 'type' | 'unit'): void {
    const family = parser.familyName();
    let m = this.metadata.get(family);
    if (!m) {
      m = { type: 'unknown', help: '', unit: '' };
      this.metadata.set(family, m);
    }
    if (kind === 'type') {
      if (m.type === parser.metricType) return;
      m.type = parser.metricType;
    } else {
      const text = parser.metaText();
      if (kind === 'help') {
        if (m.help === text) return;
        m.help = text;
      } else {
        if (m.unit === text) return;
        m.unit = text;
      }
    }
    this.dirtyMetadata.add(family);
  }

  /** Forgets raw texts and series not seen for {@link CACHE_GENERATIONS} scrapes. */
  private evict(iter: number): void {
    const horizon = iter - CACHE_GENERATIONS;
    for (const [text, e] of this.byText) if (e.lastIter < horizon) this.byText.delete(text);
    for (const [h, e] of this.byHash) {
      if (!Array.isArray(e)) {
        if (e.lastIter < horizon && e.lastIter !== 0) this.byHash.delete(h);
        continue;
      }
      const kept = e.filter((x) => x.lastIter >= horizon || x.lastIter === 0);
      if (kept.length === 0) this.byHash.delete(h);
      else this.byHash.set(h, kept.length === 1 ? kept[0]! : kept);
    }
  }
}

/** Prometheus' `verifyLabelLimits`: a breach fails the scrape. */
function checkJobLabelLimits(job: ScrapeJobConfig, labels: readonly string[], name: string): void {
  const count = labels.length / 2;
  if (job.labelLimit > 0 && count > job.labelLimit) {
    throw new ScrapeFailure(`label_limit exceeded (metric: ${name.slice(0, 50)}, number of labels: ${count}, limit: ${job.labelLimit})`);
  }
  if (job.labelNameLengthLimit === 0 && job.labelValueLengthLimit === 0) return;
  for (let i = 0; i < labels.length; i += 2) {
    const n = labels[i]!;
    const v = labels[i + 1]!;
    const nl = Buffer.byteLength(n);
    if (job.labelNameLengthLimit > 0 && nl > job.labelNameLengthLimit) {
      throw new ScrapeFailure(`label_name_length_limit exceeded (metric: ${name.slice(0, 50)}, label name: ${n.slice(0, 50)}, length: ${nl}, limit: ${job.labelNameLengthLimit})`);
    }
    const vl = Buffer.byteLength(v);
    if (job.labelValueLengthLimit > 0 && vl > job.labelValueLengthLimit) {
      throw new ScrapeFailure(
        `label_value_length_limit exceeded (metric: ${name.slice(0, 50)}, label name: ${n.slice(0, 50)}, value: ${JSON.stringify(v.slice(0, 50))}, length: ${vl}, limit: ${job.labelValueLengthLimit})`,
      );
    }
  }
}

/** Pharos' tenant limits refuse a series (as remote_write does) without failing the scrape. */
function tenantLimitBreach(limits: SeriesLimits, labels: readonly string[]): string | undefined {
  if (labels.length / 2 > limits.maxLabelsPerSeries) return 'too_many_labels';
  for (let i = 0; i < labels.length; i += 2) {
    if (Buffer.byteLength(labels[i]!) > limits.maxLabelNameLength) return 'label_name_too_long';
    if (Buffer.byteLength(labels[i + 1]!) > limits.maxLabelValueLength) return 'label_value_too_long';
  }
  return undefined;
}

/** OpenMetrics caps an exemplar's label set at 128 UTF-8 characters; Prometheus drops longer ones. */
function exemplarLabelsFit(labels: readonly string[]): boolean {
  let chars = 0;
  for (const l of labels) chars += [...l].length;
  return chars <= 128;
}

function sameLabels(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `labels` (sorted flat) with one more pair, kept sorted. */
function sortedWith(labels: readonly string[], name: string, value: string): string[] {
  const out: string[] = [];
  let placed = false;
  for (let i = 0; i < labels.length; i += 2) {
    if (!placed && labels[i]! > name) {
      out.push(name, value);
      placed = true;
    }
    if (labels[i] === name) continue;
    out.push(labels[i]!, labels[i + 1]!);
  }
  if (!placed) out.push(name, value);
  return out;
}
