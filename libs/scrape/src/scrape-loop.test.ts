import { createServer, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStaleNaN, type MetricBatch } from '#pharos/metric-model';
import { acceptHeader, SCRAPE_PROTOCOLS } from './exposition/content-type.js';
import { ScrapeHttpClient } from './http-fetch.js';
import { parseScrapeJob } from './scrape-config.js';
import { ScrapeLoop, type ScrapeAppender, type ScrapeReport } from './scrape-loop.js';
import { populateTarget } from './target.js';

interface Exposed {
  body: string;
  contentType: string;
  status?: number;
  gzip?: boolean;
  delayMs?: number;
}

let exposed: Exposed = { body: '', contentType: 'text/plain; version=0.0.4' };
let lastHeaders: Record<string, string | string[] | undefined> = {};
let server: Server;
let address = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    lastHeaders = req.headers;
    const body = exposed.gzip ? gzipSync(exposed.body) : Buffer.from(exposed.body);
    const send = () => {
      res.writeHead(exposed.status ?? 200, { 'content-type': exposed.contentType, ...(exposed.gzip ? { 'content-encoding': 'gzip' } : {}) });
      res.end(body);
    };
    if (exposed.delayMs) setTimeout(send, exposed.delayMs);
    else send();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  address = `127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** Records what the loop appends: the appender port, with the durable store left out. */
class RecordingAppender implements ScrapeAppender {
  readonly batches: MetricBatch[] = [];
  async append(batch: MetricBatch) {
    this.batches.push(batch);
    return { samplesWritten: batch.timestamps.length, rejected: {} };
  }
  /** name{labels} → value of the last batch (stale shown as 'stale'). */
  last(): Record<string, number | 'stale'> {
    const b = this.batches.at(-1)!;
    const out: Record<string, number | 'stale'> = {};
    b.series.forEach((labels, i) => {
      const r: string[] = [];
      let name = '';
      for (let k = 0; k < labels.length; k += 2) {
        if (labels[k] === '__name__') name = labels[k + 1]!;
        else r.push(`${labels[k]}="${labels[k + 1]}"`);
      }
      const v = b.values[b.sampleOffsets[i]!]!;
      out[`${name}{${r.join(',')}}`] = isStaleNaN(v) ? 'stale' : v;
    });
    return out;
  }
}

function loopFor(yamlJob: Record<string, unknown>, appender: ScrapeAppender, onReport?: (r: ScrapeReport) => void) {
  const job = parseScrapeJob({ job_name: 'test', static_configs: [{ targets: [address], labels: { env: 'dev' } }], ...yamlJob }, { scrapeIntervalMs: 15_000, scrapeTimeoutMs: 10_000 }, 'test');
  const t = populateTarget(job, { __address__: address }, { env: 'dev' });
  if (t.kind !== 'active') throw new Error('target not active');
  return new ScrapeLoop({
    job,
    targetLabels: t.labels,
    url: t.url,
    intervalMs: t.intervalMs,
    timeoutMs: t.timeoutMs,
    client: new ScrapeHttpClient(job.http),
    appender,
    limits: { maxLabelsPerSeries: 30, maxLabelNameLength: 1024, maxLabelValueLength: 2048 },
    acceptHeader: acceptHeader(job.scrapeProtocols),
    userAgent: 'Pharos-test',
    ...(onReport ? { onReport } : {}),
  });
}

describe('ScrapeLoop', () => {
  it('scrapes, adds target labels and the report series, and sends Prometheus\' headers', async () => {
    exposed = { body: '# TYPE a counter\na_total{x="1"} 5\nb 2 1000\n', contentType: 'text/plain; version=0.0.4; charset=utf-8', gzip: true };
    const app = new RecordingAppender();
    const loop = loopFor({}, app);
    await loop.scrapeOnce(Date.now());
    const got = app.last();
    const tl = `env="dev",instance="${address}",job="test"`;
    expect(got[`a_total{${tl},x="1"}`]).toBe(5);
    expect(got[`b{${tl}}`]).toBe(2);
    expect(got[`up{${tl}}`]).toBe(1);
    expect(got[`scrape_samples_scraped{${tl}}`]).toBe(2);
    expect(got[`scrape_samples_post_metric_relabeling{${tl}}`]).toBe(2);
    expect(got[`scrape_series_added{${tl}}`]).toBe(2);
    expect(app.batches[0]!.timestamps[1]).toBe(1000);
    expect(app.batches[0]!.metadata).toEqual([{ metricFamilyName: 'a', type: 'counter', help: '', unit: '' }]);
    expect(lastHeaders['accept']).toBe(acceptHeader(SCRAPE_PROTOCOLS));
    expect(lastHeaders['accept']).toBe(
      'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.7,application/openmetrics-text;version=0.0.1;q=0.6,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.5,text/plain;version=0.0.4;q=0.4,*/*;q=0.3',
    );
    expect(lastHeaders['x-prometheus-scrape-timeout-seconds']).toBe('10');
    expect(lastHeaders['accept-encoding']).toBe('gzip');
    expect(loop.health).toBe('up');
  });

  it('marks series that disappear stale, and everything stale when a scrape fails', async () => {
    const app = new RecordingAppender();
    const loop = loopFor({}, app);
    exposed = { body: 'a 1\nb 2\n', contentType: 'text/plain' };
    await loop.scrapeOnce(Date.now());
    exposed = { body: 'a 1\n', contentType: 'text/plain' };
    await loop.scrapeOnce(Date.now());
    const tl = `env="dev",instance="${address}",job="test"`;
    expect(app.last()[`b{${tl}}`]).toBe('stale');
    expect(app.last()[`a{${tl}}`]).toBe(1);
    exposed = { body: 'a 1\nbad line here\n', contentType: 'text/plain' };
    await loop.scrapeOnce(Date.now());
    expect(app.last()[`a{${tl}}`]).toBe('stale');
    expect(app.last()[`up{${tl}}`]).toBe(0);
    expect(loop.health).toBe('down');
    expect(loop.lastError).toMatch(/expected timestamp or new record|invalid syntax/);
    // Back: the series returns and nothing is marked twice.
    exposed = { body: 'a 3\n', contentType: 'text/plain' };
    await loop.scrapeOnce(Date.now());
    expect(app.last()).toMatchObject({ [`a{${tl}}`]: 3, [`up{${tl}}`]: 1 });
    expect(Object.values(app.last())).not.toContain('stale');
    await loop.stop(true);
    expect(app.last()).toMatchObject({ [`a{${tl}}`]: 'stale', [`up{${tl}}`]: 'stale' });
  });

  it('renames conflicting scraped labels to exported_*, or keeps them with honor_labels', async () => {
    exposed = { body: 'm{job="other",instance="x",exported_job="y"} 1\n', contentType: 'text/plain' };
    const app = new RecordingAppender();
    await loopFor({}, app).scrapeOnce(Date.now());
    expect(Object.keys(app.last())[0]).toBe(`m{env="dev",exported_exported_job="other",exported_instance="x",exported_job="y",instance="${address}",job="test"}`);
    const honored = new RecordingAppender();
    await loopFor({ honor_labels: true }, honored).scrapeOnce(Date.now());
    expect(Object.keys(honored.last())[0]).toBe('m{env="dev",exported_job="y",instance="x",job="other"}');
  });

  it('applies metric_relabel_configs, sample_limit, label_limit and honor_timestamps', async () => {
    exposed = { body: 'keep_me 1 5000\ndrop_me 2\nkeep_too 3\n', contentType: 'text/plain' };
    const app = new RecordingAppender();
    const reports: ScrapeReport[] = [];
    await loopFor({ honor_timestamps: false, metric_relabel_configs: [{ source_labels: ['__name__'], regex: 'drop_.*', action: 'drop' }] }, app, (r) => reports.push(r)).scrapeOnce(12_345_000);
    const names = app.batches[0]!.series.map((l) => l[1]);
    expect(names).toEqual(['keep_me', 'keep_too', 'up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added']);
    expect(app.batches[0]!.timestamps[0]).not.toBe(5000);
    expect(reports[0]).toMatchObject({ samplesScraped: 3, samplesPostRelabel: 2 });

    const limited = new RecordingAppender();
    const loop = loopFor({ sample_limit: 1 }, limited);
    await loop.scrapeOnce(Date.now());
    expect(loop.lastError).toMatch(/sample limit exceeded/);
    expect(limited.last()[`up{env="dev",instance="${address}",job="test"}`]).toBe(0);

    const labelLimited = loopFor({ label_limit: 3 }, new RecordingAppender());
    await labelLimited.scrapeOnce(Date.now());
    expect(labelLimited.lastError).toMatch(/label_limit exceeded \(metric: keep_me, number of labels: 4, limit: 3\)/);
  });

  it('parses OpenMetrics with exemplars when the target answers it', async () => {
    exposed = { body: '# TYPE c counter\nc_total 4 # {trace_id="abc"} 1 1700000000\n# EOF\n', contentType: 'application/openmetrics-text; version=1.0.0; charset=utf-8' };
    const app = new RecordingAppender();
    await loopFor({}, app).scrapeOnce(Date.now());
    expect(app.batches[0]!.exemplars).toEqual([{ seriesIndex: 0, labels: ['trace_id', 'abc'], timestamp: 1_700_000_000_000, value: 1 }]);
  });

  it('fails on a non-200 answer and on a blank content type, naming the problem', async () => {
    const app = new RecordingAppender();
    const loop = loopFor({}, app);
    exposed = { body: 'nope', contentType: 'text/plain', status: 503 };
    await loop.scrapeOnce(Date.now());
    expect(loop.lastError).toBe('server returned HTTP status 503 Service Unavailable');
    exposed = { body: 'a 1\n', contentType: '' };
    await loop.scrapeOnce(Date.now());
    expect(loop.lastError).toMatch(/blank Content-Type/);
    const fallback = loopFor({ fallback_scrape_protocol: 'PrometheusText0.0.4' }, app);
    await fallback.scrapeOnce(Date.now());
    expect(fallback.health).toBe('up');
  });

  it('drops repeated series within one scrape and keeps the first', async () => {
    exposed = { body: 'a 1\na 2\n', contentType: 'text/plain' };
    const app = new RecordingAppender();
    const reports: ScrapeReport[] = [];
    await loopFor({}, app, (r) => reports.push(r)).scrapeOnce(Date.now());
    expect(app.last()[`a{env="dev",instance="${address}",job="test"}`]).toBe(1);
    expect(reports[0]!.duplicates).toBe(1);
  });

  it('sends basic auth or a bearer token, and enforces the timeout and body size limit', async () => {
    exposed = { body: 'a 1\n', contentType: 'text/plain' };
    await loopFor({ basic_auth: { username: 'u', password: 'p' } }, new RecordingAppender()).scrapeOnce(Date.now());
    expect(lastHeaders['authorization']).toBe('Basic ' + Buffer.from('u:p').toString('base64'));
    await loopFor({ authorization: { credentials: 'tok' } }, new RecordingAppender()).scrapeOnce(Date.now());
    expect(lastHeaders['authorization']).toBe('Bearer tok');

    exposed = { body: 'a 1\n', contentType: 'text/plain', delayMs: 1500 };
    const slow = loopFor({ scrape_interval: '2s', scrape_timeout: '1s' }, new RecordingAppender());
    const t0 = Date.now();
    await slow.scrapeOnce(Date.now());
    expect(Date.now() - t0).toBeLessThan(1400);
    expect(slow.lastError).toMatch(/context deadline exceeded/);

    exposed = { body: 'a 1\n'.repeat(100), contentType: 'text/plain' };
    const limited = loopFor({ body_size_limit: '100B' }, new RecordingAppender());
    await limited.scrapeOnce(Date.now());
    expect(limited.lastError).toMatch(/body size limit exceeded/);
  });
});
