import { describe, expect, it } from 'vitest';
import { loadConfig } from '#pharos/config';
import { MetricBatchBuilder, labelsFromRecord } from '#pharos/metric-model';
import type { StreamProducer } from '#pharos/stream';
import { SelfMetrics } from '#pharos/telemetry';
import { IngestRefusedError } from './ingest-errors.js';
import { MetricIngestor } from './metric-ingestor.js';

function batch() {
  const b = new MetricBatchBuilder('default');
  b.addSeries(labelsFromRecord({ __name__: 'up', job: 'x' }));
  b.addSample(Date.now(), 1);
  return b.build();
}

function ingestor(
  state: { lag: boolean; freshness: boolean },
  written: number[],
  admitFreshness: () => boolean | Promise<boolean> = () => !state.freshness,
  metrics = new SelfMetrics('test'),
): MetricIngestor {
  const producer: StreamProducer = {
    kind: 'embedded',
    produce: async (_topic, records) => {
      written.push(records.length);
      return records.map((_, i) => ({ partition: 0, offset: i }));
    },
  };
  return new MetricIngestor({
    producer,
    partitions: 1,
    limitsFor: () => loadConfig({ env: {} }).limits.defaults,
    metrics,
    isBackpressured: () => state.lag,
    admitFreshness,
  });
}

describe('MetricIngestor backpressure', () => {
  it('refuses with 503 while freshness is behind, with a short Retry-After, and writes nothing', async () => {
    const state = { lag: false, freshness: true };
    const written: number[] = [];
    const err = await ingestor(state, written).ingest('test', batch()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IngestRefusedError);
    expect(err).toMatchObject({ status: 503, reason: 'backpressure', retryAfterSeconds: 1 });
    expect((err as Error).message).toMatch(/freshness bound/);
    expect(written).toEqual([]);
  });

  it('refuses with the stream-lag Retry-After when the stream is behind, and writes once both clear', async () => {
    const state = { lag: true, freshness: true };
    const written: number[] = [];
    const ing = ingestor(state, written);
    await expect(ing.ingest('test', batch())).rejects.toMatchObject({ status: 503, retryAfterSeconds: 5 });
    state.lag = false;
    state.freshness = false;
    await expect(ing.ingest('test', batch())).resolves.toMatchObject({ samplesWritten: 1 });
    expect(written).toEqual([1]);
  });

  it('writes a request held by the freshness gate once it lets it through, and counts the hold by outcome', async () => {
    const written: number[] = [];
    const metrics = new SelfMetrics('test');
    let release: (ok: boolean) => void = () => undefined;
    const ing = ingestor({ lag: false, freshness: false }, written, () => new Promise<boolean>((resolve) => (release = resolve)), metrics);
    const outcome = ing.ingest('test', batch());
    await new Promise((r) => setTimeout(r, 30));
    expect(written).toEqual([]);
    release(true);
    await expect(outcome).resolves.toMatchObject({ samplesWritten: 1 });
    expect(written).toEqual([1]);
    const refusedLater = ing.ingest('test', batch());
    release(false);
    await expect(refusedLater).rejects.toMatchObject({ status: 503, retryAfterSeconds: 1 });
    expect(written).toEqual([1]);
    const exposition = await metrics.registry.metrics();
    expect(exposition).toMatch(/pharos_ingest_freshness_hold_seconds_count\{[^}]*outcome="admitted"[^}]*\} 1\n/);
    expect(exposition).toMatch(/pharos_ingest_freshness_hold_seconds_count\{[^}]*outcome="refused"[^}]*\} 1\n/);
    // The admitted write was held at least the 30 ms it waited.
    expect(exposition).toMatch(/pharos_ingest_freshness_hold_seconds_bucket\{le="0.025"[^}]*outcome="admitted"[^}]*\} 0\n/);
  });
});
