import { Counter, Gauge, Histogram } from 'prom-client';
import type { ScrapeReport } from '#pharos/scrape';
import type { SelfMetrics } from '#pharos/telemetry';

/**
 * Self-metrics of scraping, registered on Pharos' registry: one counter per event kind
 * (scrapes by result, refused samples, staleness markers), scrape latency, target counts.
 */
export class ScrapeTelemetry {
  private readonly scrapes: Counter<'job' | 'result'>;
  private readonly duration: Histogram<'job'>;
  private readonly samples: Counter<'job'>;
  private readonly stale: Counter<'job'>;
  private readonly duplicates: Counter<'job'>;
  readonly targets: Gauge<'job' | 'state'>;
  readonly reloads: Counter<'result'>;

  constructor(private readonly metrics: SelfMetrics) {
    const registers = [metrics.registry];
    this.scrapes = new Counter({ name: 'pharos_scrape_scrapes_total', help: 'Scrapes by job and result (success, failure).', labelNames: ['job', 'result'], registers });
    this.duration = new Histogram({
      name: 'pharos_scrape_duration_seconds',
      help: 'Time of one scrape (fetch and parse) by job.',
      labelNames: ['job'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.samples = new Counter({ name: 'pharos_scrape_samples_total', help: 'Samples scraped and kept after metric relabeling, by job.', labelNames: ['job'], registers });
    this.stale = new Counter({ name: 'pharos_scrape_stale_markers_total', help: 'Staleness markers written for series that disappeared, by job.', labelNames: ['job'], registers });
    this.duplicates = new Counter({ name: 'pharos_scrape_duplicate_samples_total', help: 'Samples dropped because their series appeared twice in one scrape, by job.', labelNames: ['job'], registers });
    this.targets = new Gauge({ name: 'pharos_scrape_targets', help: 'Scrape targets by job and state (active, dropped).', labelNames: ['job', 'state'], registers });
    this.reloads = new Counter({ name: 'pharos_scrape_config_reloads_total', help: 'Scrape configuration reloads by result (success, failure).', labelNames: ['result'], registers });
  }

  record(r: ScrapeReport): void {
    this.scrapes.inc({ job: r.job, result: r.up ? 'success' : 'failure' });
    this.duration.observe({ job: r.job }, r.durationSeconds);
    if (r.samplesPostRelabel > 0) this.samples.inc({ job: r.job }, r.samplesPostRelabel);
    if (r.staleMarkers > 0) this.stale.inc({ job: r.job }, r.staleMarkers);
    if (r.duplicates > 0) this.duplicates.inc({ job: r.job }, r.duplicates);
    for (const [reason, n] of Object.entries(r.rejected)) {
      if (n > 0) this.metrics.rejectedSamples.inc({ tenant: r.tenant, protocol: SCRAPE_PROTOCOL, reason }, n);
    }
  }
}

/** The `protocol` label of scraped samples in the ingest self-metrics. */
export const SCRAPE_PROTOCOL = 'prometheus_scrape';
