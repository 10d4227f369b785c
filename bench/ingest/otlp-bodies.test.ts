import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { OtlpDecoder } from '#pharos/otlp';
import { ProtoWriter } from '#pharos/protowire';
import { decodeRemoteWrite } from '#pharos/remote-write';
import { OtlpBodyBuilder, rejectedDataPoints } from './otlp-bodies.js';
import { buildFleet, SCRAPE_INTERVAL_MS } from './series.js';
import { encodeBody, planWorkload, samplesInBody, slicesOf, type Workload } from './workload.js';

const fleet = buildFleet(2600);

function workload(protocol: Workload['protocol'], seriesPerBody: number): Workload {
  return planWorkload({ protocol, style: 'live', series: fleet.length, senders: 1, seriesPerBody, maxRate: 100_000, seconds: 60, nowMs: Date.parse('2026-11-27T00:00:00Z') });
}

/** Each series of a batch as "labels → timestamp value", order-independent. */
function samplesOf(batch: { series: readonly (readonly string[])[]; sampleOffsets: Uint32Array; timestamps: Float64Array; values: Float64Array }): string[] {
  const out: string[] = [];
  for (let i = 0; i < batch.series.length; i++) {
    const labels = [...batch.series[i]!];
    const pairs: string[] = [];
    for (let k = 0; k < labels.length; k += 2) pairs.push(`${labels[k]}=${labels[k + 1]}`);
    for (let j = batch.sampleOffsets[i]!; j < batch.sampleOffsets[i + 1]!; j++) out.push(`${pairs.sort().join(',')} ${batch.timestamps[j]} ${batch.values[j]}`);
  }
  return out.sort();
}

describe('OTLP bench bodies', () => {
  it('carry, decoded by Pharos, the same series and samples as the remote-write bodies', () => {
    const otlp = new OtlpBodyBuilder(fleet, workload('otlp-http', 8192).startMs);
    const wOtlp = workload('otlp-http', 8192);
    const wRw = workload('remote-write', fleet.length);
    const step = 3;
    const body = encodeBody(wOtlp, fleet, 0, 0, step, otlp);
    const decoded = new OtlpDecoder().decode(gunzipSync(body), { tenant: 't', format: 'protobuf' });
    expect(decoded.rejectedDataPoints).toBe(0);
    expect(decoded.delta).toBeUndefined();
    const rw = decodeRemoteWrite(encodeBody(wRw, fleet, 0, 0, step), { tenant: 't', version: '1.0' });
    const fromOtlp = samplesOf(decoded.batch);
    expect(fromOtlp).toHaveLength(fleet.length);
    // Prometheus' translation gives monotonic sums a `_total` suffix when they lack one
    // (node_netstat_field_0 → node_netstat_field_0_total); nothing else differs.
    const counters = new Set(fleet.filter((f) => f.kind === 'counter').map((f) => f.labels[f.labels.indexOf('__name__') + 1]!));
    const expected = samplesOf(rw.batch).map((line) =>
      line.replace(/^__name__=([^,]+)/, (all, name: string) => (counters.has(name) && !name.endsWith('_total') ? `__name__=${name}_total` : all)),
    );
    expect(fromOtlp).toEqual(expected.sort());
    expect(fromOtlp.some((l) => l.startsWith('__name__=node_netstat_field_0_total,'))).toBe(true);
    // The data are where the workload says: scrape `step`, after the start.
    expect(Math.min(...decoded.batch.timestamps)).toBeGreaterThanOrEqual(wOtlp.startMs + step * SCRAPE_INTERVAL_MS);
  });

  it('cut a sender block into batches of --otlp-batch points, the last one partial', () => {
    const w = workload('otlp-grpc', 1000);
    const otlp = new OtlpBodyBuilder(fleet, w.startMs);
    expect(slicesOf(w, 0)).toBe(3);
    const points = [0, 1, 2].map((j) => new OtlpDecoder().decode(encodeBody(w, fleet, 0, j, 0, otlp), { tenant: 't', format: 'protobuf' }).batch.timestamps.length);
    expect(points).toEqual([1000, 1000, 600]);
    expect(points).toEqual([0, 1, 2].map((j) => samplesInBody(w, 0, j)));
  });

  it('refuses to encode an OTLP workload without a builder', () => {
    expect(() => encodeBody(workload('otlp-grpc', 8192), fleet, 0, 0, 0)).toThrow(/needs an OtlpBodyBuilder/);
  });

  it('refuses a backfill style for OTLP rather than sending something else', () => {
    expect(() => planWorkload({ protocol: 'otlp-grpc', style: 'backfill', series: 10, senders: 1, seriesPerBody: 10, maxRate: 1, seconds: 1, nowMs: 0 })).toThrow(/remote write only/);
  });
});

describe('rejectedDataPoints', () => {
  it('reads partial_success.rejected_data_points and skips other fields', () => {
    const w = new ProtoWriter(64);
    const at = w.beginLd(1);
    w.stringField(2, 'some points were bad');
    w.varintField(1, 37);
    w.endLd(at);
    w.stringField(9, 'an unknown field');
    expect(rejectedDataPoints(w.finish())).toBe(37);
  });

  it('is 0 for an empty response', () => {
    expect(rejectedDataPoints(new Uint8Array(0))).toBe(0);
  });
});
