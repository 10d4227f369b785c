/**
 * Freshness probe: how long after a write is acknowledged its sample is visible to reads, on
 * a target under the benchmark's load. The project's bound: at most 2 s.
 *
 * Once per second of the measured window, from the bench's main thread (not the load
 * generator's workers), a one-sample remote write 1.0 request for a series of its own,
 * `pharos_bench_freshness{probe="<run>-<n>"}`, goes to the target over a keep-alive
 * connection of the probe's own; 429/5xx and network errors are retried (the clock starts at
 * the 2xx). Then `/api/v1/series?match[]=…` is polled every 25 ms, over a second keep-alive
 * connection, until the series is listed or 30 s pass. Probes overlap when a target is slow:
 * one poll carries a `match[]` for every probe still waiting, so the read rate stays at one
 * request per 25 ms whatever the backlog.
 *
 * Latency is ack → the answer of the first poll that lists the series: an upper bound, late
 * by at most one poll interval plus a round trip.
 *
 * The sample's timestamp is the newest data time every sender has had acknowledged (the
 * workload's timestamps run hours in the past, faster than real time): a sample at the wall
 * clock would move Prometheus' head to "now" and make it refuse the load as out of bounds.
 * Each probe is a new series, so it is never out of order.
 */
import http from 'node:http';
import { encodeWriteRequestV1 } from '#pharos/remote-write';
import snappy from 'snappy';

export const PROBE_METRIC = 'pharos_bench_freshness';
export const FRESHNESS_BOUND_MS = 2_000;
const PROBE_INTERVAL_MS = 1_000;
const POLL_INTERVAL_MS = 25;
const VISIBLE_TIMEOUT_MS = 30_000;
const REQUEST_TIMEOUT_MS = 10_000;
/** The series lookup's time range around the sample's timestamp. */
const LOOKUP_MARGIN_MS = 5 * 60_000;

export interface FreshnessResult {
  /** Probes written and acknowledged (2xx) during the window. */
  readonly probes: number;
  /** Ack → visible, ms, for each acknowledged probe in order; `null`: not visible within 30 s. */
  readonly latenciesMs: readonly (number | null)[];
  /** Nearest-rank percentiles over all acknowledged probes, ms; Infinity (null in --json) when the rank falls on a probe never seen. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Probes visible later than 2 s after their ack, or never (within 30 s). */
  readonly overBound: number;
  /** Of those, probes not visible within 30 s. */
  readonly notVisible: number;
  /** Probe writes sent again (429, 5xx, network error) before their 2xx. */
  readonly writeRetries: number;
  /** Probe writes refused for good (other 4xx) or never acknowledged before the window closed. */
  readonly writeFailures: number;
  /** Series lookups that failed (non-2xx or network); polling went on. */
  readonly pollErrors: number;
  /** Series lookups sent. */
  readonly polls: number;
  /** Seconds when the writer fell behind its one-per-second schedule (a probe write took over 1 s). */
  readonly skippedTicks: number;
  /** First error seen, for the log. */
  readonly firstError?: string;
}

export interface FreshnessProbeOptions {
  readonly baseUrl: string;
  readonly writePath: string;
  readonly run: number;
  /** The timestamp (ms) to give the next probe's sample. */
  readonly sampleTimeMs: () => number;
}

interface Pending {
  readonly id: string;
  readonly index: number;
  readonly ackedAt: number;
  readonly sampleMs: number;
}

export class FreshnessProbe {
  private readonly writeAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  private readonly readAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  private readonly base: URL;
  private readonly latencies: (number | null)[] = [];
  private readonly pending = new Map<string, Pending>();
  private stopping = false;
  private writer: Promise<void> | undefined;
  private poller: Promise<void> | undefined;
  /** Set and cleared synchronously with the poll loop's start and end. */
  private polling = false;
  private writeRetries = 0;
  private writeFailures = 0;
  private pollErrors = 0;
  private polls = 0;
  private skippedTicks = 0;
  private firstError: string | undefined;

  constructor(private readonly o: FreshnessProbeOptions) {
    this.base = new URL(o.baseUrl);
  }

  /** Starts one probe per second until `stop()`. */
  start(): void {
    this.writer = this.writeLoop();
  }

  /**
   * Stops issuing probes, waits for those already acknowledged to be seen (or time out), and
   * returns the figures. A write still in flight finishes (it was sent during the window).
   */
  async stop(): Promise<FreshnessResult> {
    this.stopping = true;
    await this.writer;
    await this.poller;
    this.writeAgent.destroy();
    this.readAgent.destroy();
    return summarize(this.latencies, {
      writeRetries: this.writeRetries,
      writeFailures: this.writeFailures,
      pollErrors: this.pollErrors,
      polls: this.polls,
      skippedTicks: this.skippedTicks,
      ...(this.firstError !== undefined ? { firstError: this.firstError } : {}),
    });
  }

  private async writeLoop(): Promise<void> {
    const started = performance.now();
    for (let n = 1; !this.stopping; n++) {
      const id = `${this.o.run}-${n}`;
      const sampleMs = this.o.sampleTimeMs();
      const body = snappy.compressSync(
        encodeWriteRequestV1([{ labels: { __name__: PROBE_METRIC, probe: id }, samples: [{ timestamp: sampleMs, value: n }] }]),
        { copyOutputData: true },
      );
      const ackedAt = await this.write(body);
      if (ackedAt !== undefined) {
        const p: Pending = { id, index: this.latencies.length, ackedAt, sampleMs };
        this.latencies.push(null);
        this.pending.set(id, p);
        if (!this.polling) {
          this.polling = true;
          this.poller = this.pollLoop();
        }
      }
      // Next whole second of the schedule; seconds already past are skipped, not caught up.
      const now = performance.now();
      // Probe n goes out at tick n - 1; `due` is the first tick still ahead.
      const due = Math.floor((now - started) / PROBE_INTERVAL_MS) + 1;
      this.skippedTicks += Math.max(0, due - n);
      n = Math.max(n, due);
      await this.sleepUnlessStopping(started + due * PROBE_INTERVAL_MS - now);
    }
  }

  /** Sends until a 2xx (returns its arrival time) or a refusal / the end of the window. */
  private async write(body: Buffer): Promise<number | undefined> {
    let backoff = 30;
    for (;;) {
      try {
        const res = await request(this.writeAgent, this.base, 'POST', this.o.writePath, body);
        if (res.status >= 200 && res.status < 300) return res.at;
        this.noteError(`probe write: HTTP ${res.status} ${res.text.slice(0, 200)}`);
        if (res.status !== 429 && res.status < 500) {
          this.writeFailures++;
          return undefined;
        }
      } catch (err) {
        this.noteError(`probe write: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (this.stopping) {
        this.writeFailures++;
        return undefined;
      }
      this.writeRetries++;
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 1_000);
    }
  }

  /** One lookup per 25 ms for every probe still waiting, until none is. */
  private async pollLoop(): Promise<void> {
    for (;;) {
      if (this.pending.size === 0) {
        this.polling = false;
        return;
      }
      const started = performance.now();
      const waiting = [...this.pending.values()];
      const lo = Math.min(...waiting.map((p) => p.sampleMs)) - LOOKUP_MARGIN_MS;
      const hi = Math.max(...waiting.map((p) => p.sampleMs)) + LOOKUP_MARGIN_MS;
      const query = new URLSearchParams();
      for (const p of waiting) query.append('match[]', `${PROBE_METRIC}{probe="${p.id}"}`);
      query.set('start', (lo / 1000).toFixed(3));
      query.set('end', (hi / 1000).toFixed(3));
      this.polls++;
      try {
        const res = await request(this.readAgent, this.base, 'GET', `/api/v1/series?${query.toString()}`);
        if (res.status >= 200 && res.status < 300) {
          const data = (JSON.parse(res.text) as { data?: Record<string, string>[] }).data ?? [];
          for (const labels of data) {
            const p = labels.probe === undefined ? undefined : this.pending.get(labels.probe);
            if (p === undefined) continue;
            this.latencies[p.index] = res.at - p.ackedAt;
            this.pending.delete(p.id);
          }
        } else {
          this.pollErrors++;
          this.noteError(`series lookup: HTTP ${res.status} ${res.text.slice(0, 200)}`);
        }
      } catch (err) {
        this.pollErrors++;
        this.noteError(`series lookup: ${err instanceof Error ? err.message : String(err)}`);
      }
      const now = performance.now();
      for (const p of this.pending.values()) if (now - p.ackedAt > VISIBLE_TIMEOUT_MS) this.pending.delete(p.id);
      if (this.pending.size > 0) await sleep(started + POLL_INTERVAL_MS - now);
    }
  }

  private noteError(message: string): void {
    this.firstError ??= message;
  }

  private async sleepUnlessStopping(ms: number): Promise<void> {
    const until = performance.now() + ms;
    while (!this.stopping) {
      const left = until - performance.now();
      if (left <= 0) return;
      await sleep(Math.min(left, 50));
    }
  }
}

/** Nearest-rank percentile; `null` (never seen) ranks above every latency. */
export function percentile(latencies: readonly (number | null)[], q: number): number {
  if (latencies.length === 0) return Number.NaN;
  const sorted = latencies.map((l) => l ?? Infinity).sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function summarize(
  latencies: readonly (number | null)[],
  counts: Omit<FreshnessResult, 'probes' | 'latenciesMs' | 'p50Ms' | 'p99Ms' | 'maxMs' | 'overBound' | 'notVisible'>,
): FreshnessResult {
  return {
    probes: latencies.length,
    latenciesMs: latencies.map((l) => (l === null ? null : Math.round(l * 10) / 10)),
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    maxMs: percentile(latencies, 1),
    overBound: latencies.filter((l) => l === null || l > FRESHNESS_BOUND_MS).length,
    notVisible: latencies.filter((l) => l === null).length,
    ...counts,
  };
}

interface Answer {
  readonly status: number;
  readonly text: string;
  /** performance.now() when the whole answer had arrived. */
  readonly at: number;
}

function request(agent: http.Agent, base: URL, method: 'GET' | 'POST', path: string, body?: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: base.hostname,
        port: base.port,
        path,
        method,
        agent,
        headers:
          body === undefined
            ? { 'User-Agent': 'pharos-ingest-bench/1 (freshness probe)' }
            : {
                'Content-Type': 'application/x-protobuf',
                'Content-Encoding': 'snappy',
                'Content-Length': body.length,
                'User-Agent': 'pharos-ingest-bench/1 (freshness probe)',
                'X-Prometheus-Remote-Write-Version': '0.1.0',
              },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), at: performance.now() }));
        res.on('error', reject);
      },
    );
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
