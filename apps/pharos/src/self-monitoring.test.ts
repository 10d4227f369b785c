import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { INestApplicationContext } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '#pharos/config';
import { METRIC_STORE_GROUP, METRICS_TOPIC } from '#pharos/metric-model';
import { EmbeddedStream } from '#pharos/stream';
import { createLogger, SelfMetrics } from '#pharos/telemetry';
import { startSelfMonitoring } from './self-monitoring.js';

/** The collector's ingestor is looked up only in a process running the collector. */
const noApp = {
  get: () => {
    throw new Error('no collector in this process');
  },
} as unknown as INestApplicationContext;

function logSink(): { logger: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _e, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: createLogger({ level: 'info', format: 'json', destination }), lines };
}

describe('startSelfMonitoring', () => {
  let dir: string;
  let stream: EmbeddedStream;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pharos-selfmon-'));
    stream = await EmbeddedStream.open({ dir: join(dir, 'stream') });
  });

  afterEach(async () => {
    await stream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('in a process without the collector, writes through an ingestor of its own onto the stream, counted as an intake', async () => {
    const config = loadConfig({ yamlText: 'self_monitoring:\n  tenant: ops\n  interval: 1s\n' });
    const metrics = new SelfMetrics('test');
    const { logger, lines } = logSink();
    const monitor = await startSelfMonitoring({ config, roles: ['processor', 'query-api'], app: noApp, stream, metrics, logger, port: 9911 });
    expect(monitor).toBeDefined();
    const deadline = Date.now() + 5_000;
    const produced = async () => (await stream.lag(METRIC_STORE_GROUP, METRICS_TOPIC)).reduce((n, p) => n + p.lagRecords, 0);
    while ((await produced()) === 0) {
      if (Date.now() > deadline) throw new Error('nothing was written to the stream');
      await new Promise((r) => setTimeout(r, 50));
    }
    const before = await produced();
    await monitor!.stop();
    // Stopping writes the staleness markers of every series.
    expect(await produced()).toBeGreaterThan(before);
    const exposition = await metrics.registry.metrics();
    expect(exposition).toMatch(/pharos_ingest_samples_total\{tenant="ops",protocol="self_monitoring"\} [1-9]\d*/);
    const started = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['msg'] === 'self-monitoring started');
    expect(started?.['labels']).toMatchObject({ job: 'pharos', role: 'processor,query-api', instance: expect.stringMatching(/:9911$/) });
  });

  it('does nothing when turned off, and says why when the process has no stream', async () => {
    const metrics = new SelfMetrics('test');
    const off = loadConfig({ env: { PHAROS_SELF_MONITORING: 'false' } });
    expect(await startSelfMonitoring({ config: off, roles: ['processor'], app: noApp, stream, metrics, logger: logSink().logger, port: 1 })).toBeUndefined();
    const { logger, lines } = logSink();
    expect(await startSelfMonitoring({ config: loadConfig({}), roles: ['identity-api'], app: noApp, stream: undefined, metrics, logger, port: 1 })).toBeUndefined();
    expect(lines.join('')).toContain('this process has no stream');
  });
});
