import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '#pharos/config';
import { MetricIngestor, withReceipt } from '#pharos/ingest';
import { METRICS_TOPIC, UNRESOLVED_LABELS, decodeMetricBatch, seriesRefHex } from '#pharos/metric-model';
import { EmbeddedStream, type StreamProducer } from '#pharos/stream';
import { SelfMetrics } from '#pharos/telemetry';
import { ScrapeEngine } from './scrape-engine.js';

const PARTITIONS = 2;

/** Per record in partition and offset order: series sent with labels and series sent by ref alone. */
interface Seen {
  partition: number;
  defined: string[];
  byRef: string[];
}

describe('ScrapeEngine writes with series refs', () => {
  let dir = '';
  let server: Server | undefined;
  afterEach(async () => {
    if (server) await new Promise<void>((done) => server!.close(() => done()));
    server = undefined;
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function scrapeFor(kind: 'embedded' | 'kafka', writes: number): Promise<Seen[]> {
    dir = await mkdtemp(join(tmpdir(), 'pharos-scrape-refs-'));
    let scrapes = 0;
    server = createServer((_req, res) => {
      scrapes++;
      res.setHeader('content-type', 'text/plain; version=0.0.4');
      res.end(`# TYPE req_total counter\nreq_total{path="/a"} ${scrapes}\nreq_total{path="/b"} ${2 * scrapes}\ntemp_celsius ${20 + scrapes}\n`);
    });
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', () => done()));
    const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;

    const stream = await EmbeddedStream.open({ dir: join(dir, 'stream'), fsync: 'none' });
    await stream.ensureTopic(METRICS_TOPIC, PARTITIONS);
    const embedded = stream.producer();
    // The same durable log, presented as Kafka would be: only `kind` differs.
    const producer: StreamProducer = kind === 'embedded' ? embedded : { kind, produce: (t, r) => embedded.produce(t, r) };
    const config = loadConfig({ env: {} });
    const ingestor = new MetricIngestor({ producer, partitions: PARTITIONS, limitsFor: () => config.limits.defaults, metrics: new SelfMetrics('test'), isBackpressured: () => false });
    let written = 0;
    const engine = new ScrapeEngine(
      {
        runtimeTargetsFile: join(dir, 'targets.json'),
        partitions: PARTITIONS,
        defaultLimits: { maxLabelsPerSeries: 30, maxLabelNameLength: 1024, maxLabelValueLength: 2048 },
        tenantLimits: {},
        userAgent: 'test',
        offsetSeed: 1,
      },
      {
        // As ScrapeService does it.
        write: async (prepared) => {
          const w = withReceipt(prepared);
          await ingestor.ingestPrepared('scrape', w.prepared);
          written++;
          return w.receipt();
        },
        report: () => undefined,
        log: (_level, message, err) => {
          throw new Error(`unexpected scrape log: ${message} ${err ?? ''}`);
        },
      },
    );
    await engine.apply([{ job_name: 'app', scrape_interval: '100ms', scrape_timeout: '90ms', static_configs: [{ targets: [address] }] }], { scrapeIntervalMs: 100, scrapeTimeoutMs: 90 }, 'test');
    const deadline = Date.now() + 15_000;
    while (written < writes) {
      if (Date.now() > deadline) throw new Error(`only ${written} of ${writes} writes`);
      await new Promise((r) => setTimeout(r, 20));
    }
    await engine.stop();

    const seen: Seen[] = [];
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const consumer = stream.consumer({ group: `check-${partition}`, topic: METRICS_TOPIC });
      const lag = (await stream.lag(`check-${partition}`, METRICS_TOPIC)).find((p) => p.partition === partition)!.lagRecords;
      let records = 0;
      await new Promise<void>((done) => {
        if (lag === 0) return done();
        void consumer.run({
          onBatch: async (b) => {
            if (b.partition !== partition) return;
            for (const r of b.records) {
              const d = decodeMetricBatch(r.value, { interner: null });
              const s: Seen = { partition, defined: [], byRef: [] };
              d.series.forEach((labels, i) => {
                if (d.seriesRefs === undefined) s.defined.push(`v1:${labels.join(',')}`);
                else (labels === UNRESOLVED_LABELS ? s.byRef : s.defined).push(seriesRefHex(d.seriesRefs, 4 * i));
              });
              seen.push(s);
              if (++records === lag) done();
            }
          },
        });
      });
      await consumer.stop();
    }
    await stream.close();
    return seen;
  }

  it('names a series by ref only after a record defining it on the same partition, and uses refs once defined', async () => {
    const seen = await scrapeFor('embedded', 6);
    for (let p = 0; p < PARTITIONS; p++) {
      const defined = new Set<string>();
      for (const s of seen.filter((r) => r.partition === p)) {
        for (const ref of s.byRef) expect(defined.has(ref)).toBe(true);
        for (const ref of s.defined) defined.add(ref);
      }
    }
    const byRef = seen.reduce((n, s) => n + s.byRef.length, 0);
    const withLabels = seen.reduce((n, s) => n + s.defined.length, 0);
    // 3 series plus the report series, 6 scrapes: defined once (more if a scrape started before
    // the previous write was durable), by ref afterwards.
    expect(byRef).toBeGreaterThan(withLabels);
    expect(seen.every((s) => s.defined.every((d) => !d.startsWith('v1:')))).toBe(true);
  });

  it('always sends labels when the stream is Kafka', async () => {
    const seen = await scrapeFor('kafka', 4);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((s) => s.byRef.length === 0 && s.defined.length > 0)).toBe(true);
  });
});
