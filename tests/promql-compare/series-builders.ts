import { RESET_HINT_GAUGE, STALE_NAN, type NativeHistogram } from '#pharos/metric-model';
import type { GeneratedSeries, SeriesAudience } from './dataset.js';
import { HistogramBuilder } from './histogram-builder.js';
import type { SeededRandom } from './random.js';

/** How the series of the comparison data set are built: scrape slots and one builder per series kind. */

export const SCRAPE_INTERVAL_MS = 15_000;

/** Instance `api-2` is down in this window (relative to start): stale markers, then restart with reset counters. */
export const OUTAGE = { fromMs: 130 * 60_000, toMs: 160 * 60_000 } as const;

const LATENCY_BOUNDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** A series while it is generated; stale markers are recorded by index (see {@link GeneratedSeries.values}). */
export interface SeriesDraft {
  readonly labels: Readonly<Record<string, string>>;
  readonly audience: SeriesAudience;
  readonly timestamps: number[];
  readonly values: number[];
  readonly staleAt: number[];
  readonly histTimestamps: number[];
  readonly histograms: NativeHistogram[];
}

function pushStale(s: SeriesDraft, t: number): void {
  s.staleAt.push(s.values.length);
  s.timestamps.push(t);
  s.values.push(NaN);
}

export function finish(d: SeriesDraft): GeneratedSeries {
  const values = Float64Array.from(d.values);
  for (const i of d.staleAt) values[i] = STALE_NAN;
  return { labels: d.labels, audience: d.audience, timestamps: Float64Array.from(d.timestamps), values, histTimestamps: Float64Array.from(d.histTimestamps), histograms: d.histograms };
}

export interface Target {
  readonly job: string;
  readonly instance: string;
  /** Scrape offset within the interval (ms), as Prometheus spreads targets. */
  readonly offsetMs: number;
  /** Random timing noise per scrape, ms (0 for exact slots). */
  readonly jitterMs: number;
}

/** Per-scrape context handed to series builders. */
export interface Slot {
  readonly i: number;
  readonly t: number;
  /** The target is up at this slot. */
  readonly up: boolean;
  /** First slot after the target came back (counters restart). */
  readonly restarted: boolean;
  /** First slot of an outage: every series of the target gets a staleness marker. */
  readonly wentDown: boolean;
}

/**
 * Sample times end in 5 ms (…5) unless `aligned`, while evaluation times, ranges, offsets and
 * subquery steps are whole multiples of 10 ms: so no sample sits exactly on a window or
 * lookback boundary except in the series built for that (`aligned_*`), and the known
 * 2.42/3.x boundary difference shows only in the queries written to show it.
 */
export function offGrid(t: number, aligned: boolean): number {
  return aligned ? t : t - (t % 10) + 5;
}

export class Generator {
  constructor(
    private readonly rnd: SeededRandom,
    private readonly startMs: number,
    private readonly slotCount: number,
    private readonly out: SeriesDraft[],
  ) {}

  slots(target: Target, outage: boolean): Slot[] {
    const out: Slot[] = [];
    let wasUp = true;
    for (let i = 0; i < this.slotCount; i++) {
      const rel = i * SCRAPE_INTERVAL_MS;
      const up = !(outage && rel >= OUTAGE.fromMs && rel < OUTAGE.toMs);
      const jitter = target.jitterMs === 0 ? 0 : this.rnd.int(-target.jitterMs, target.jitterMs);
      // Keep the first slot inside the data range whatever the jitter.
      const t = offGrid(this.startMs + rel + Math.max(target.offsetMs + jitter, 0), target.offsetMs === 0);
      out.push({ i, t, up, restarted: up && !wasUp, wentDown: !up && wasUp });
      wasUp = up;
    }
    return out;
  }

  private push(labels: Record<string, string>, audience: SeriesAudience = 'all'): SeriesDraft {
    const s: SeriesDraft = { labels, audience, timestamps: [], values: [], staleAt: [], histTimestamps: [], histograms: [] };
    this.out.push(s);
    return s;
  }

  raw(labels: Record<string, string>, timestamps: number[], values: number[]): void {
    const s = this.push(labels);
    s.timestamps.push(...timestamps);
    s.values.push(...values);
  }

  /** A gauge; while the target is down it gets one staleness marker (unless it is `up`, which reads 0). */
  gauge(labels: Record<string, string>, slots: readonly Slot[], value: (s: Slot) => number, options: { keepWhenDown?: boolean; staleAtEnd?: boolean } = {}): void {
    const s = this.push(labels);
    for (const slot of slots) {
      if (slot.up || options.keepWhenDown) {
        s.timestamps.push(slot.t);
        s.values.push(value(slot));
      } else if (slot.wentDown) {
        pushStale(s, slot.t);
      }
    }
    if (options.staleAtEnd && s.timestamps.length > 0) pushStale(s, s.timestamps.at(-1)! + SCRAPE_INTERVAL_MS);
  }

  /** A series present only while `inRun` holds, with a staleness marker at the first slot after each run. */
  runs(labels: Record<string, string>, slots: readonly Slot[], inRun: (i: number) => boolean, value: () => number): void {
    const s = this.push(labels);
    let running = false;
    for (const slot of slots) {
      if (inRun(slot.i)) {
        s.timestamps.push(slot.t);
        s.values.push(value());
        running = true;
      } else if (running) {
        pushStale(s, slot.t);
        running = false;
      }
    }
  }

  /** A counter growing at about `perSecond`, reset to zero at random and when its target restarts. */
  counter(labels: Record<string, string>, slots: readonly Slot[], perSecond: number, options: { resetChance: number }): void {
    let v = this.rnd.between(0, perSecond * 3600);
    this.gauge(labels, slots, (slot) => {
      if (slot.restarted || (slot.i > 0 && this.rnd.chance(options.resetChance))) v = 0;
      v += Math.round(perSecond * 15 * this.rnd.between(0.5, 1.5) * 100) / 100;
      return v;
    });
  }

  /** `_bucket{le}` (cumulative), `_sum` and `_count` series of one classic histogram, reset together. */
  classicHistogram(name: string, labels: Record<string, string>, slots: readonly Slot[], median: number, perScrape: number): void {
    const bounds = [...LATENCY_BOUNDS, Infinity];
    const cumulative = new Array<number>(bounds.length).fill(0);
    let sum = 0;
    const rows: { slot: Slot; buckets: number[]; sum: number }[] = [];
    for (const slot of slots) {
      if (!slot.up) continue;
      if (slot.restarted || (slot.i > 0 && this.rnd.chance(0.0015))) {
        cumulative.fill(0);
        sum = 0;
      }
      const n = this.rnd.int(0, perScrape);
      for (let k = 0; k < n; k++) {
        const v = this.rnd.logNormal(median, 1);
        sum += v;
        for (let b = 0; b < bounds.length; b++) if (v <= bounds[b]!) cumulative[b]!++;
      }
      rows.push({ slot, buckets: [...cumulative], sum });
    }
    const byT = new Map(rows.map((r) => [r.slot.i, r]));
    const emit = (l: Record<string, string>, pick: (r: (typeof rows)[number]) => number): void => this.gauge(l, slots, (slot) => pick(byT.get(slot.i)!));
    bounds.forEach((b, k) => emit({ __name__: `${name}_bucket`, ...labels, le: b === Infinity ? '+Inf' : String(b) }, (r) => r.buckets[k]!));
    emit({ __name__: `${name}_sum`, ...labels }, (r) => r.sum);
    emit({ __name__: `${name}_count`, ...labels }, (r) => r.buckets.at(-1)!);
  }

  /** A summary: quantile gauges over a sliding sample, plus `_sum` and `_count` counters. */
  summary(name: string, labels: Record<string, string>, slots: readonly Slot[]): void {
    const recent: number[] = [];
    let sum = 0;
    let count = 0;
    const rows = new Map<number, { q: number[]; sum: number; count: number }>();
    for (const slot of slots) {
      const n = this.rnd.int(1, 12);
      for (let k = 0; k < n; k++) {
        const v = this.rnd.logNormal(0.03, 0.8);
        recent.push(v);
        sum += v;
        count++;
      }
      while (recent.length > 200) recent.shift();
      const sorted = [...recent].sort((a, b) => a - b);
      const q = [0.5, 0.9, 0.99].map((p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!);
      rows.set(slot.i, { q, sum, count });
    }
    ['0.5', '0.9', '0.99'].forEach((quantile, k) => this.gauge({ __name__: name, ...labels, quantile }, slots, (s) => rows.get(s.i)!.q[k]!));
    this.gauge({ __name__: `${name}_sum`, ...labels }, slots, (s) => rows.get(s.i)!.sum);
    this.gauge({ __name__: `${name}_count`, ...labels }, slots, (s) => rows.get(s.i)!.count);
  }

  /** A cumulative native histogram (integer counts) with random and restart resets. */
  nativeHistogram(labels: Record<string, string>, slots: readonly Slot[], h: HistogramBuilder, median: number, perScrape: number, audience: SeriesAudience = 'all'): void {
    const s = this.push(labels, audience);
    for (const slot of slots) {
      if (!slot.up) {
        // A histogram series goes stale with a float staleness marker, as a scrape writes it.
        if (slot.wentDown) pushStale(s, slot.t);
        continue;
      }
      if (slot.restarted || (slot.i > 0 && this.rnd.chance(0.0015))) h.reset();
      const n = this.rnd.int(0, perScrape);
      for (let k = 0; k < n; k++) h.observe(this.rnd.chance(0.02) ? 0 : this.rnd.logNormal(median, 1.2));
      s.histTimestamps.push(slot.t);
      s.histograms.push(h.snapshot());
    }
  }

  /** A gauge histogram with float counts and negative observations, renewed every scrape. */
  gaugeHistogram(labels: Record<string, string>, slots: readonly Slot[]): void {
    const s = this.push(labels, 'v3');
    const h = new HistogramBuilder(1, 1e-3);
    for (const slot of slots) {
      h.reset();
      const n = this.rnd.int(0, 20);
      for (let k = 0; k < n; k++) h.observe(this.rnd.normal() * 2);
      s.histTimestamps.push(slot.t);
      s.histograms.push(h.snapshot({ resetHint: RESET_HINT_GAUGE, float: true, scale: 0.5 }));
    }
  }
}
